import type { LatencyPercentiles } from './measure/latency';
import type { Elapsed } from './measure/stopwatch';

/**
 * What a run measures: the reference workloads of bench-workload.md, replay, projection apply, and the cost of
 * each of the command path's guarantees measured alone.
 */
export const WORKLOADS = ['w1', 'w2', 'w2-hot', 'replay', 'projection-apply', 'guarantees'] as const;
export type Workload = (typeof WORKLOADS)[number];

/** `engine`: through the library's public path; `baseline`: the same decisions with no library. */
export type Subject = 'engine' | 'baseline';

/** One measurement, run in a fresh process. */
export interface JobSpec {
  readonly workload: Workload;
  readonly subject: Subject;
  /** The name of a store configuration (configurations.ts); a baseline names the configuration it is beside. */
  readonly configuration: string;
  /** Carts (W1, replay) or orders (W2). */
  readonly scale: number;
  /** Concurrent writers sending commands. */
  readonly writers: number;
  /** For projection apply: the name of the projection runner. */
  readonly projection?: string;
  /**
   * Each pass of the job (the warm-up, then the timed one) runs the workload again, on fresh data, until its
   * timed parts add up to at least this many seconds. Absent or 0: once per pass, as a smoke run does.
   */
  readonly minimumSeconds?: number;
}

/** What a workload measured in its timed part. */
export interface Measurement extends Elapsed {
  /** Commands (W1, W2) or events (replay) handled while the clock ran. */
  readonly operations: number;
  /** Each command's latency in milliseconds, as recorded; null where commands are not timed one by one. */
  readonly latency: Float64Array | null;
  /** Commands decided again after losing a race for their stream; null where no race is possible. */
  readonly conflictRetries: number | null;
  /** Other counts worth keeping (events written, commands by origin, …), of one run of the workload. */
  readonly details: Readonly<Record<string, number>>;
}

/** A job's timed pass: its repetitions' measurements added up, with the percentiles of all their latencies. */
export interface JobResult extends Omit<Measurement, 'latency'> {
  readonly latency: LatencyPercentiles | null;
  /** How many times the timed pass ran the workload to reach the job's `minimumSeconds`. */
  readonly repetitions: number;
  readonly unit: 'commands' | 'events';
  /** Operations per wall-clock second. */
  readonly perSecond: number;
  /** Operations per CPU-second of the process. */
  readonly perCpuSecond: number;
  readonly peakRssMiB: number;
}

export type Progress = (done: number, total: number) => void;

/** What a child process tells the parent. */
export type ChildMessage =
  | { readonly kind: 'progress'; readonly done: number; readonly total: number }
  | { readonly kind: 'result'; readonly result: JobResult }
  | { readonly kind: 'failure'; readonly message: string };

export const unitOf = (workload: Workload): JobResult['unit'] => (workload === 'replay' || workload === 'projection-apply' ? 'events' : 'commands');
