/** A count or duration option as a whole number of at least 1; the fallback when it is not a finite number. */
export const wholeAtLeastOne = (value: number | undefined, fallback: number): number =>
  value !== undefined && Number.isFinite(value) ? Math.max(1, Math.floor(value)) : fallback;
