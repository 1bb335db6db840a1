import type { StoreUnavailable } from '../../../engine/event-store/event-store';
import { messageOf } from '../../../engine/error-message';

/**
 * Why a read failed. The port's reads return plain promises, so these are the rejection values: typed, with
 * a stable `code`, and an `Error` so that a stack trace comes along.
 */
export type ReadFailureCode = 'STORE_UNAVAILABLE' | 'CORRUPT_EVENT';

export class EventStoreReadError extends Error {
  constructor(
    readonly code: ReadFailureCode,
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'EventStoreReadError';
  }
}

const sqlStateOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;


const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections. */
const SERVER_GONE = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * The server could not be reached, or the session died. node-postgres reports a dropped socket without a
 * code, hence the message checks.
 */
export const isConnectionFailure = (error: unknown): boolean => {
  const code = sqlStateOf(error);
  if (code !== undefined && (code.startsWith('08') || SERVER_GONE.has(code) || SOCKET_ERRORS.has(code))) return true;
  const message = messageOf(error);
  return /connection terminated|connection error|timeout exceeded when trying to connect|not queryable|after calling end on the pool/i.test(message);
};

/**
 * Failures of the transaction as a whole, whichever events it carried: a statement or lock timeout, a server
 * short of resources, a server that turned read-only (a failover). Each request run alone would meet the same
 * failure again, one after another.
 */
export const isWholeTransactionFailure = (error: unknown): boolean => {
  const code = sqlStateOf(error);
  return code !== undefined && (code === '57014' || code === '55P03' || code === '25006' || code.startsWith('53'));
};

/** serialization_failure and deadlock_detected: the transaction rolled back and may simply run again. */
export const isTransientConflict = (error: unknown): boolean => {
  const code = sqlStateOf(error);
  return code === '40001' || code === '40P01';
};

export const STREAM_REVISION_KEY = 'events_stream_revision_key';

/** The unique (stream, revision) constraint refused an event: another writer holds that revision. */
export const isStreamRevisionTaken = (error: unknown): boolean =>
  sqlStateOf(error) === '23505' &&
  typeof error === 'object' &&
  error !== null &&
  'constraint' in error &&
  error.constraint === STREAM_REVISION_KEY;

export const storeUnavailable = (message: string, cause?: unknown): StoreUnavailable =>
  cause === undefined ? { code: 'STORE_UNAVAILABLE', message } : { code: 'STORE_UNAVAILABLE', message: `${message}: ${messageOf(cause)}`, cause };

export const readFailure = (what: string, error: unknown): EventStoreReadError =>
  error instanceof EventStoreReadError ? error : new EventStoreReadError('STORE_UNAVAILABLE', `${what} failed: ${messageOf(error)}`, error);
