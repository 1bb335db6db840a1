import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import * as t from 'io-ts';
import { BSON, type Document } from 'mongodb';
import { copyJsonDocument } from '../../../projections/read-model-rules';
import { LONE_SURROGATE } from '../../../domain/shared/codecs';
import type { CollectionDefinition, JsonDocument, JsonValue, SortValue, StoredDocument } from '../../../projections/read-model-store';

/*
 * The shapes the MongoDB adapter stores, and the decoders that check what comes back before it is used.
 */

/**
 * Where one read-model document sits in one declared index: `eq0`, `eq1`… hold its values of the index's
 * `equals` fields, `sort` its sort value. Computed by the adapter with the port's own `indexKeyOf`, so a
 * document is in a MongoDB index exactly when it is in the in-memory one: a missing field, an array or a
 * value of another type never reaches MongoDB's index (which would otherwise index arrays element by
 * element and order values of mixed types).
 */
export type IndexEntry = Readonly<Record<string, SortValue>>;

/**
 * One read-model document, in the MongoDB collection of its projection version and collection, or the
 * tombstone of a deleted one (`deleted`, no `document`, no index entries: see `tombstoneUpdate`).
 */
export interface DocumentRecord extends Document {
  readonly _id: string;
  /** The global position of the last event applied to the document. */
  readonly position: number;
  /** The claim (see `VersionRecord.epoch`) of the commit that wrote it. */
  readonly epoch: number;
  readonly document?: JsonDocument;
  readonly deleted?: true;
  /** By index name, for the declared indexes the document is in. */
  readonly ix: Readonly<Record<string, IndexEntry>>;
}

/** One projection version: its declared collections, its checkpoint, and the number of commits claimed. */
export interface VersionRecord extends Document {
  readonly _id: string;
  readonly projection: string;
  readonly version: number;
  /** By collection name. */
  readonly collections?: Readonly<Record<string, { readonly indexes: CollectionDefinition['indexes'] }>>;
  /** Absent or null before the first batch. */
  readonly checkpoint?: number | null;
  /** Raised by each commit before it writes anything; a commit moves the checkpoint only if it is still the last claim. */
  readonly epoch?: number;
}

/** Which version of a projection readers use; the `_id` is the projection name. */
export interface ActiveVersionRecord extends Document {
  readonly _id: string;
  readonly version: number;
}

export interface DecodedVersion {
  readonly collections: ReadonlyMap<string, CollectionDefinition>;
  readonly checkpoint: number | undefined;
  readonly epoch: number;
}

const integerAtLeast = (minimum: number) =>
  new t.Type<number, number, unknown>(
    `integer ≥ ${minimum}`,
    (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= minimum,
    (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u >= minimum ? t.success(u) : t.failure(u, c)),
    (n) => n,
  );

const IndexCodec = t.type({
  name: t.string,
  equals: t.array(t.string),
  sortBy: t.type({ field: t.string, type: t.keyof({ number: null, string: null }) }),
});

const VersionCodec = t.type({
  collections: t.union([t.undefined, t.record(t.string, t.type({ indexes: t.array(IndexCodec) }))]),
  checkpoint: t.union([t.undefined, t.null, integerAtLeast(-1)]),
  epoch: t.union([t.undefined, integerAtLeast(0)]),
});

const StoredDocumentCodec = t.type({ _id: t.string, position: integerAtLeast(0), document: t.unknown, deleted: t.union([t.undefined, t.literal(true)]) });

const ActiveVersionCodec = t.type({ version: integerAtLeast(1) });

const problemOf = (errors: t.Errors): string => {
  const first = errors[0];
  const path = first === undefined ? '' : first.context.map((entry) => entry.key).filter((key) => key !== '').join('.');
  return `field ${path === '' ? '(root)' : path} is not valid`;
};

export const decodeVersion = (raw: unknown): E.Either<string, DecodedVersion> =>
  pipe(
    VersionCodec.decode(raw),
    E.mapLeft(problemOf),
    E.map((record) => ({
      collections: new Map(Object.entries(record.collections ?? {}).map(([name, { indexes }]) => [name, { name, indexes }])),
      checkpoint: record.checkpoint ?? undefined,
      epoch: record.epoch ?? 0,
    })),
  );

/** A stored record as the port's document: undefined for a tombstone. */
export const decodeStoredDocument = (raw: unknown): E.Either<string, StoredDocument | undefined> =>
  pipe(
    StoredDocumentCodec.decode(raw),
    E.mapLeft(problemOf),
    E.chain((record) =>
      record.deleted === true
        ? E.right(undefined)
        : pipe(
            copyJsonDocument(record.document),
            E.map((document): StoredDocument | undefined => ({ id: record._id, position: record.position, document })),
          ),
    ),
  );

export const decodeActiveVersion = (raw: unknown): E.Either<string, number> =>
  pipe(
    ActiveVersionCodec.decode(raw),
    E.mapLeft(problemOf),
    E.map((record) => record.version),
  );

/** MongoDB's limit on one stored document (BSON), in bytes. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** Whether an id has a lone surrogate, which would reach MongoDB as U+FFFD and name another document. */
export const idBsonProblem = (id: string): string | undefined => (LONE_SURROGATE.test(id) ? 'the id holds a lone surrogate, which BSON turns into U+FFFD' : undefined);

/**
 * What MongoDB cannot store faithfully in a JSON document, if anything. BSON cannot hold a field name with a
 * NUL character, and MongoDB gives a dot (a path separator), a leading `$` (an operator) and an empty name
 * special meanings, with rules that differ between inserts and updates. Rather than depend on those rules,
 * the adapter refuses such names up front as INVALID_DOCUMENT, before anything is written: a restriction of
 * this adapter that the others do not have.
 */
export const fieldNameProblem = (document: JsonDocument): string | undefined => {
  const visit = (value: JsonValue, path: string): string | undefined => {
    // BSON holds UTF-8, which has no form for a lone surrogate: the driver would store U+FFFD in its place.
    if (typeof value === 'string') return LONE_SURROGATE.test(value) ? `${path} holds a lone surrogate, which BSON turns into U+FFFD` : undefined;
    if (value === null || typeof value !== 'object') return undefined;
    if (Array.isArray(value)) {
      for (const [i, item] of (value as readonly JsonValue[]).entries()) {
        const problem = visit(item, `${path}[${i}]`);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    for (const [key, item] of Object.entries(value as JsonDocument)) {
      if (key === '' || key.startsWith('$') || key.includes('.') || key.includes('\u0000') || LONE_SURROGATE.test(key)) {
        return `${path} has field ${JSON.stringify(key)}: MongoDB cannot store a field name that is empty, starts with $, or holds a dot, NUL or lone surrogate`;
      }
      const problem = visit(item, `${path}.${key}`);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };
  return visit(document, 'document');
};

/** Whether a record is within MongoDB's document size limit. */
export const recordSizeProblem = (record: DocumentRecord): string | undefined => {
  const bytes = BSON.calculateObjectSize(record);
  return bytes <= MAX_RECORD_BYTES ? undefined : `the stored document would take ${bytes} bytes, above MongoDB's limit of ${MAX_RECORD_BYTES}`;
};
