import { LatencyRecorder, latencyPercentiles } from '../../bench/measure/latency';

const recorded = (...milliseconds: number[]): Float64Array => {
  const recorder = new LatencyRecorder(milliseconds.length + 3);
  for (const duration of milliseconds) recorder.record(duration);
  return recorder.recorded();
};

describe('latency percentiles', () => {
  it('keeps only what was recorded, in order, however large the buffer', () => {
    expect(Array.from(recorded(3, 1, 2))).toEqual([3, 1, 2]);
  });

  it('takes nearest-rank percentiles in microseconds', () => {
    const durations = Array.from({ length: 100 }, (_, i) => (100 - i) / 1000);
    expect(latencyPercentiles([recorded(...durations)])).toEqual({ p50: 50, p95: 95, p99: 99 });
  });

  it('ranks the repetitions of a job together, not each on its own', () => {
    // Alone, the first repetition's p50 is 1 µs and the second's 100 µs; together, the slow half decides p95.
    const fast = recorded(...Array.from({ length: 60 }, () => 0.001));
    const slow = recorded(...Array.from({ length: 40 }, () => 0.1));
    expect(latencyPercentiles([fast, slow])).toEqual({ p50: 1, p95: 100, p99: 100 });
  });

  it('gives zeros when nothing was recorded', () => {
    expect(latencyPercentiles([])).toEqual({ p50: 0, p95: 0, p99: 0 });
  });
});
