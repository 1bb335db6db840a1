import { compareCodePoints } from '../read-model-rules';
import type { CategoryUnits, CustomerPurchases, FactLine } from './documents';
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
  priceMin: null,
  priceMax: null,
  priceHistogram: emptyPriceHistogram(),
  hours: new Array<number>(24).fill(0),
});

const byUnits = (a: CategoryUnits, b: CategoryUnits): number => b.units - a.units || compareCodePoints(a.category, b.category);

/** The profile after one more paid order of `lines`, paid at `paidAt`. */
export const withPurchase = (profile: CustomerPurchases, lines: readonly FactLine[], paidAt: number): CustomerPurchases => {
  const categories = new Map(profile.categories.map((c) => [c.category, c.units]));
  const histogram = [...profile.priceHistogram];
  let { priceMin, priceMax } = profile;
  let units = 0;
  for (const line of lines) {
    units += line.quantity;
    categories.set(line.category, (categories.get(line.category) ?? 0) + line.quantity);
    const bucket = priceBucketOf(line.unitPrice);
    histogram[bucket] = (histogram[bucket] ?? 0) + line.quantity;
    priceMin = priceMin === null ? line.unitPrice : Math.min(priceMin, line.unitPrice);
    priceMax = priceMax === null ? line.unitPrice : Math.max(priceMax, line.unitPrice);
  }
  const hour = hourOfDay(paidAt);
  return {
    ...profile,
    ordersPaid: profile.ordersPaid + 1,
    unitsBought: profile.unitsBought + units,
    categories: [...categories].map(([category, n]) => ({ category, units: n })).sort(byUnits).slice(0, MAX_CATEGORIES),
    priceMin,
    priceMax,
    priceHistogram: histogram,
    hours: profile.hours.map((count, h) => (h === hour ? count + 1 : count)),
  };
};
