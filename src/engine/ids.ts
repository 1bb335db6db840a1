import { randomFillSync, randomUUID } from 'node:crypto';
import { Clock, systemClock } from './clock';

/** Produces a new unique id on each call. Injected, so that tests and demos get the same ids every run. */
export type IdGenerator = () => string;

/** Random (version 4) UUIDs. */
export const randomIds: IdGenerator = () => randomUUID();

const hex = (value: number, digits: number): string => value.toString(16).padStart(digits, '0');

/** The three hex digits of every 12-bit counter value, so an id costs no number formatting. */
const COUNTER_DIGITS: readonly string[] = Array.from({ length: 0x1000 }, (_, counter) => hex(counter, 3));
const COUNTER_LIMIT = 0x1000;

/** Random bytes for one millisecond's counter start and random bits. */
const MILLISECOND_ENTROPY = 10;

/**
 * Entropy for many milliseconds, drawn from the system at once and handed out in slices: each draw is a
 * system call, and when commands take about a millisecond (on a durable store) every id starts a new
 * millisecond, so drawing per millisecond cost ~20 µs an id on a machine with slow system calls.
 * Shared by all generators of the process; a slice is never handed out twice.
 */
const entropyPool = Buffer.alloc(MILLISECOND_ENTROPY * 512);
let entropyOffset = entropyPool.length;

const millisecondEntropy = (): number => {
  if (entropyOffset + MILLISECOND_ENTROPY > entropyPool.length) {
    randomFillSync(entropyPool);
    entropyOffset = 0;
  }
  const offset = entropyOffset;
  entropyOffset += MILLISECOND_ENTROPY;
  return offset;
};

/**
 * Time-ordered UUIDs (RFC 9562 version 7): 48 bits of Unix milliseconds, a 12-bit counter, 62 random bits.
 * The default for event ids: ids sort in the order they were made within a process, so a database index on
 * them grows at its end instead of at random places, and making one costs a fraction of a random UUID
 * (whose text is assembled byte by byte on every call; an append makes one per event).
 *
 * The counter (RFC 9562 §6.2, method 1) starts at a random value below 2048 in each new millisecond and
 * counts up, so ids stay ordered within a millisecond; when it runs out, the timestamp moves one
 * millisecond ahead of the clock, as the RFC allows, and never goes back even if the clock does. The
 * random bits are drawn afresh for every millisecond, so ids of different milliseconds share nothing but
 * the time, and two processes collide only with the same millisecond, counter and 62 random bits.
 */
export const timeOrderedIds = (clock: Clock = systemClock): IdGenerator => {
  let timestamp = -1;
  let counter = 0;
  let prefix = '';
  let suffix = '';
  const startMillisecond = (ms: number): void => {
    timestamp = ms;
    const at = millisecondEntropy();
    counter = entropyPool.readUInt16BE(at + 8) & 0x7ff;
    const timeDigits = hex(ms, 12);
    prefix = `${timeDigits.slice(0, 8)}-${timeDigits.slice(8)}-7`;
    // The variant's two bits (10) above 62 random ones.
    const variant = (entropyPool.readUInt16BE(at) & 0x3fff) | 0x8000;
    suffix = `-${hex(variant, 4)}-${entropyPool.toString('hex', at + 2, at + 8)}`;
  };
  return () => {
    const now = Math.max(Math.floor(clock()), 0);
    if (now > timestamp) startMillisecond(now);
    else if (counter + 1 >= COUNTER_LIMIT) startMillisecond(timestamp + 1);
    else counter += 1;
    return prefix + (COUNTER_DIGITS[counter] as string) + suffix;
  };
};

/**
 * Deterministic ids shaped as UUIDs (so every store accepts them), numbered from 1 under a fixed prefix.
 * `seed` (up to 8 hex digits) keeps two generators from colliding. Each generator counts from 1 again: a
 * process restarted over a store that holds its earlier ids must use another seed, since event ids must
 * never repeat in a store (the process manager names its commands after the events that cause them).
 */
export const sequentialIds = (seed = 0): IdGenerator => {
  const prefix = seed.toString(16).padStart(8, '0').slice(-8);
  let counter = 0;
  return () => {
    counter += 1;
    return `${prefix}-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
  };
};
