import { compareCodePoints } from '../read-model-rules';
import type { CategoryUnits, CustomerPurchases, FactLine, PricesPaid } from './documents';
import { emptyPriceHistogram, priceBucketOf } from './price-histogram';
import { hourOfDay } from './time-buckets';

/**
 * The categories kept per customer. A catalogue has few categories, so this is rarely reached; when it is,
 * the category with the fewest units goes, which keeps every update bounded at the cost of forgetting a
 * long-unloved category's past units should it come back.
 */
export const MAX_CATEGORIES = 32;

export const noPurchases = (customerId: string): CustomerPurchases => ({
  customerId,
  ordersPaid: 0,
  unitsBought: 0,
  categories: [],
  prices: [],
  hours: new Array<number>(24).fill(0),
});

const byUnits = (a: CategoryUnits, b: CategoryUnits): number => b.units - a.units || compareCodePoints(a.category, b.category);

/** `prices` after `lines` were bought in `currency`. */
const withPrices = (prices: readonly PricesPaid[], currency: string, lines: readonly FactLine[]): readonly PricesPaid[] => {
  const before = prices.find((p) => p.currency === currency) ?? { currency, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, histogram: emptyPriceHistogram() };
  const histogram = [...before.histogram];
  let { min, max } = before;
  for (const line of lines) {
    const bucket = priceBucketOf(line.unitPrice);
    histogram[bucket] = (histogram[bucket] ?? 0) + line.quantity;
    min = Math.min(min, line.unitPrice);
    max = Math.max(max, line.unitPrice);
  }
  const after: PricesPaid = { currency, min, max, histogram };
  return [...prices.filter((p) => p.currency !== currency), after].sort((a, b) => compareCodePoints(a.currency, b.currency));
};

/** The profile after one more paid order of `lines`, paid at `paidAt` in `currency`. */
export const withPurchase = (profile: CustomerPurchases, lines: readonly FactLine[], paidAt: number, currency: string): CustomerPurchases => {
  const categories = new Map(profile.categories.map((c) => [c.category, c.units]));
  let units = 0;
  for (const line of lines) {
    units += line.quantity;
    categories.set(line.category, (categories.get(line.category) ?? 0) + line.quantity);
  }
  const hour = hourOfDay(paidAt);
  return {
    ...profile,
    ordersPaid: profile.ordersPaid + 1,
    unitsBought: profile.unitsBought + units,
    categories: [...categories].map(([category, n]) => ({ category, units: n })).sort(byUnits).slice(0, MAX_CATEGORIES),
    prices: lines.length === 0 ? profile.prices : withPrices(profile.prices, currency, lines),
    hours: profile.hours.map((count, h) => (h === hour ? count + 1 : count)),
  };
};
