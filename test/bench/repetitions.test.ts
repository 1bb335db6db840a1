import type { Measurement } from '../../bench/jobs';
import { addRepetitions } from '../../bench/measure/repetitions';

const run = (seconds: number, machineCpuSeconds: number | null, conflictRetries: number | null = null): Measurement => ({
  operations: 100,
  seconds,
  cpuSeconds: seconds / 2,
  machineCpuSeconds,
  latency: Float64Array.of(seconds),
  conflictRetries,
  details: { streams: 10 },
});

describe('adding up the repetitions of a workload', () => {
  it('sums counts and times, keeps every repetition’s latencies and the first one’s details', () => {
    const added = addRepetitions([run(0.5, 0.8, 1), run(0.25, 0.4, 2)]);

    expect(added).toMatchObject({ operations: 200, seconds: 0.75, cpuSeconds: 0.375, conflictRetries: 3, details: { streams: 10 }, repetitions: 2 });
    expect(added.machineCpuSeconds).toBeCloseTo(1.2);
    expect(added.latencies.map((latencies) => Array.from(latencies))).toEqual([[0.5], [0.25]]);
  });

  it('counts a repetition too short for a clock tick at the rate of the others', () => {
    // 0.8 machine-seconds over 0.5 s is 1.6 a second; the 0.005 s repetition with no reading adds 0.008.
    expect(addRepetitions([run(0.5, 0.8), run(0.005, null)]).machineCpuSeconds).toBeCloseTo(0.808);
  });

  it('has no machine CPU when no repetition could read it, and no conflict count where a run has none', () => {
    const added = addRepetitions([run(0.005, null), run(0.005, null, 4)]);

    expect(added.machineCpuSeconds).toBeNull();
    expect(added.conflictRetries).toBeNull();
  });
});
