import type { AnyBulkWriteOperation, Filter, IndexDescription, Sort, UpdateFilter } from 'mongodb';
import { compareSortValues, indexKeyOf } from '../../../projections/read-model-rules';
import type {
  CollectionDefinition,
  IndexDefinition,
  IndexQuery,
  JsonDocument,
  ProjectionVersion,
  SortOrder,
} from '../../../projections/read-model-store';
import type { ActiveVersionRecord, DocumentRecord, IndexEntry, VersionRecord } from './mongodb-records';

/*
 * Every filter, update, index and sort the MongoDB adapter sends, built by pure functions so that they can be
 * checked without a server (the tests evaluate them with mingo, an independent implementation of MongoDB's
 * query and update language). The store only passes them to the driver.
 */

export const VERSIONS_COLLECTION = 'read_model_versions';
export const ACTIVE_VERSIONS_COLLECTION = 'read_model_active_versions';

export const versionId = (version: ProjectionVersion): string => `${version.projection}/${version.version}`;

/** Projection and collection names cannot hold a dot, so these names never collide with each other or the two above. */
export const documentCollectionName = (version: ProjectionVersion, collection: string): string =>
  `read_model.${version.projection}.v${version.version}.${collection}`;

/** Only what the port returns, and whether the record is a tombstone; the index entries and epoch stay in the database. */
export const STORED_DOCUMENT_PROJECTION = { _id: 1, position: 1, document: 1, deleted: 1 } as const;

// --- prepare ---

/** Creates the version's record if it is missing; an upsert on `_id` alone, which the server retries on a race. */
export const versionUpsert = (version: ProjectionVersion): { readonly filter: Filter<VersionRecord>; readonly update: UpdateFilter<VersionRecord> } => ({
  filter: { _id: versionId(version) },
  update: { $set: { projection: version.projection, version: version.version } },
});

/** Declares a collection unless it is declared already: the first declaration wins, a later one is compared with it. */
export const collectionDeclaration = (version: ProjectionVersion, definition: CollectionDefinition): AnyBulkWriteOperation<VersionRecord> => {
  const path = `collections.${definition.name}`;
  const indexes = definition.indexes.map((index) => ({
    name: index.name,
    equals: [...index.equals],
    sortBy: { field: index.sortBy.field, type: index.sortBy.type },
  }));
  return { updateOne: { filter: { _id: versionId(version), [path]: { $exists: false } }, update: { $set: { [path]: { indexes } } } } };
};

const entryPath = (index: IndexDefinition): string => `ix.${index.name}`;
const sortPath = (index: IndexDefinition): string => `${entryPath(index)}.sort`;
const equalsPath = (index: IndexDefinition, i: number): string => `${entryPath(index)}.eq${i}`;

/**
 * The MongoDB index serving a declared index: its equality values, its sort value, then `_id` for ties. It
 * is partial, holding only the documents that are in the declared index (those with an entry), and every
 * query filters on the same `$exists` so that the server may use it.
 */
export const indexDescription = (index: IndexDefinition): IndexDescription => ({
  name: index.name,
  key: Object.fromEntries([...index.equals.map((_, i) => [equalsPath(index, i), 1] as const), [sortPath(index), 1] as const, ['_id', 1] as const]),
  partialFilterExpression: { [sortPath(index)]: { $exists: true } },
});

// --- documents ---

/** A document's entries in its collection's indexes, from the port's own rule of which documents an index holds. */
export const indexEntries = (definition: CollectionDefinition, document: JsonDocument): Record<string, IndexEntry> => {
  const entries: Record<string, IndexEntry> = {};
  for (const index of definition.indexes) {
    const key = indexKeyOf(index, document);
    if (key === undefined) continue;
    const entry: Record<string, string | number> = {};
    key.group.forEach((value, i) => {
      entry[`eq${i}`] = value;
    });
    entry['sort'] = key.value;
    entries[index.name] = entry;
  }
  return entries;
};

/** A write, checked and ready to send: a put carries its body and index entries. */
export type CheckedWrite =
  | {
      readonly kind: 'put';
      readonly collection: string;
      readonly id: string;
      readonly position: number;
      readonly document: JsonDocument;
      readonly entries: Readonly<Record<string, IndexEntry>>;
    }
  | { readonly kind: 'delete'; readonly collection: string; readonly id: string; readonly position: number };

/**
 * The commit a write belongs to: the checkpoint it started from and the epoch of its claim. Commits of one
 * version claim increasing epochs, and only the last claim from a checkpoint can move it (see the store).
 */
export interface Fence {
  readonly epoch: number;
  readonly expectedCheckpoint: number | undefined;
}

/**
 * Which stored record a write may change. A document: one that reflects an earlier event than the write's.
 * Beyond the checkpoint the commit started from, a document already at the write's position was written by
 * an attempt that has not (yet) moved the checkpoint — cut short, or a concurrent writer's — and a later
 * claim takes it over, so that the documents are those of the commit whose checkpoint wins. At or below
 * that checkpoint, a document at the same position is committed, and stays.
 *
 * A tombstone (see `tombstoneUpdate`) is no document, which any write may follow, as it may follow a
 * missing one in the other stores — unless the write's claim is older than the delete's. Such a write
 * belongs to a commit fenced off, or cut short and replayed since, that reached the server late: the
 * commit that deleted covered its events too, so letting it through would bring back what was deleted.
 */
export const writeFilter = (write: { readonly id: string; readonly position: number }, fence: Fence): Filter<DocumentRecord> => {
  const live = { deleted: { $exists: false } };
  const earlier = { ...live, position: { $lt: write.position } };
  const tombstone = { deleted: true as const, epoch: { $lte: fence.epoch } };
  if (fence.expectedCheckpoint !== undefined && write.position <= fence.expectedCheckpoint) return { _id: write.id, $or: [earlier, tombstone] };
  return { _id: write.id, $or: [earlier, { ...live, position: write.position, epoch: { $lt: fence.epoch } }, tombstone] };
};

/** A put's whole new state: body, position, claim and index entries all replace the old ones, a tombstone's included. */
export const putUpdate = (write: Extract<CheckedWrite, { kind: 'put' }>, fence: Fence): UpdateFilter<DocumentRecord> => ({
  $set: { position: write.position, epoch: fence.epoch, document: write.document, ix: write.entries },
  $unset: { deleted: '' },
});

/**
 * A delete leaves a tombstone: the record keeps the delete's position and claim, loses its body and its
 * index entries (so no query finds it), and reads as no document. Removed outright, it would take its
 * position with it, and a put of an earlier event (a commit fenced off, or cut short, that lands after
 * this one) would find nothing to lose to and bring the document back for good.
 */
export const tombstoneUpdate = (write: Extract<CheckedWrite, { kind: 'delete' }>, fence: Fence): UpdateFilter<DocumentRecord> => ({
  $set: { position: write.position, epoch: fence.epoch, deleted: true, ix: {} },
  $unset: { document: '' },
});

/**
 * Both writes are upserts: when the filter matches no record, MongoDB inserts one with the write's `_id` —
 * and if a record with that `_id` exists (it reflects this event or a later one) the insert fails with a
 * duplicate-key error (11000), which the store reads as "already applied".
 */
export const writeOperation = (write: CheckedWrite, fence: Fence): AnyBulkWriteOperation<DocumentRecord> => ({
  updateOne: { filter: writeFilter(write, fence), update: write.kind === 'put' ? putUpdate(write, fence) : tombstoneUpdate(write, fence), upsert: true },
});

// --- checkpoint ---

const atCheckpoint = (expected: number | undefined): { readonly checkpoint: number | null } => ({ checkpoint: expected ?? null });

/** Claims a commit from `expected`: raises the epoch, fencing off any earlier claim from the same checkpoint. */
export const claimFilter = (version: ProjectionVersion, expected: number | undefined): Filter<VersionRecord> => ({ _id: versionId(version), ...atCheckpoint(expected) });
export const claimUpdate: UpdateFilter<VersionRecord> = { $inc: { epoch: 1 } };

/** Moves the checkpoint, written last: only if it is still `expected` and no later claim was made. */
export const checkpointFilter = (version: ProjectionVersion, expected: number | undefined, epoch: number): Filter<VersionRecord> => ({
  _id: versionId(version),
  ...atCheckpoint(expected),
  epoch,
});
export const checkpointUpdate = (checkpoint: number): UpdateFilter<VersionRecord> => ({ $set: { checkpoint } });

// --- active version ---

/**
 * The compare-and-set of the active version. From none, it is an upsert that fails with a duplicate key if
 * a version is active already; from a version, a plain update that matches nothing if another one is.
 */
export const activation = (
  projection: string,
  version: number,
  expected: number | undefined,
): { readonly filter: Filter<ActiveVersionRecord>; readonly update: UpdateFilter<ActiveVersionRecord>; readonly upsert: boolean } => ({
  filter: expected === undefined ? { _id: projection, version: { $exists: false } } : { _id: projection, version: expected },
  update: { $set: { version } },
  upsert: expected === undefined,
});

// --- find ---

/**
 * One page of an index query: the documents with the given equality values and a sort value in range,
 * after the cursor in the query's order (by sort value, then `_id`). With a cursor it is a rooted `$or` of
 * "sort value beyond the cursor's" and "the cursor's sort value, `_id` beyond the cursor's", each branch
 * with the full equality prefix and bounds, so that each is one range of the compound index and the server
 * can merge the two in index order. Every branch repeats the partial index's `$exists`.
 */
export const findFilter = (index: IndexDefinition, query: IndexQuery): Filter<DocumentRecord> => {
  const equalities: Record<string, string | undefined> = {};
  index.equals.forEach((field, i) => {
    equalities[equalsPath(index, i)] = query.equals[field];
  });
  const bounds: Record<string, unknown> = { $exists: true };
  if (query.range?.atLeast !== undefined) bounds['$gte'] = query.range.atLeast;
  if (query.range?.below !== undefined) bounds['$lt'] = query.range.below;
  if (query.after === undefined) return { ...equalities, [sortPath(index)]: bounds } as Filter<DocumentRecord>;
  const { value } = query.after;
  const { below } = query.range ?? {};
  const beyond = query.order === 'ascending' ? '$gt' : '$lt';
  // Descending, the cursor's bound and `below` are both `$lt`: the lower of the two is the bound.
  const beyondBounds =
    query.order === 'ascending' ? { ...bounds, $gt: value } : { ...bounds, $lt: below !== undefined && compareSortValues(below, value) < 0 ? below : value };
  return {
    $or: [
      { ...equalities, [sortPath(index)]: beyondBounds },
      { ...equalities, [sortPath(index)]: { ...bounds, $eq: value }, _id: { [beyond]: query.after.id } },
    ],
  } as Filter<DocumentRecord>;
};

export const findSort = (index: IndexDefinition, order: SortOrder): Sort => {
  const direction = order === 'ascending' ? 1 : -1;
  return { [sortPath(index)]: direction, _id: direction };
};
