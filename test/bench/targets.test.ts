import { figuresOf } from '../../bench/figures';
import type { JobResult, JobSpec } from '../../bench/jobs';
import { checkTargets } from '../../bench/targets';
import { POSTGRES_READ_MODELS } from '../../bench/workloads/projection-apply';

const result = (operations: number, seconds: number, machineCpuSeconds: number | null, unit: JobResult['unit']): JobResult => ({
  operations,
  seconds,
  cpuSeconds: seconds,
  machineCpuSeconds,
  latency: null,
  conflictRetries: null,
  details: {},
  repetitions: 1,
  unit,
  perSecond: operations / seconds,
  perCpuSecond: operations / seconds,
  peakRssMiB: 100,
});

const targetsOf = (runs: readonly (readonly [JobSpec, readonly JobResult[]])[], cores: number) =>
  checkTargets(
    figuresOf(
      runs.map(([spec]) => spec),
      new Map(runs),
    ),
    cores,
  );

describe('checkTargets', () => {
  const projectionApply: JobSpec = { workload: 'projection-apply', subject: 'engine', configuration: 'memory', scale: 10_000, writers: 1, projection: POSTGRES_READ_MODELS };

  it('says when the cores could not reach the target at the CPU cost measured on the whole machine', () => {
    // 170,000 events in 10 s, the machine busy for 13.6 CPU-seconds: 80 µs an event, so 2 cores allow at most 25,000 a second.
    const [check] = targetsOf([[projectionApply, [result(170_000, 10, 13.6, 'events')]]], 2);
    expect(check?.met).toBe(false);
    expect(check?.measured).toBe(
      "17,000 events/s (17,000 per CPU-second); the machine's CPU per event: 80.0 µs, so its 2 cores allow at most 25,000 a second, under the 30,000 asked: it needs a cheaper event",
    );
  });

  it('says nothing of the machine when its CPU could not be read', () => {
    const [check] = targetsOf([[projectionApply, [result(170_000, 10, null, 'events')]]], 2);
    expect(check?.measured).toBe('17,000 events/s (17,000 per CPU-second)');
  });

  it('asks a ratio target for its ratio of the baseline, and says when CPU is not what holds it back', () => {
    const engine: JobSpec = { workload: 'w1', subject: 'engine', configuration: 'postgres-1', scale: 1_000, writers: 1 };
    const raw: JobSpec = { ...engine, subject: 'baseline' };
    const [check] = targetsOf(
      [
        [engine, [result(10_000, 5, 2.5, 'commands')]],
        [raw, [result(10_000, 2.5, 1.2, 'commands')]],
      ],
      2,
    );
    expect(check?.target).toContain('PostgreSQL, 1 writer, W1 ≥ 0.8×');
    // 0.8× the baseline's 4,000 commands/s is 3,200 asked; 250 µs a command allows 8,000 on 2 cores.
    expect(check?.measured).toBe(
      "0.500× (2,000 commands/s; per CPU-second: 0.500×); the machine's CPU per command: 250 µs (the baseline's: 120 µs), so its 2 cores allow at most 8,000 a second, over the 3,200 asked: CPU is not what holds it back",
    );
  });
});
