/**
 * Unit prices bought, counted in a fixed set of buckets (1-2-5 steps: [0,1), [1,2), [2,5), [5,10), …, [10¹³,∞)
 * minor units), so that a customer's "usual price range" costs the same to keep after ten purchases or ten
 * thousand.
 */
export const PRICE_BOUNDS: readonly number[] = (() => {
  const bounds: number[] = [];
  for (let decade = 1; decade <= 1e12; decade *= 10) bounds.push(decade, 2 * decade, 5 * decade);
  bounds.push(1e13);
  return bounds;
})();

export const PRICE_BUCKETS = PRICE_BOUNDS.length + 1;

export const emptyPriceHistogram = (): readonly number[] => new Array<number>(PRICE_BUCKETS).fill(0);

export const priceBucketOf = (price: number): number => {
  let bucket = 0;
  while (bucket < PRICE_BOUNDS.length && price >= (PRICE_BOUNDS[bucket] as number)) bucket += 1;
  return bucket;
};

export interface PriceRange {
  /** Inclusive, minor units. */
  readonly from: number;
  /** Exclusive; null for the top bucket. */
  readonly below: number | null;
}

export const bucketRange = (bucket: number): PriceRange => ({ from: bucket === 0 ? 0 : (PRICE_BOUNDS[bucket - 1] as number), below: PRICE_BOUNDS[bucket] ?? null });

/** The bucket holding the median unit bought, or undefined when nothing was bought. */
export const medianBucket = (histogram: readonly number[]): number | undefined => {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  if (total === 0) return undefined;
  let seen = 0;
  for (let bucket = 0; bucket < histogram.length; bucket += 1) {
    seen += histogram[bucket] as number;
    if (seen * 2 >= total) return bucket;
  }
  return histogram.length - 1;
};
