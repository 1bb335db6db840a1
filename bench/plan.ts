import { configurations, type WorkloadScales } from './configurations';
import { WORKLOADS, type JobSpec, type Subject, type Workload } from './jobs';
import { projectionApplyRunners } from './workloads/projection-apply';

/** The hot-stream variant of W2 always runs with this many concurrent writers, whatever the store. */
export const HOT_STREAM_WRITERS = 8;

export interface BenchPlan {
  readonly kind: 'full' | 'smoke';
  readonly runs: number;
  readonly jobs: readonly JobSpec[];
}

/** bench-workload.md's scaling runs; W2 at the default scale; replay of the largest W1 store (1.1 million events). */
const FULL: WorkloadScales = { w1Carts: [1_000, 10_000, 100_000], w2Orders: 10_000, replayCarts: 100_000, guaranteeCarts: 10_000 };
/**
 * In a full run, each pass of a job runs its workload until its timed parts add up to this (see JobSpec): the
 * shortest jobs (W1 at 1,000 carts, the plain `Map` below 100,000 carts) would otherwise be timed over a few
 * milliseconds. A smoke run checks paths, not speed, and runs each workload once.
 */
export const FULL_MINIMUM_SECONDS = 1;

/** Just enough to run every path end to end: 200 orders give the hot variant its 1% (2 orders). */
const SMOKE: WorkloadScales = { w1Carts: [200], w2Orders: 200, replayCarts: 200, guaranteeCarts: 200 };

const bothSubjects = (spec: Omit<JobSpec, 'subject'>): JobSpec[] =>
  (['engine', 'baseline'] as const satisfies readonly Subject[]).map((subject) => ({ ...spec, subject }));

/** Part of a plan: only these workloads, only on these configurations (by name); all when absent. */
export interface PlanFilter {
  readonly workloads?: readonly Workload[];
  readonly configurations?: readonly string[];
}

export const benchPlan = (kind: BenchPlan['kind'], runs: number, filter: PlanFilter = {}): BenchPlan => {
  const jobs: JobSpec[] = [];
  for (const configuration of configurations) {
    if (filter.configurations !== undefined && !filter.configurations.includes(configuration.name)) continue;
    const scales: WorkloadScales = { ...(kind === 'full' ? FULL : SMOKE), ...configuration.scales?.[kind] };
    const measures = (workload: Workload): boolean =>
      (configuration.workloads ?? WORKLOADS).includes(workload) && (filter.workloads ?? WORKLOADS).includes(workload);
    const on = (workload: Workload, scale: number, writers = configuration.writers): Omit<JobSpec, 'subject'> => ({
      workload,
      configuration: configuration.name,
      scale,
      writers,
      ...(kind === 'full' ? { minimumSeconds: FULL_MINIMUM_SECONDS } : {}),
    });
    if (measures('w1')) for (const carts of scales.w1Carts) jobs.push(...bothSubjects(on('w1', carts)));
    if (measures('w2')) jobs.push(...bothSubjects(on('w2', scales.w2Orders)));
    if (measures('w2-hot')) jobs.push(...bothSubjects(on('w2-hot', scales.w2Orders, HOT_STREAM_WRITERS)));
    if (measures('replay')) jobs.push(...bothSubjects(on('replay', scales.replayCarts)));
    // The guarantees' own costs depend on the command path, not on the store: measured once, beside W1 in memory.
    if (configuration.name === 'memory' && measures('guarantees')) jobs.push({ ...on('guarantees', scales.guaranteeCarts), subject: 'engine' });
    // Projection apply measures the read-model stores, so it reads from the in-memory event store only:
    // another event store would add its own reading cost to every row.
    if (configuration.name === 'memory' && measures('projection-apply')) {
      for (const runner of projectionApplyRunners) {
        jobs.push({ ...on('projection-apply', scales.w2Orders), subject: 'engine', projection: runner.name });
      }
    }
  }
  return { kind, runs, jobs };
};
