import { figuresOf } from '../../bench/figures';
import type { JobResult, JobSpec } from '../../bench/jobs';
import { projectionApplyStatus, renderTextReport, type BenchReport } from '../../bench/output/report';
import { checkTargets, type TargetCheck } from '../../bench/targets';
import { MEMORY_READ_MODELS, POSTGRES_READ_MODELS } from '../../bench/workloads/projection-apply';

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

  it('judges each round of the run on its own: the engine run against the baseline run of the same round', () => {
    const engine: JobSpec = { workload: 'w1', subject: 'engine', configuration: 'postgres-1', scale: 1_000, writers: 1 };
    const raw: JobSpec = { ...engine, subject: 'baseline' };
    // Medians 2,000 against 2,400: 0.833×, met. Round by round: 1,700/3,600, 2,000/2,200 and 2,200/2,400.
    const [check] = targetsOf(
      [
        [engine, [result(1_700, 1, null, 'commands'), result(2_000, 1, null, 'commands'), result(2_200, 1, null, 'commands')]],
        [raw, [result(3_600, 1, null, 'commands'), result(2_200, 1, null, 'commands'), result(2_400, 1, null, 'commands')]],
      ],
      2,
    );
    expect(check?.met).toBe(true);
    expect(check?.rounds).toEqual([
      { measured: '0.472×', met: false },
      { measured: '0.909×', met: true },
      { measured: '0.917×', met: true },
    ]);
  });

  it('judges a rate target round by round on each run of the figure', () => {
    const [check] = targetsOf([[projectionApply, [result(31_000, 1, null, 'events'), result(29_000, 1, null, 'events'), result(32_000, 1, null, 'events')]]], 2);
    expect(check?.met).toBe(true);
    expect(check?.rounds.map((round) => round.met)).toEqual([true, false, true]);
  });

  it('judges the scaling target on the two scales of the same round', () => {
    const at = (scale: number): JobSpec => ({ workload: 'w1', subject: 'engine', configuration: 'memory', scale, writers: 1 });
    const [, scaling] = targetsOf(
      [
        [at(10_000), [result(60_000, 1, null, 'commands'), result(50_000, 1, null, 'commands')]],
        [at(100_000), [result(45_000, 1, null, 'commands'), result(45_000, 1, null, 'commands')]],
        [{ ...at(10_000), subject: 'baseline' }, [result(600_000, 1, null, 'commands'), result(600_000, 1, null, 'commands')]],
      ],
      2,
    );
    expect(scaling?.target).toContain('100,000 carts');
    expect(scaling?.rounds).toEqual([
      { measured: '0.750×', met: false },
      { measured: '0.900×', met: true },
    ]);
  });
});

describe('the report of a full run', () => {
  const reportWith = (targets: readonly TargetCheck[]): BenchReport => ({
    generatedAt: '2026-12-06T00:00:00.000Z',
    command: 'npm run bench',
    kind: 'full',
    runsPerFigure: 3,
    environment: { node: 'v20', platform: 'linux x64', cpuModel: 'cpu', cpus: 2, memoryGiB: 4, commit: 'abc1234', loadAverage: { atStart: 1, atEnd: 1 } },
    figures: [],
    targets,
    projectionApply: { status: 'measured', note: '' },
    skipped: [],
  });

  it('prints beside each target its figure in every round and in how many rounds it was met', () => {
    const text = renderTextReport(
      reportWith([
        {
          target: 'a target',
          measured: '0.818×',
          met: true,
          rounds: [
            { measured: '0.472×', met: false },
            { measured: '0.909×', met: true },
            { measured: '0.790×', met: false },
          ],
        },
      ]),
    );
    expect(text.split('\n')).toContain('  met     a target: 0.818×; round by round: 0.472×, 0.909×, 0.790×, met in 1 of 3');
  });

  it('prints no rounds for a run of one round', () => {
    const text = renderTextReport(reportWith([{ target: 'a target', measured: '0.2×', met: false, rounds: [{ measured: '0.2×', met: false }] }]));
    expect(text.split('\n')).toContain('  MISSED  a target: 0.2×');
  });
});

describe('projectionApplyStatus', () => {
  it('names only the runners this run measured', () => {
    const spec = (projection: string): JobSpec => ({ workload: 'projection-apply', subject: 'engine', configuration: 'memory', scale: 10, writers: 1, projection });
    const w1: JobSpec = { workload: 'w1', subject: 'engine', configuration: 'memory', scale: 10, writers: 1 };
    const figures = (specs: readonly JobSpec[]) => figuresOf(specs, new Map(specs.map((s) => [s, [result(100, 1, null, s.workload === 'w1' ? 'commands' : 'events')]])));
    expect(projectionApplyStatus(figures([spec(MEMORY_READ_MODELS)]))).toEqual({ status: 'measured', note: `runners: ${MEMORY_READ_MODELS}` });
    expect(projectionApplyStatus(figures([w1]))).toEqual({ status: 'not-measured', note: 'not measured in this run' });
  });
});
