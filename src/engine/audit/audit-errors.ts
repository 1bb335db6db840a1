import type { UnreadableEvent } from '../schema/stored-event';
import { messageOf } from '../error-message';

/** The store could not be read (a rejected read, a lost connection). */
export interface StoreReadFailed {
  readonly code: 'STORE_READ_FAILED';
  readonly message: string;
}

export interface StreamNotFound {
  readonly code: 'STREAM_NOT_FOUND';
  readonly message: string;
  readonly streamId: string;
}

/** The stream's id matches no aggregate whose state the audit knows how to replay. */
export interface NoAggregateForStream {
  readonly code: 'NO_AGGREGATE_FOR_STREAM';
  readonly message: string;
  readonly streamId: string;
}

export interface RevisionNotFound {
  readonly code: 'REVISION_NOT_FOUND';
  readonly message: string;
  readonly streamId: string;
  readonly revision: number;
  /** The stream's last revision. */
  readonly headRevision: number;
}

/**
 * A stream whose revisions do not run 0, 1, 2… (one missing, or two events claiming one): folded, it would
 * give a state it never had. `verify` says what happened to it.
 */
export interface StreamDamaged {
  readonly code: 'STREAM_DAMAGED';
  readonly message: string;
  readonly streamId: string;
  /** The first revision missing or repeated. */
  readonly revision: number;
}

/** A point in time that is none: a revision that is not a whole number ≥ 0, a time that is not a timestamp (`Date.parse` of a bad string gives NaN). */
export interface InvalidPoint {
  readonly code: 'INVALID_POINT';
  readonly message: string;
}

/** An option that cannot be honoured: a page size of no events would read nothing and report it as all. */
export interface InvalidOption {
  readonly code: 'INVALID_OPTION';
  readonly message: string;
}

/** Why a walk of the log cannot take `pageSize` events per page, if it cannot. */
export const pageSizeProblem = (pageSize: number | undefined): InvalidOption | undefined =>
  pageSize === undefined || (Number.isSafeInteger(pageSize) && pageSize >= 1)
    ? undefined
    : { code: 'INVALID_OPTION', message: `pageSize must be a whole number of events, at least 1, not ${String(pageSize)}` };

export type AuditError = StoreReadFailed | StreamNotFound | NoAggregateForStream | RevisionNotFound | StreamDamaged | InvalidPoint | UnreadableEvent;

export const storeReadFailed = (cause: unknown): StoreReadFailed => ({
  code: 'STORE_READ_FAILED',
  message: `the event store could not be read: ${messageOf(cause)}`,
});

export const streamNotFound = (streamId: string): StreamNotFound => ({
  code: 'STREAM_NOT_FOUND',
  message: `stream ${streamId} has no events`,
  streamId,
});
