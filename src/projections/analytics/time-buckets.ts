export type Granularity = 'day' | 'hour';

export const GRANULARITIES: readonly Granularity[] = ['day', 'hour'];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const SIZE_MS: Readonly<Record<Granularity, number>> = { day: DAY_MS, hour: HOUR_MS };

/** The start (UTC, epoch milliseconds) of the day or hour that `at` falls in. */
export const bucketStart = (granularity: Granularity, at: number): number => at - (at % SIZE_MS[granularity]);

/** 0–23, in UTC. */
export const hourOfDay = (at: number): number => Math.floor((at % DAY_MS) / HOUR_MS);
