/** How long a timed part took: on the wall clock, and in CPU time of this process (every thread, GC included). */
export interface Elapsed {
  readonly seconds: number;
  /**
   * User + system CPU time. On a machine shared with other work the wall clock also counts the time this
   * process waited for a core; CPU time does not, so figures per CPU-second stay comparable under load.
   */
  readonly cpuSeconds: number;
}

export interface Stopwatch {
  readonly stop: () => Elapsed;
}

export const startStopwatch = (): Stopwatch => {
  const cpu = process.cpuUsage();
  const started = performance.now();
  return {
    stop: () => {
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
    },
  };
};
