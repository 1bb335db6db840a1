import * as E from 'fp-ts/Either';
import type { EventStore } from '../event-store/event-store';
import type { AuditError } from './audit-errors';
import { diffJson, JsonDifference } from './json-diff';
import { PointInTime, ReplayOptions, StateAtPoint, stateAt } from './point-in-time';

export interface CompareOptions extends ReplayOptions {
  /** Compare with the state at this point, e.g. the revision a read model says it has reached. Default: now. */
  readonly at?: PointInTime;
}

export interface DocumentComparison {
  readonly streamId: string;
  /** The revision the replayed state is at. */
  readonly revision: number;
  /** The replayed state, as `toDocument` shaped it. */
  readonly expected: unknown;
  /** Empty when the document is what the events say it should be. */
  readonly differences: readonly JsonDifference[];
}

/**
 * Compares a document kept elsewhere (a read model's row, a cached copy) with the state replayed from the
 * stream's events. `toDocument` shapes the replayed state as the document is shaped, so that only real
 * disagreements are reported.
 */
export const compareWithDocument = async (
  store: EventStore,
  streamId: string,
  document: unknown,
  toDocument: (replayed: StateAtPoint) => unknown,
  options: CompareOptions = {},
): Promise<E.Either<AuditError, DocumentComparison>> => {
  const replayed = await stateAt(store, streamId, options.at, options);
  if (E.isLeft(replayed)) return replayed;
  const expected = toDocument(replayed.right);
  return E.right({ streamId, revision: replayed.right.revision, expected, differences: diffJson(expected, document) });
};
