import {
  MongoAPIError,
  MongoBulkWriteError,
  MongoNetworkError,
  MongoOperationTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoWriteConcernError,
} from 'mongodb';
import type { ReadModelError } from '../../../projections/read-model-store';

/*
 * How the driver's errors become the port's. Almost every failure means the store cannot be used right now
 * (READ_MODEL_UNAVAILABLE, with the driver's error as `cause`); the exceptions are the few server codes that
 * say something about what was asked: a duplicate key (which the store reads in context), an index that
 * exists with another definition, and a document the server would not store.
 */

export const DUPLICATE_KEY = 11000;

/** createIndexes refusals: CannotCreateIndex, IndexAlreadyExists, IndexOptionsConflict, IndexKeySpecsConflict. */
const DEFINITION_REFUSED: ReadonlySet<number> = new Set([67, 68, 85, 86]);

/**
 * Writes refused for the document itself: BadValue, DollarPrefixedFieldName, EmptyFieldName,
 * DottedFieldName, BSONObjectTooLarge, and the older "document after update / to upsert is too large".
 * The store checks field names and sizes before sending, so these are a second line.
 */
const DOCUMENT_REFUSED: ReadonlySet<number> = new Set([2, 52, 56, 57, 10334, 17419, 17420]);

const serverCode = (error: unknown): number | undefined =>
  error instanceof MongoServerError && typeof error.code === 'number' ? error.code : undefined;

export const isDuplicateKey = (error: unknown): boolean => serverCode(error) === DUPLICATE_KEY;

const explain = (error: unknown): string => {
  // The driver reports a bulk write cut short by a driver error (the connection dropped) as a
  // MongoBulkWriteError with no write errors, carrying the driver error's message but not its class.
  if (error instanceof MongoBulkWriteError && refusedWritesOf(error) === undefined && error.err === undefined) {
    return `the bulk write failed as a whole, some of its writes may have been applied: ${error.message}`;
  }
  if (error instanceof MongoServerError) {
    return `the server answered ${error.codeName ?? 'error'}${typeof error.code === 'number' ? ` (${error.code})` : ''}: ${error.message}`;
  }
  if (error instanceof MongoServerSelectionError) return `no MongoDB server could be selected: ${error.message}`;
  if (error instanceof MongoNetworkError) return `the connection to MongoDB failed: ${error.message}`;
  if (error instanceof MongoOperationTimeoutError) return `the operation timed out: ${error.message}`;
  if (error instanceof MongoAPIError) return `the client cannot run the operation (${error.name}): ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
};

/** A failure of `what` (e.g. "reading orders/v1"), as the port's error. */
export const readModelErrorOf = (error: unknown, what: string): ReadModelError => {
  const code = serverCode(error);
  if (code !== undefined && DEFINITION_REFUSED.has(code)) {
    return { code: 'INVALID_DEFINITION', message: `${what}: an index exists with another definition — ${explain(error)}` };
  }
  // A write concern error means the write was applied on the primary but may not be durable: as far as the
  // caller can tell the commit did not succeed; it reads the checkpoint again and replays from there.
  const detail = error instanceof MongoWriteConcernError ? `the write was not acknowledged as durable — ${explain(error)}` : explain(error);
  return { code: 'READ_MODEL_UNAVAILABLE', message: `${what} failed: ${detail}`, cause: error };
};

/** One write of a bulk write that the server refused; `index` is its place in the operations sent. */
export interface RefusedWrite {
  readonly index: number;
  readonly code: number;
  readonly message: string;
}

/**
 * The writes a failed bulk write refused one by one, or undefined when the bulk write failed as a whole
 * (the connection dropped, which the driver also reports as a MongoBulkWriteError, or a write concern
 * error): then nothing can be said of any single write.
 */
export const refusedWritesOf = (error: unknown): readonly RefusedWrite[] | undefined => {
  if (!(error instanceof MongoBulkWriteError)) return undefined;
  // Read defensively: this runs while handling an error, where a throw would escape the store.
  const result: unknown = error.result;
  const writeConcernFailed =
    error.err !== undefined ||
    (typeof result === 'object' && result !== null && 'getWriteConcernError' in result && typeof result.getWriteConcernError === 'function' && result.getWriteConcernError() !== undefined);
  if (writeConcernFailed) return undefined;
  const writeErrors: readonly unknown[] = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  const refused = writeErrors.flatMap((writeError) => {
    if (typeof writeError !== 'object' || writeError === null) return [];
    const { index, code, errmsg } = writeError as { readonly index?: unknown; readonly code?: unknown; readonly errmsg?: unknown };
    return typeof index === 'number' && typeof code === 'number' ? [{ index, code, message: typeof errmsg === 'string' ? errmsg : 'refused' }] : [];
  });
  return refused.length === 0 || refused.length !== writeErrors.length ? undefined : refused;
};

export const isDocumentRefusal = (refused: RefusedWrite): boolean => DOCUMENT_REFUSED.has(refused.code);
