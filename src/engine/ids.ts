import { randomUUID } from 'node:crypto';

/** Produces a new unique id on each call. Injected, so that tests and demos get the same ids every run. */
export type IdGenerator = () => string;

export const randomIds: IdGenerator = () => randomUUID();

/**
 * Deterministic ids shaped as UUIDs (so every store accepts them), numbered from 1 under a fixed prefix.
 * `seed` (up to 8 hex digits) keeps two generators from colliding.
 */
export const sequentialIds = (seed = 0): IdGenerator => {
  const prefix = seed.toString(16).padStart(8, '0').slice(-8);
  let counter = 0;
  return () => {
    counter += 1;
    return `${prefix}-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
  };
};
