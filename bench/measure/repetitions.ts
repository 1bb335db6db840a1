import type { Measurement } from '../jobs';

const sum = (runs: readonly Measurement[], of: (run: Measurement) => number): number => runs.reduce((total, run) => total + of(run), 0);

/**
 * The machine's CPU over all repetitions. A repetition shorter than a clock tick of `/proc/stat` (10 ms) may
 * have none to read; the others' rate stands for it, so that the sum covers the whole of the timed time.
 */
const machineCpuSecondsOf = (runs: readonly Measurement[]): number | null => {
  const read = runs.filter((run) => run.machineCpuSeconds !== null);
  const readSeconds = sum(read, (run) => run.seconds);
  if (readSeconds === 0) return null;
  return sum(read, (run) => run.machineCpuSeconds ?? 0) * (sum(runs, (run) => run.seconds) / readSeconds);
};

/**
 * Repetitions of a workload added up: counts and times summed, each repetition's latencies kept (percentiles
 * are taken over all of them together), the first one's details, and how many there were.
 */
export type Repetitions = Omit<Measurement, 'latency'> & {
  readonly latencies: readonly Float64Array[];
  readonly repetitions: number;
};

export const addRepetitions = (runs: readonly [Measurement, ...Measurement[]]): Repetitions => ({
  operations: sum(runs, (run) => run.operations),
  seconds: sum(runs, (run) => run.seconds),
  cpuSeconds: sum(runs, (run) => run.cpuSeconds),
  machineCpuSeconds: machineCpuSecondsOf(runs),
  latencies: runs.flatMap((run) => (run.latency === null ? [] : [run.latency])),
  conflictRetries: runs.every((run) => run.conflictRetries !== null) ? sum(runs, (run) => run.conflictRetries ?? 0) : null,
  details: runs[0].details,
  repetitions: runs.length,
});
