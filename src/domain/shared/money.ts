import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { CurrencyCode, NonNegativeInteger } from './codecs';
import { DomainError, domainError } from './domain-error';

/** An amount of money: an integer count of the currency's minor units, never negative, never a float. */
export const Money = t.readonly(t.type({ amount: NonNegativeInteger, currency: CurrencyCode }), 'Money');
export type Money = t.TypeOf<typeof Money>;

export const money = (amount: number, currency: CurrencyCode): Money => ({ amount, currency });

export const zero = (currency: CurrencyCode): Money => ({ amount: 0, currency });

export const currencyMismatch = (expected: CurrencyCode, actual: CurrencyCode): DomainError =>
  domainError('CURRENCY_MISMATCH', `expected an amount in ${expected} but got one in ${actual}`, { expected, actual });

export const sameCurrency = (a: Money, b: Money): E.Either<DomainError, Money> =>
  a.currency === b.currency ? E.right(b) : E.left(currencyMismatch(a.currency, b.currency));

export const add = (a: Money, b: Money): E.Either<DomainError, Money> =>
  a.currency === b.currency ? E.right(money(a.amount + b.amount, a.currency)) : E.left(currencyMismatch(a.currency, b.currency));

/** Subtracting more than there is is an error rather than a negative amount. */
export const subtract = (a: Money, b: Money): E.Either<DomainError, Money> => {
  if (a.currency !== b.currency) return E.left(currencyMismatch(a.currency, b.currency));
  if (b.amount > a.amount) {
    return E.left(
      domainError('NEGATIVE_AMOUNT', `cannot take ${format(b)} from ${format(a)}`, { minuend: a.amount, subtrahend: b.amount }),
    );
  }
  return E.right(money(a.amount - b.amount, a.currency));
};

/**
 * `amount × numerator / denominator` for non-negative integers, rounded down, exactly: a product beyond
 * 2^53, which a float would round, is taken in BigInt.
 */
export const scaleDown = (amount: number, numerator: number, denominator: number): number => {
  if (denominator === 0) return 0;
  const product = amount * numerator;
  if (Number.isSafeInteger(product)) return Math.floor(product / denominator);
  return Number((BigInt(amount) * BigInt(numerator)) / BigInt(denominator));
};

/**
 * Splits `total` over non-negative `weights` in proportion, rounding down and giving the units left over
 * one by one to the largest remainders (the earlier weight on a tie), so the parts always add up to
 * exactly `total`. In BigInt, so that weights may be products past 2^53 and no share is rounded twice:
 * float shares drift once `total × weight` passes 2^53.
 */
export const allocate = (total: number, weights: readonly (number | bigint)[]): readonly number[] => {
  const exact = weights.map((weight) => BigInt(weight));
  const weightSum = exact.reduce((sum, weight) => sum + weight, 0n);
  if (weightSum === 0n) return weights.map((_, i) => (i === 0 ? total : 0));
  const whole = BigInt(total);
  const parts = exact.map((weight) => (whole * weight) / weightSum);
  let remainder = parts.reduce((left, part) => left - part, whole);
  const byRemainder = exact
    .map((weight, i) => ({ i, left: whole * weight - (parts[i] ?? 0n) * weightSum }))
    .sort((a, b) => (a.left === b.left ? a.i - b.i : a.left > b.left ? -1 : 1));
  for (const { i } of byRemainder) {
    if (remainder === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    remainder -= 1n;
  }
  return parts.map(Number);
};

/** ISO 4217 currencies whose minor unit is not a hundredth; every other code has two minor digits. */
const MINOR_DIGITS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

/**
 * `12345 CNY` → `123.45 CNY`, `3800 JPY` → `3800 JPY`, `1234 KWD` → `1.234 KWD`: for display only. An amount
 * that is no count of minor units (a host's fraction, say) is shown as it is, not turned into a price.
 */
export const format = (m: Money): string => {
  if (!Number.isSafeInteger(m.amount) || m.amount < 0) return `${String(m.amount)} minor units of ${m.currency}`;
  const digits = MINOR_DIGITS[m.currency] ?? 2;
  const whole = String(m.amount).padStart(digits + 1, '0');
  return digits === 0 ? `${whole} ${m.currency}` : `${whole.slice(0, -digits)}.${whole.slice(-digits)} ${m.currency}`;
};
