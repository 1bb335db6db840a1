import { baselineLabels, configurationNamed } from './configurations';
import type { JobResult, JobSpec } from './jobs';
import type { LatencyPercentiles } from './measure/latency';
import { Spread, spreadOf } from './measure/statistics';

/** Every run of one job, summarised: what the report prints and the JSON keeps. */
export interface Figure {
  readonly spec: JobSpec;
  /** The configuration's label, or its baseline's. */
  readonly label: string;
  readonly unit: JobResult['unit'];
  readonly runs: readonly JobResult[];
  /** Operations per wall-clock second. */
  readonly perSecond: Spread;
  /** Operations per CPU-second of the measuring process: steadier when the machine is shared. */
  readonly perCpuSecond: Spread;
  /** The median, over the runs, of each percentile. */
  readonly latencyMicros: LatencyPercentiles | null;
  /**
   * Microseconds of the whole machine's CPU time per operation, a local database server's included; null
   * where the runs could not read it. The machine's cores cannot do more than cores / this per second.
   */
  readonly machineCpuMicros: Spread | null;
  /** The highest of the runs. */
  readonly peakRssMiB: number;
  readonly conflictRetries: Spread | null;
  /** Retries per command handled, median over the runs. */
  readonly conflictRetryRate: number | null;
  /** Engine figures: the median divided by the baseline's median, measured in the same bench run. */
  readonly baselineRatio: number | null;
  /** The same ratio on the per-CPU-second medians. */
  readonly cpuBaselineRatio: number | null;
  /**
   * Engine figures: each run divided by the baseline's run of the same round (a full run measures every job
   * once, then every job again, so the two ran minutes apart at most), in the order run. How far these
   * differ is how far the ratio can be trusted on a shared machine.
   */
  readonly roundRatios: readonly number[] | null;
}

const sameMeasurement = (a: JobSpec, b: JobSpec): boolean =>
  a.workload === b.workload && a.configuration === b.configuration && a.scale === b.scale && a.writers === b.writers && a.projection === b.projection;

/** The baseline measured beside an engine figure in the same run, if any (none for a baseline itself). */
export const baselineOf = <F extends { readonly spec: JobSpec }>(figures: readonly F[], figure: F): F | undefined =>
  figure.spec.subject === 'baseline' ? undefined : figures.find((other) => other.spec.subject === 'baseline' && sameMeasurement(other.spec, figure.spec));

const labelOf = (spec: JobSpec): string => {
  const configuration = configurationNamed(spec.configuration);
  if (configuration === undefined) return spec.configuration;
  return spec.subject === 'baseline' ? baselineLabels[configuration.baseline] : configuration.label;
};

/** `numerators[i] / denominators[i]` for every round both have run, in order. */
export const roundByRound = (numerators: readonly JobResult[], denominators: readonly JobResult[]): number[] =>
  numerators.slice(0, denominators.length).map((run, round) => run.perSecond / (denominators[round] as JobResult).perSecond);

const summarise = (spec: JobSpec, runs: readonly JobResult[]): Omit<Figure, 'baselineRatio' | 'cpuBaselineRatio' | 'roundRatios'> => {
  const latencies = runs.map((r) => r.latency).filter((l): l is LatencyPercentiles => l !== null);
  const retries = runs.map((r) => r.conflictRetries).filter((n): n is number => n !== null);
  const machineCpuMicros = runs.flatMap((r) => (r.machineCpuSeconds === null ? [] : [(r.machineCpuSeconds / r.operations) * 1e6]));
  return {
    spec,
    label: labelOf(spec),
    unit: runs[0]?.unit ?? 'commands',
    runs,
    perSecond: spreadOf(runs.map((r) => r.perSecond)),
    perCpuSecond: spreadOf(runs.map((r) => r.perCpuSecond)),
    latencyMicros:
      latencies.length === 0
        ? null
        : { p50: spreadOf(latencies.map((l) => l.p50)).median, p95: spreadOf(latencies.map((l) => l.p95)).median, p99: spreadOf(latencies.map((l) => l.p99)).median },
    machineCpuMicros: machineCpuMicros.length === 0 ? null : spreadOf(machineCpuMicros),
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
    conflictRetries: retries.length === 0 ? null : spreadOf(retries),
    conflictRetryRate: retries.length === 0 ? null : spreadOf(runs.map((r) => (r.conflictRetries ?? 0) / r.operations)).median,
  };
};

/** Groups the results of every run by job and sets each engine figure beside its baseline. */
export const figuresOf = (jobs: readonly JobSpec[], results: ReadonlyMap<JobSpec, readonly JobResult[]>): Figure[] => {
  const summaries = jobs.flatMap((spec) => {
    const runs = results.get(spec) ?? [];
    return runs.length === 0 ? [] : [summarise(spec, runs)];
  });
  return summaries.map((figure) => {
    const baseline = baselineOf(summaries, figure);
    return {
      ...figure,
      baselineRatio: baseline === undefined ? null : figure.perSecond.median / baseline.perSecond.median,
      cpuBaselineRatio: baseline === undefined ? null : figure.perCpuSecond.median / baseline.perCpuSecond.median,
      roundRatios: baseline === undefined ? null : roundByRound(figure.runs, baseline.runs),
    };
  });
};
