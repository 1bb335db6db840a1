import { Timestamp } from '../domain/shared/codecs';
import { shownValue } from './error-message';

/** Milliseconds since the Unix epoch. Injected everywhere, so that tests and replays are deterministic. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();

/**
 * The host's clock as the engine reads it: a reading that is no time (negative, fractional, not a number)
 * throws, naming it, where it would otherwise be stored in an event, refused by the store, or turned into
 * another time on one path and not on another.
 */
export const checkedClock =
  (clock: Clock): Clock =>
  () => {
    const now: unknown = clock();
    if (Timestamp.is(now)) return now;
    throw new RangeError(`the clock read ${shownValue(now)}, not a whole number of milliseconds since 1970`);
  };

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
