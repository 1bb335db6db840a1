/**
 * Timed waits that can all be ended at once: stopping or closing must not wait out a back-off under way.
 */
export class WakeableSleeps {
  private readonly sleepers = new Set<() => void>();

  /** Resolves after `ms`, or as soon as `wakeAll` is called. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  wakeAll(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
