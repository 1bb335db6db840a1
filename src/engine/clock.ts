/** Milliseconds since the Unix epoch. Injected everywhere, so that tests and replays are deterministic. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/** A clock that stands still until moved: for tests, demos and replays. */
export interface ManualClock {
  readonly now: Clock;
  readonly set: (epochMs: number) => void;
  readonly advance: (ms: number) => void;
}

export const manualClock = (startEpochMs: number): ManualClock => {
  let current = startEpochMs;
  return {
    now: () => current,
    set: (epochMs) => {
      current = epochMs;
    },
    advance: (ms) => {
      current += ms;
    },
  };
};
