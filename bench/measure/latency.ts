/** Per-command latency percentiles, in microseconds. */
export interface LatencyPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Durations in a buffer allocated up front, so that recording allocates nothing while the clock runs. */
export class LatencyRecorder {
  private readonly durations: Float64Array;
  private count = 0;

  constructor(capacity: number) {
    this.durations = new Float64Array(capacity);
  }

  /** One duration in milliseconds, as `performance.now()` differences give them. */
  record(milliseconds: number): void {
    this.durations[this.count] = milliseconds;
    this.count += 1;
  }

  /** What was recorded, in milliseconds, in the order it was recorded. */
  recorded(): Float64Array {
    return this.durations.subarray(0, this.count);
  }
}

/**
 * Nearest-rank percentiles of every duration (milliseconds) recorded by one or more repetitions of a job,
 * taken together: a repetition's percentiles cannot be averaged into those of the whole.
 */
export const latencyPercentiles = (recorded: readonly Float64Array[]): LatencyPercentiles => {
  const all = new Float64Array(recorded.reduce((length, durations) => length + durations.length, 0));
  let offset = 0;
  for (const durations of recorded) {
    all.set(durations, offset);
    offset += durations.length;
  }
  const sorted = all.sort();
  const at = (fraction: number): number => {
    if (sorted.length === 0) return 0;
    const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
    return (sorted[rank - 1] ?? 0) * 1000;
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
};
