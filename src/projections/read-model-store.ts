import type { Either } from 'fp-ts/Either';

/** A value that survives a round trip through JSON (PostgreSQL jsonb, a MongoDB document) unchanged. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonDocument;
export type JsonDocument = { readonly [field: string]: JsonValue };

/**
 * The collections of one version of one projection. Each version has its own, so a new version can be built
 * beside the live one and readers switched to it in one step (see `activate`).
 */
export interface ProjectionVersion {
  readonly projection: string;
  readonly version: number;
}

export type SortType = 'number' | 'string';
export type SortValue = number | string;

/**
 * What a query may ask of a collection: equality on every one of `equals` (top-level fields holding strings),
 * ordered by one top-level field of type `sortBy.type`, ties broken by document id. PostgreSQL serves it with
 * one btree expression index `(equals…, sortBy, id)` and MongoDB with one compound index of the same fields.
 * A document lacking one of the fields, or holding a value of another type, is simply not in the index.
 */
export interface IndexDefinition {
  readonly name: string;
  readonly equals: readonly string[];
  readonly sortBy: { readonly field: string; readonly type: SortType };
}

export interface CollectionDefinition {
  readonly name: string;
  readonly indexes: readonly IndexDefinition[];
}

/** A document as stored: its body and the global position of the last event applied to it. */
export interface StoredDocument {
  readonly id: string;
  readonly position: number;
  readonly document: JsonDocument;
}

export interface DocumentKey {
  readonly collection: string;
  readonly id: string;
}

/**
 * One change of a batch, made by the event at `position`. A write whose position is not above the position
 * stored with the document changes nothing: applying an event twice is the same as applying it once, which
 * is what lets a store without transactions replay a batch that was cut short.
 */
export type DocumentWrite =
  | { readonly kind: 'put'; readonly collection: string; readonly id: string; readonly position: number; readonly document: JsonDocument }
  | { readonly kind: 'delete'; readonly collection: string; readonly id: string; readonly position: number };

/**
 * The effects of a run of events and the checkpoint after them. A transactional store applies both in one
 * transaction; one without transactions writes each document conditioned on its stored position and the
 * checkpoint last, so that a cut-short batch, replayed from the old checkpoint, ends in the same state.
 */
export interface Batch {
  readonly writes: readonly DocumentWrite[];
  /** The position of the last event the batch covers (applied or skipped); -1 before the first event. */
  readonly checkpoint: number;
  /** The checkpoint the writer read before; a store at another checkpoint refuses the batch whole. */
  readonly expectedCheckpoint: number | undefined;
}

export interface SortCursor {
  readonly value: SortValue;
  readonly id: string;
}

export type SortOrder = 'ascending' | 'descending';

export interface IndexQuery {
  readonly collection: string;
  readonly index: string;
  /** A value for each of the index's `equals` fields, and no other field. */
  readonly equals: Readonly<Record<string, string>>;
  readonly order: SortOrder;
  /** Bounds on the sort value: `atLeast` inclusive, `below` exclusive, whatever the order. */
  readonly range?: { readonly atLeast?: SortValue; readonly below?: SortValue };
  /** Continue after this document (exclusive), as given by a page's `next`. */
  readonly after?: SortCursor;
  /** 1 to `MAX_QUERY_LIMIT`. */
  readonly limit: number;
}

export interface QueryPage {
  readonly documents: readonly StoredDocument[];
  /** Where the next page starts; undefined when no document is left. */
  readonly next: SortCursor | undefined;
}

export const MAX_QUERY_LIMIT = 1000;

export type ReadModelError =
  | { readonly code: 'READ_MODEL_UNAVAILABLE'; readonly message: string; readonly cause?: unknown }
  | { readonly code: 'UNKNOWN_COLLECTION'; readonly message: string; readonly collection: string }
  | { readonly code: 'INVALID_DEFINITION'; readonly message: string }
  | { readonly code: 'INVALID_DOCUMENT'; readonly message: string; readonly collection: string; readonly id: string }
  | { readonly code: 'INVALID_BATCH'; readonly message: string }
  | { readonly code: 'INVALID_QUERY'; readonly message: string }
  | { readonly code: 'CHECKPOINT_MOVED'; readonly message: string; readonly expected: number | undefined; readonly actual: number | undefined }
  | { readonly code: 'ACTIVE_VERSION_MOVED'; readonly message: string; readonly expected: number | undefined; readonly actual: number | undefined }
  | { readonly code: 'VERSION_IS_ACTIVE'; readonly message: string; readonly projection: string; readonly version: number };

/**
 * Where projections keep their documents. Every adapter (in-memory, PostgreSQL, MongoDB) implements it and
 * passes the shared contract suite, `describeReadModelStoreContract` from `ordersource/testing`. Every failure is a value.
 */
export interface ReadModelStore {
  /** Creates (or confirms) a version's collections and indexes; declaring them again the same way is a no-op. */
  prepare(version: ProjectionVersion, collections: readonly CollectionDefinition[]): Promise<Either<ReadModelError, void>>;
  get(version: ProjectionVersion, collection: string, id: string): Promise<Either<ReadModelError, StoredDocument | undefined>>;
  /** The documents at `keys`, in the same order, undefined where there is none. */
  getMany(version: ProjectionVersion, keys: readonly DocumentKey[]): Promise<Either<ReadModelError, readonly (StoredDocument | undefined)[]>>;
  find(version: ProjectionVersion, query: IndexQuery): Promise<Either<ReadModelError, QueryPage>>;
  /** The position of the last event the version has processed (-1: none yet); undefined before its first batch. */
  checkpoint(version: ProjectionVersion): Promise<Either<ReadModelError, number | undefined>>;
  /** Applies a batch's writes and moves the checkpoint, both or (on a transactional store) neither. */
  commit(version: ProjectionVersion, batch: Batch): Promise<Either<ReadModelError, void>>;
  /** The version readers should use; undefined until one is activated. */
  activeVersion(projection: string): Promise<Either<ReadModelError, number | undefined>>;
  /**
   * Points readers at `version` if the active version is still `expected`: a compare-and-set. With
   * `builtThrough`, also only if the version is at that checkpoint or past it, checked in the same step: a
   * version dropped and started again since it was built (by another rebuild) would show readers nothing.
   */
  activate(projection: string, version: number, expected: number | undefined, builtThrough?: number): Promise<Either<ReadModelError, void>>;
  /** Removes a version's documents and checkpoint; the active version cannot be dropped. */
  drop(version: ProjectionVersion): Promise<Either<ReadModelError, void>>;
  close(): Promise<void>;
}
