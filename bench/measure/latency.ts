/** Per-command latency percentiles, in microseconds. */
export interface LatencyPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Durations in a buffer allocated up front, so that recording allocates nothing while the clock runs. */
export class LatencyRecorder {
  private readonly samples: Float64Array;
  private count = 0;

  constructor(capacity: number) {
    this.samples = new Float64Array(capacity);
  }

  /** One duration in milliseconds, as `performance.now()` differences give them. */
  record(milliseconds: number): void {
    this.samples[this.count] = milliseconds;
    this.count += 1;
  }

  /** Nearest-rank percentiles of what was recorded. */
  percentiles(): LatencyPercentiles {
    const sorted = this.samples.subarray(0, this.count).sort();
    const at = (fraction: number): number => {
      if (sorted.length === 0) return 0;
      const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
      return (sorted[rank - 1] ?? 0) * 1000;
    };
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
  }
}
