import * as E from 'fp-ts/Either';
import type { ReadModelError } from './read-model-store';
import { messageOf } from '../engine/error-message';

export const readModelUnavailable = (cause: unknown): ReadModelError => ({
  code: 'READ_MODEL_UNAVAILABLE',
  message: `the read-model store failed: ${messageOf(cause)}`,
  cause,
});

/**
 * Calls a read-model store, turning an exception (which the port does not allow, but a driver may still
 * throw) into the value the port promises, so that no caller of this library sees a rejected promise.
 */
export const guarded = async <A>(call: () => Promise<E.Either<ReadModelError, A>>): Promise<E.Either<ReadModelError, A>> => {
  try {
    return await call();
  } catch (cause) {
    return E.left(readModelUnavailable(cause));
  }
};
