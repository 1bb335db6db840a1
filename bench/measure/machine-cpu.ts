import { readFileSync } from 'node:fs';

/**
 * The machine's CPU time as Linux counts it in `/proc/stat`: every core's busy ticks, and all its ticks.
 * Busy is everything but idle and waiting for I/O; guest time is already inside user time, so it is not
 * added again.
 */
export interface MachineCpuSample {
  readonly busyTicks: number;
  readonly totalTicks: number;
  readonly cores: number;
}

const TICK_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
const NOT_BUSY = new Set<string>(['idle', 'iowait']);

/** The sample in the text of `/proc/stat`, or null when it has no aggregate `cpu` line it can read. */
export const parseProcStat = (text: string): MachineCpuSample | null => {
  const lines = text.split('\n');
  const aggregate = lines.find((line) => line.startsWith('cpu '));
  if (aggregate === undefined) return null;
  const ticks = aggregate.trim().split(/\s+/).slice(1).map(Number);
  if (ticks.length < TICK_FIELDS.length || ticks.some((tick) => !Number.isFinite(tick))) return null;
  let busyTicks = 0;
  let totalTicks = 0;
  TICK_FIELDS.forEach((field, i) => {
    const tick = ticks[i] as number;
    totalTicks += tick;
    if (!NOT_BUSY.has(field)) busyTicks += tick;
  });
  const cores = lines.filter((line) => /^cpu\d+ /.test(line)).length;
  return cores === 0 ? null : { busyTicks, totalTicks, cores };
};

/** The machine's CPU counters now; null off Linux, where there is no `/proc/stat`. */
export const sampleMachineCpu = (): MachineCpuSample | null => {
  try {
    return parseProcStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return null;
  }
};

/**
 * The CPU-seconds every process of the machine used between two samples `seconds` apart: the busy share of
 * the ticks that passed, times the cores, times the seconds. Reckoned as a share, it needs no clock-tick rate.
 * Null when either sample is missing or no tick passed.
 */
export const machineCpuSecondsBetween = (before: MachineCpuSample | null, after: MachineCpuSample | null, seconds: number): number | null => {
  if (before === null || after === null) return null;
  const total = after.totalTicks - before.totalTicks;
  if (total <= 0) return null;
  return ((after.busyTicks - before.busyTicks) / total) * after.cores * seconds;
};
