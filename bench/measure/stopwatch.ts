import { machineCpuSecondsBetween, sampleMachineCpu } from './machine-cpu';

/** How long a timed part took: on the wall clock, and in CPU time of this process and of the whole machine. */
export interface Elapsed {
  readonly seconds: number;
  /**
   * User + system CPU time of this process (every thread, GC included). On a machine shared with other work
   * the wall clock also counts the time this process waited for a core; CPU time does not, so figures per
   * CPU-second stay comparable under load.
   */
  readonly cpuSeconds: number;
  /**
   * CPU time of every process on the machine, a database server on it included: what one operation costs the
   * machine as a whole, and so the most its cores could do at that cost. Null where it cannot be read (off
   * Linux) or was not measured.
   */
  readonly machineCpuSeconds: number | null;
}

export interface Stopwatch {
  readonly stop: () => Elapsed;
}

export const startStopwatch = (): Stopwatch => {
  const machine = sampleMachineCpu();
  const cpu = process.cpuUsage();
  const started = performance.now();
  return {
    stop: () => {
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      return { seconds, cpuSeconds: (used.user + used.system) / 1e6, machineCpuSeconds: machineCpuSecondsBetween(machine, sampleMachineCpu(), seconds) };
    },
  };
};
