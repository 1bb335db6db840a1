import { ConfigurationScales, configurations } from './configurations';
import type { JobSpec, Subject, Workload } from './jobs';
import { projectionApplyRunners } from './workloads/projection-apply';

/** The hot-stream variant of W2 always runs with this many concurrent writers, whatever the store. */
export const HOT_STREAM_WRITERS = 8;

export interface BenchPlan {
  readonly kind: 'full' | 'smoke';
  readonly runs: number;
  readonly jobs: readonly JobSpec[];
}

/** bench-workload.md's scaling runs; W2 at the default scale; replay of the largest W1 store (1.1 million events). */
const FULL: ConfigurationScales = { w1Carts: [1_000, 10_000, 100_000], w2Orders: 10_000, replayCarts: 100_000, projectionApplyCarts: 100_000 };
/** Just enough to run every path end to end: 200 orders give the hot variant its 1% (2 orders). */
const SMOKE: ConfigurationScales = { w1Carts: [200], w2Orders: 200, replayCarts: 200, projectionApplyCarts: 200 };

const bothSubjects = (spec: Omit<JobSpec, 'subject'>): JobSpec[] =>
  (['engine', 'baseline'] as const satisfies readonly Subject[]).map((subject) => ({ ...spec, subject }));

export const benchPlan = (kind: BenchPlan['kind'], runs: number): BenchPlan => {
  const jobs: JobSpec[] = [];
  for (const configuration of configurations) {
    const scales = configuration.scales?.[kind] ?? (kind === 'full' ? FULL : SMOKE);
    const on = (workload: Workload, scale: number, writers = configuration.writers): Omit<JobSpec, 'subject'> => ({
      workload,
      configuration: configuration.name,
      scale,
      writers,
    });
    for (const carts of scales.w1Carts) jobs.push(...bothSubjects(on('w1', carts)));
    if (scales.w2Orders !== null) {
      jobs.push(...bothSubjects(on('w2', scales.w2Orders)));
      jobs.push(...bothSubjects(on('w2-hot', scales.w2Orders, HOT_STREAM_WRITERS)));
    }
    if (scales.replayCarts !== null) jobs.push(...bothSubjects(on('replay', scales.replayCarts)));
    const { projectionApplyCarts } = scales;
    if (projectionApplyCarts !== null) {
      for (const runner of projectionApplyRunners) jobs.push({ ...on('projection-apply', projectionApplyCarts), subject: 'engine', projection: runner.name });
    }
  }
  return { kind, runs, jobs };
};
