import { configurations } from './configurations';
import type { JobSpec, Subject, Workload } from './jobs';
import { projectionApplyRunners } from './workloads/projection-apply';

/** The hot-stream variant of W2 always runs with this many concurrent writers, whatever the store. */
export const HOT_STREAM_WRITERS = 8;

export interface BenchPlan {
  readonly kind: 'full' | 'smoke';
  readonly runs: number;
  readonly jobs: readonly JobSpec[];
}

interface Scales {
  readonly w1Carts: readonly number[];
  readonly w2Orders: number;
  readonly replayCarts: number;
}

/** bench-workload.md's scaling runs; W2 at the default scale; replay of the largest W1 store (1.1 million events). */
const FULL: Scales = { w1Carts: [1_000, 10_000, 100_000], w2Orders: 10_000, replayCarts: 100_000 };
/** Just enough to run every path end to end: 200 orders give the hot variant its 1% (2 orders). */
const SMOKE: Scales = { w1Carts: [200], w2Orders: 200, replayCarts: 200 };

const bothSubjects = (spec: Omit<JobSpec, 'subject'>): JobSpec[] =>
  (['engine', 'baseline'] as const satisfies readonly Subject[]).map((subject) => ({ ...spec, subject }));

export const benchPlan = (kind: BenchPlan['kind'], runs: number): BenchPlan => {
  const scales = kind === 'full' ? FULL : SMOKE;
  const jobs: JobSpec[] = [];
  for (const configuration of configurations) {
    const on = (workload: Workload, scale: number, writers = configuration.writers): Omit<JobSpec, 'subject'> => ({
      workload,
      configuration: configuration.name,
      scale,
      writers,
    });
    for (const carts of scales.w1Carts) jobs.push(...bothSubjects(on('w1', carts)));
    jobs.push(...bothSubjects(on('w2', scales.w2Orders)));
    jobs.push(...bothSubjects(on('w2-hot', scales.w2Orders, HOT_STREAM_WRITERS)));
    jobs.push(...bothSubjects(on('replay', scales.replayCarts)));
    // Projection apply measures the read-model stores, so it reads from the in-memory event store only:
    // another event store would add its own reading cost to every row.
    if (configuration.name === 'memory') {
      for (const runner of projectionApplyRunners) {
        jobs.push({ ...on('projection-apply', scales.w2Orders), subject: 'engine', projection: runner.name });
      }
    }
  }
  return { kind, runs, jobs };
};
