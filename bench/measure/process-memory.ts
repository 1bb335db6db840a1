/** The most resident memory this process has held so far, in MiB (the kernel's high-water mark). */
export const peakRssMiB = (): number => process.resourceUsage().maxRSS / 1024;

/** Collects garbage before a timed part, when node runs with --expose-gc (as the bench's child runs do). */
export const collectGarbage = (): void => {
  globalThis.gc?.();
};
