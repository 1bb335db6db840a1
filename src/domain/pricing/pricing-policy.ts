import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { CurrencyCode, Identifier, NonNegativeInteger, PositiveInteger, shapeProblem, Text } from '../shared/codecs';
import { DomainError, domainError } from '../shared/domain-error';
import { allocate, scaleDown } from '../shared/money';

const Percent = t.refinement(PositiveInteger, (n) => n <= 100, 'Percent');

/** A coupon as the host's promotion service defines it; amounts are minor units of the cart's currency. */
export const Coupon = t.readonly(
  t.intersection([
    t.type({ code: Identifier, minimumSpend: NonNegativeInteger }),
    t.union([
      t.type({ kind: t.literal('fixed'), amountOff: PositiveInteger }),
      t.type({ kind: t.literal('percentage'), percentOff: Percent }),
    ]),
  ]),
  'Coupon',
);
export type Coupon = t.TypeOf<typeof Coupon>;

export const PricedLine = t.readonly(
  t.type({
    sku: Identifier,
    name: Text,
    category: Identifier,
    unitPrice: NonNegativeInteger,
    quantity: PositiveInteger,
    lineTotal: NonNegativeInteger,
    /** This line's share of the amount the shopper pays: the most a refund of this line can return. */
    paidAmount: NonNegativeInteger,
  }),
  'PricedLine',
);
export type PricedLine = t.TypeOf<typeof PricedLine>;

export const GiftLine = t.readonly(
  t.type({ sku: Identifier, name: Text, category: Identifier, quantity: PositiveInteger }),
  'GiftLine',
);
export type GiftLine = t.TypeOf<typeof GiftLine>;

/** The price of a checkout, every figure in minor units of `currency`. */
export const PricedCheckout = t.readonly(
  t.type({
    currency: CurrencyCode,
    lines: t.readonlyArray(PricedLine),
    subtotal: NonNegativeInteger,
    couponCode: t.union([Identifier, t.null]),
    couponDiscount: NonNegativeInteger,
    rebateDiscount: NonNegativeInteger,
    shippingFee: NonNegativeInteger,
    /** The part of the amount due that the shipping fee accounts for; refunded only on cancellation. */
    shippingPaid: NonNegativeInteger,
    gifts: t.readonlyArray(GiftLine),
    pointsRedeemed: NonNegativeInteger,
    pointsDiscount: NonNegativeInteger,
    total: NonNegativeInteger,
  }),
  'PricedCheckout',
);
export type PricedCheckout = t.TypeOf<typeof PricedCheckout>;

export interface PricingLineInput {
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly unitPrice: number;
  readonly quantity: number;
}

export interface PricingInput {
  readonly currency: CurrencyCode;
  readonly lines: readonly PricingLineInput[];
  readonly coupon: Coupon | null;
  readonly pointsToRedeem: number;
}

/** Prices a checkout. Pure and replaceable: a shop with other rules passes its own to the engine. */
export type PricingPolicy = (input: PricingInput) => E.Either<DomainError, PricedCheckout>;

/**
 * The input as a policy gets it: its own frozen copy. A policy is the host's code, and one that changed its
 * input in place (a member price written over a line's) would change the cart the input came from, and
 * the input its checkout is then checked against.
 */
export const policyInputOf = (input: PricingInput): PricingInput =>
  Object.freeze({
    currency: input.currency,
    lines: Object.freeze(
      input.lines.map(({ sku, name, category, unitPrice, quantity }) => Object.freeze({ sku, name, category, unitPrice, quantity })),
    ),
    coupon: input.coupon === null ? null : Object.freeze({ ...input.coupon }),
    pointsToRedeem: input.pointsToRedeem,
  });

export interface GiftRule {
  readonly minimumSpend: number;
  readonly gift: GiftLine;
}

/** "Spend `threshold`, get `amountOff` off" (a full-reduction rebate); the best applicable rule wins. */
export interface RebateRule {
  readonly threshold: number;
  readonly amountOff: number;
}

export interface StandardPricingRules {
  readonly shippingFee: number;
  /** Merchandise worth at least this much (after discounts) ships free. */
  readonly freeShippingThreshold: number;
  readonly gifts: readonly GiftRule[];
  readonly rebates: readonly RebateRule[];
  /** Minor units one loyalty point is worth. */
  readonly pointValue: number;
  /** At most this percentage of the amount due may be paid with points. */
  readonly maxPointsPercent: number;
}

export const defaultPricingRules: StandardPricingRules = {
  shippingFee: 800,
  freeShippingThreshold: 9900,
  gifts: [],
  rebates: [],
  pointValue: 1,
  maxPointsPercent: 50,
};

const couponDiscountOf = (coupon: Coupon, base: number): number =>
  coupon.kind === 'fixed' ? Math.min(coupon.amountOff, base) : scaleDown(base, coupon.percentOff, 100);

/**
 * An amount past `Number.MAX_SAFE_INTEGER`, which no number counts exactly: priced anyway, the checkout
 * would store figures that do not add up, or are not integers at all. The refusal gives the exact figure, as
 * decimal text, since a number would round it.
 */
const amountTooLarge = (what: string, exact: bigint): DomainError =>
  domainError('AMOUNT_TOO_LARGE', `${what} would be ${exact}, more than the ${Number.MAX_SAFE_INTEGER} minor units an amount can be`, { amount: exact.toString() });

const bestRebate = (rules: readonly RebateRule[], base: number): number =>
  rules.reduce((best, rule) => (rule.threshold <= base ? Math.max(best, Math.min(rule.amountOff, base)) : best), 0);

/**
 * The standard policy: coupon on the subtotal, then the best rebate, then shipping (free above the threshold),
 * then points, capped at `maxPointsPercent` of what remains. Gifts go with every rule whose minimum the
 * subtotal reaches.
 */
const priceWith =
  (rules: StandardPricingRules): PricingPolicy =>
  (input) => {
    const lineTotals = input.lines.map((line) => line.unitPrice * line.quantity);
    const subtotal = lineTotals.reduce((sum, x) => sum + x, 0);
    // Each line total is at most the subtotal, so a safe subtotal means safe line totals.
    if (!Number.isSafeInteger(subtotal)) {
      // Summed again exactly, for the refusal to say what the figure would be.
      return E.left(amountTooLarge('the subtotal', input.lines.reduce((sum, line) => sum + BigInt(line.unitPrice) * BigInt(line.quantity), 0n)));
    }
    const { coupon } = input;
    if (coupon !== null && subtotal < coupon.minimumSpend) {
      return E.left(
        domainError('COUPON_MINIMUM_SPEND_NOT_MET', `coupon ${coupon.code} needs a spend of ${coupon.minimumSpend}, the selection is ${subtotal}`, {
          code: coupon.code,
          minimumSpend: coupon.minimumSpend,
          subtotal,
        }),
      );
    }
    const couponDiscount = coupon === null ? 0 : couponDiscountOf(coupon, subtotal);
    const afterCoupon = subtotal - couponDiscount;
    const rebateDiscount = bestRebate(rules.rebates, afterCoupon);
    const merchandise = afterCoupon - rebateDiscount;
    const shippingFee = merchandise >= rules.freeShippingThreshold ? 0 : rules.shippingFee;
    const payable = merchandise + shippingFee;
    if (!Number.isSafeInteger(payable)) return E.left(amountTooLarge('the amount payable', BigInt(merchandise) + BigInt(shippingFee)));
    // Points a shop values at nothing would be taken from the shopper's balance for nothing off.
    if (input.pointsToRedeem > 0 && rules.pointValue === 0) {
      return E.left(domainError('POINTS_NOT_ACCEPTED', `points are worth nothing here: redeem none (${input.pointsToRedeem} asked)`, { pointsToRedeem: input.pointsToRedeem }));
    }
    const pointsLimit = scaleDown(payable, rules.maxPointsPercent, 100);
    const pointsDiscount = input.pointsToRedeem * rules.pointValue;
    if (pointsDiscount > pointsLimit) {
      return E.left(
        domainError('POINTS_LIMIT_EXCEEDED', `${input.pointsToRedeem} points are worth ${pointsDiscount}, more than the ${pointsLimit} points may pay`, {
          pointsToRedeem: input.pointsToRedeem,
          pointsDiscount,
          pointsLimit,
        }),
      );
    }
    const total = payable - pointsDiscount;
    // The coupon and the rebate come off the goods alone, so a line's share is what its goods cost the
    // shopper (what a return of it gives back) and shipping keeps its fee; points pay for both in proportion.
    // Before points a line costs lineTotal × merchandise / subtotal: the weights are those times subtotal
    // (times 1 when it is 0, and so is every line).
    const perSubtotal = BigInt(Math.max(subtotal, 1));
    const shares = allocate(total, [...lineTotals.map((lineTotal) => BigInt(lineTotal) * BigInt(merchandise)), BigInt(shippingFee) * perSubtotal]);
    return E.right({
      currency: input.currency,
      lines: input.lines.map((line, i) => ({
        sku: line.sku,
        name: line.name,
        category: line.category,
        unitPrice: line.unitPrice,
        quantity: line.quantity,
        lineTotal: lineTotals[i] ?? 0,
        paidAmount: shares[i] ?? 0,
      })),
      subtotal,
      couponCode: coupon === null ? null : coupon.code,
      couponDiscount,
      rebateDiscount,
      shippingFee,
      shippingPaid: shares[lineTotals.length] ?? 0,
      gifts: rules.gifts.filter((rule) => rule.minimumSpend <= subtotal).map((rule) => rule.gift),
      pointsRedeemed: input.pointsToRedeem,
      pointsDiscount,
      total,
    });
  };

/** What standard rules must be for every checkout priced with them to add up; a host's typo shows at its first checkout. */
const StandardPricingRulesCodec = t.type({
  shippingFee: NonNegativeInteger,
  freeShippingThreshold: NonNegativeInteger,
  gifts: t.readonlyArray(t.type({ minimumSpend: NonNegativeInteger, gift: GiftLine })),
  rebates: t.readonlyArray(t.type({ threshold: NonNegativeInteger, amountOff: NonNegativeInteger })),
  pointValue: NonNegativeInteger,
  maxPointsPercent: t.refinement(NonNegativeInteger, (n) => n <= 100, 'a whole percentage, 0 to 100'),
});

/**
 * The standard rules as a policy. Rules that are not whole, non-negative amounts (a percentage above 100,
 * a gift's SKU with a space) would price checkouts that do not add up: each is refused instead, naming the
 * rule, as `PRICING_RULES_INVALID`.
 */
export const standardPricingPolicy = (rules: StandardPricingRules = defaultPricingRules): PricingPolicy => {
  const problem = shapeProblem(StandardPricingRulesCodec, rules, 'the rules');
  return problem === undefined ? priceWith(rules) : () => E.left(domainError('PRICING_RULES_INVALID', `the shop's pricing rules are not valid: ${problem}`, { reason: problem }));
};

/**
 * A priced checkout with the fields the codec declares and nothing else: a host's policy may hand back more
 * (its own notes, a buffer), which the order would otherwise store in its events for good.
 */
export const declaredPricing = (pricing: PricedCheckout): PricedCheckout => ({
  currency: pricing.currency,
  lines: pricing.lines.map(({ sku, name, category, unitPrice, quantity, lineTotal, paidAmount }) => ({ sku, name, category, unitPrice, quantity, lineTotal, paidAmount })),
  subtotal: pricing.subtotal,
  couponCode: pricing.couponCode,
  couponDiscount: pricing.couponDiscount,
  rebateDiscount: pricing.rebateDiscount,
  shippingFee: pricing.shippingFee,
  shippingPaid: pricing.shippingPaid,
  gifts: pricing.gifts.map(({ sku, name, category, quantity }) => ({ sku, name, category, quantity })),
  pointsRedeemed: pricing.pointsRedeemed,
  pointsDiscount: pricing.pointsDiscount,
  total: pricing.total,
});

/**
 * What a priced checkout says that the cart it priced does not: the order is placed from the pricing alone,
 * so a (host-written) policy must price the cart's selected lines as they are, in its currency, with no
 * coupon it does not hold and no more points than the shopper asked to redeem. Null when it agrees.
 */
export const pricingMismatch = (input: PricingInput, pricing: PricedCheckout): string | null => {
  if (pricing.currency !== input.currency) return `the checkout is priced in ${pricing.currency}, the cart is in ${input.currency}`;
  const selected = new Map(input.lines.map((line) => [line.sku, line]));
  const sameLines =
    pricing.lines.length === selected.size &&
    pricing.lines.every((line) => {
      const asInCart = selected.get(line.sku);
      return (
        asInCart !== undefined &&
        asInCart.name === line.name &&
        asInCart.category === line.category &&
        asInCart.unitPrice === line.unitPrice &&
        asInCart.quantity === line.quantity
      );
    });
  if (!sameLines) return "the priced lines are not the cart's selected lines, with their names, categories, prices and quantities";
  if (pricing.couponCode !== null && pricing.couponCode !== input.coupon?.code) return `coupon ${pricing.couponCode} is not the cart's`;
  if (pricing.pointsRedeemed > input.pointsToRedeem) return `${pricing.pointsRedeemed} points are redeemed, ${input.pointsToRedeem} were asked for`;
  return null;
};

/**
 * Whether a priced checkout adds up: line totals, subtotal, discounts no larger than what they discount,
 * and the amount due split exactly over the lines and shipping; null when it does, else why not. Orders
 * placed without a cart are checked with this, since their prices come from outside the engine. In BigInt:
 * each figure is a safe integer, but their sums and products need not be, and in floating point one minor
 * unit could go missing.
 */
export const pricingInconsistency = (pricing: PricedCheckout): string | null => {
  const exact = BigInt;
  const lineTotalsAdd = pricing.lines.every((line) => exact(line.lineTotal) === exact(line.unitPrice) * exact(line.quantity));
  if (!lineTotalsAdd) return 'a line total is not unit price × quantity';
  const subtotal = pricing.lines.reduce((sum, line) => sum + exact(line.lineTotal), 0n);
  if (subtotal !== exact(pricing.subtotal)) return 'the subtotal is not the sum of the line totals';
  const discounts = exact(pricing.couponDiscount) + exact(pricing.rebateDiscount);
  if (discounts > subtotal) return 'the discounts exceed the subtotal';
  const payable = subtotal - discounts + exact(pricing.shippingFee);
  if (exact(pricing.pointsDiscount) > payable) return 'the points discount exceeds the amount payable';
  if (exact(pricing.total) !== payable - exact(pricing.pointsDiscount)) return 'the total is not subtotal − discounts + shipping − points';
  const shares = pricing.lines.reduce((sum, line) => sum + exact(line.paidAmount), exact(pricing.shippingPaid));
  if (shares !== exact(pricing.total)) return 'the paid shares of the lines and shipping do not add up to the total';
  if (pricing.lines.some((line) => line.paidAmount > line.lineTotal)) return 'a line is charged more than its total';
  if (pricing.shippingPaid > pricing.shippingFee) return 'shipping is charged more than its fee';
  if (pricing.lines.length === 0) return 'an order needs at least one line';
  // After-sales requests name lines by SKU: a second line of one SKU could never be returned.
  if (new Set(pricing.lines.map((line) => line.sku)).size !== pricing.lines.length) return 'a SKU appears on more than one line';
  return null;
};
