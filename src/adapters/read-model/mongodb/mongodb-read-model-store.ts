import * as E from 'fp-ts/Either';
import { MongoClient, type Collection, type Db, type MongoClientOptions } from 'mongodb';
import {
  batchProblem,
  copyJsonDocument,
  definitionProblem,
  idProblem,
  indexForQuery,
  indexKeyOf,
  isValidName,
  sameCollectionDefinition,
  unbuiltVersionError,
  versionProblem,
} from '../../../projections/read-model-rules';
import type {
  Batch,
  CollectionDefinition,
  DocumentKey,
  DocumentWrite,
  IndexQuery,
  ProjectionVersion,
  QueryPage,
  ReadModelError,
  ReadModelStore,
  StoredDocument,
} from '../../../projections/read-model-store';
import {
  ACTIVE_VERSIONS_COLLECTION,
  activation,
  checkpointFilter,
  checkpointUpdate,
  claimFilter,
  claimUpdate,
  collectionDeclaration,
  documentCollectionName,
  findFilter,
  findSort,
  indexDescription,
  indexEntries,
  STORED_DOCUMENT_PROJECTION,
  VERSIONS_COLLECTION,
  versionId,
  versionUpsert,
  writeOperation,
  type CheckedWrite,
  type Fence,
} from './mongodb-commands';
import { DUPLICATE_KEY, isDocumentRefusal, isDuplicateKey, readModelErrorOf, refusedWritesOf } from './mongodb-errors';
import {
  decodeActiveVersion,
  decodeStoredDocument,
  decodeVersion,
  fieldNameProblem,
  idBsonProblem,
  recordSizeProblem,
  type ActiveVersionRecord,
  type DecodedVersion,
  type DocumentRecord,
  type VersionRecord,
} from './mongodb-records';
import { writeRounds } from './write-rounds';

type Result<A> = Promise<E.Either<ReadModelError, A>>;

const label = (version: ProjectionVersion): string => `${version.projection} v${version.version}`;

const closedError = (): ReadModelError => ({ code: 'READ_MODEL_UNAVAILABLE', message: 'the MongoDB read-model store is closed' });

const unknownCollection = (version: ProjectionVersion, collection: string): ReadModelError => ({
  code: 'UNKNOWN_COLLECTION',
  message: `${label(version)} has no collection ${collection}: prepare it first`,
  collection,
});

const corrupt = (what: string, problem: string): ReadModelError => ({
  code: 'READ_MODEL_UNAVAILABLE',
  message: `${what} holds a record this adapter did not write: ${problem}`,
});

const checkpointMoved = (version: ProjectionVersion, expected: number | undefined, actual: number | undefined, why: string): ReadModelError => ({
  code: 'CHECKPOINT_MOVED',
  message: `${label(version)} is at checkpoint ${actual ?? 'none'}, the batch expected ${expected ?? 'none'}${why}`,
  expected,
  actual,
});

/**
 * The read-model store on MongoDB, without multi-document transactions.
 *
 * Each collection of each projection version is a MongoDB collection with one record per document: its
 * body, the position of the last event applied to it, and its entries in the declared indexes. A record
 * per version (in `read_model_versions`) holds the declared collections, the checkpoint and a claim
 * counter; `read_model_active_versions` holds the active version of each projection.
 *
 * A commit (1) checks the whole batch, (2) claims the version by raising its epoch if the checkpoint is
 * still the one expected, (3) sends the writes as unordered bulk writes, each conditioned on the stored
 * position (a delete leaves a tombstone that keeps its position), and (4) moves the checkpoint, last, if it is still the one expected and no later claim was
 * made. A commit cut short after (2) or (3) leaves the checkpoint where it was, and the same batch replayed
 * from it ends in the same state, because every write it repeats is either a no-op (the document already
 * reflects that event or a later one) or rewrites what the cut-short attempt wrote. Of concurrent commits
 * from the same checkpoint, only the last to claim can move it, and its writes replace the others'.
 */
export class MongoReadModelStore implements ReadModelStore {
  private closed = false;

  /** `release` runs on close: closing the client, for a store made by `connect`. */
  constructor(
    private readonly database: Db,
    private readonly release: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Connects to `url` and uses database `databaseName`, which the store then owns the client of. */
  static async connect(url: string, databaseName: string, options: MongoClientOptions = {}): Result<MongoReadModelStore> {
    let client: MongoClient;
    try {
      client = new MongoClient(url, options);
    } catch (error) {
      return E.left(readModelErrorOf(error, 'reading the MongoDB connection string'));
    }
    try {
      await client.connect();
    } catch (error) {
      await client.close().catch(() => undefined);
      return E.left(readModelErrorOf(error, 'connecting to MongoDB'));
    }
    return E.right(new MongoReadModelStore(client.db(databaseName), () => client.close()));
  }

  async prepare(version: ProjectionVersion, collections: readonly CollectionDefinition[]): Result<void> {
    if (this.closed) return E.left(closedError());
    const problem = versionProblem(version.projection, version.version) ?? definitionProblem(collections);
    if (problem !== undefined) return E.left({ code: 'INVALID_DEFINITION', message: problem });
    const { filter, update } = versionUpsert(version);
    const upserted = await this.attempt(`preparing ${label(version)}`, () =>
      this.versions().findOneAndUpdate(filter, update, { upsert: true, returnDocument: 'after' }),
    );
    if (E.isLeft(upserted)) return upserted;
    const existing = this.decodedVersion(version, upserted.right);
    if (E.isLeft(existing)) return existing;
    const conflict = this.conflictingDefinition(version, existing.right, collections, false);
    if (conflict !== undefined) return E.left(conflict);
    const missing = collections.filter((definition) => !existing.right?.collections.has(definition.name));
    if (missing.length > 0) {
      const declared = await this.attempt(`declaring the collections of ${label(version)}`, () =>
        this.versions().bulkWrite(
          missing.map((definition) => collectionDeclaration(version, definition)),
          { ordered: false },
        ),
      );
      if (E.isLeft(declared)) return declared;
      // Another process may have declared one of them meanwhile: what is stored now is what counts.
      const now = await this.version(version);
      if (E.isLeft(now)) return now;
      const raced = this.conflictingDefinition(version, now.right, collections, true);
      if (raced !== undefined) return E.left(raced);
    }
    const indexed = collections.filter((definition) => definition.indexes.length > 0);
    const created = await Promise.all(
      indexed.map((definition) =>
        this.attempt(`creating the indexes of ${label(version)} ${definition.name}`, () =>
          this.documents(version, definition.name).createIndexes(definition.indexes.map(indexDescription)),
        ),
      ),
    );
    const failed = created.find(E.isLeft);
    return failed ?? E.right(undefined);
  }

  async get(version: ProjectionVersion, collection: string, id: string): Result<StoredDocument | undefined> {
    if (this.closed) return E.left(closedError());
    if (!isValidName(collection)) return E.left(unknownCollection(version, collection));
    // The definition and the document are read at once; the document counts only if the collection is declared.
    const [definition, found] = await Promise.all([
      this.definition(version, collection),
      this.attempt(`reading ${label(version)} ${collection}/${id}`, () =>
        this.documents(version, collection).findOne({ _id: id }, { projection: STORED_DOCUMENT_PROJECTION }),
      ),
    ]);
    if (E.isLeft(definition)) return definition;
    if (E.isLeft(found)) return found;
    return found.right === null ? E.right(undefined) : this.decodedDocument(version, collection, id, found.right);
  }

  async getMany(version: ProjectionVersion, keys: readonly DocumentKey[]): Result<readonly (StoredDocument | undefined)[]> {
    if (this.closed) return E.left(closedError());
    const stored = await this.version(version);
    if (E.isLeft(stored)) return stored;
    const idsByCollection = new Map<string, Set<string>>();
    for (const key of keys) {
      if (stored.right?.collections.has(key.collection) !== true) return E.left(unknownCollection(version, key.collection));
      const ids = idsByCollection.get(key.collection) ?? new Set<string>();
      ids.add(key.id);
      idsByCollection.set(key.collection, ids);
    }
    const reads = await Promise.all(
      [...idsByCollection].map(([collection, ids]) =>
        this.attempt(`reading ${label(version)} ${collection}`, async () => ({
          collection,
          records: await this.documents(version, collection)
            .find({ _id: { $in: [...ids] } }, { projection: STORED_DOCUMENT_PROJECTION })
            .toArray(),
        })),
      ),
    );
    const found = new Map<string, StoredDocument>();
    for (const read of reads) {
      if (E.isLeft(read)) return read;
      for (const record of read.right.records) {
        const decoded = this.decodedDocument(version, read.right.collection, String(record._id), record);
        if (E.isLeft(decoded)) return decoded;
        if (decoded.right !== undefined) found.set(JSON.stringify([read.right.collection, decoded.right.id]), decoded.right);
      }
    }
    return E.right(keys.map((key) => found.get(JSON.stringify([key.collection, key.id]))));
  }

  async find(version: ProjectionVersion, query: IndexQuery): Result<QueryPage> {
    if (this.closed) return E.left(closedError());
    const definition = await this.definition(version, query.collection);
    if (E.isLeft(definition)) return definition;
    const index = indexForQuery(definition.right, query);
    if (E.isLeft(index)) return E.left({ code: 'INVALID_QUERY', message: index.left });
    const records = await this.attempt(`querying ${label(version)} ${query.collection} by ${query.index}`, () =>
      this.documents(version, query.collection)
        .find(findFilter(index.right, query), { sort: findSort(index.right, query.order), limit: query.limit + 1, projection: STORED_DOCUMENT_PROJECTION })
        .toArray(),
    );
    if (E.isLeft(records)) return records;
    const documents: StoredDocument[] = [];
    for (const record of records.right) {
      const decoded = this.decodedDocument(version, query.collection, String(record._id), record);
      if (E.isLeft(decoded)) return decoded;
      // A tombstone has no index entries, so the index never yields one.
      if (decoded.right === undefined) return E.left(corrupt(`${label(version)} ${query.collection}/${String(record._id)}`, `a deleted document matched index ${query.index}`));
      documents.push(decoded.right);
    }
    const page = documents.slice(0, query.limit);
    const last = page[page.length - 1];
    if (documents.length <= query.limit || last === undefined) return E.right({ documents: page, next: undefined });
    const key = indexKeyOf(index.right, last.document);
    if (key === undefined) return E.left(corrupt(`${label(version)} ${query.collection}/${last.id}`, `it matched index ${query.index} without being in it`));
    return E.right({ documents: page, next: { value: key.value, id: last.id } });
  }

  async checkpoint(version: ProjectionVersion): Result<number | undefined> {
    if (this.closed) return E.left(closedError());
    const stored = await this.version(version);
    return E.map((found: DecodedVersion | undefined) => found?.checkpoint)(stored);
  }

  async commit(version: ProjectionVersion, batch: Batch): Result<void> {
    if (this.closed) return E.left(closedError());
    const stored = await this.version(version);
    if (E.isLeft(stored)) return stored;
    if (stored.right === undefined) return E.left(unknownCollection(version, batch.writes[0]?.collection ?? '(any)'));
    const problem = batchProblem(batch);
    if (problem !== undefined) return E.left({ code: 'INVALID_BATCH', message: problem });
    if (stored.right.checkpoint !== batch.expectedCheckpoint) return E.left(checkpointMoved(version, batch.expectedCheckpoint, stored.right.checkpoint, ''));
    // Everything is checked before anything is written, so a refused batch leaves no trace.
    const checked = checkWrites(version, stored.right, batch.writes);
    if (E.isLeft(checked)) return checked;
    const epoch = await this.claim(version, batch.expectedCheckpoint);
    if (E.isLeft(epoch)) return epoch;
    const fence: Fence = { epoch: epoch.right, expectedCheckpoint: batch.expectedCheckpoint };
    for (const round of writeRounds(checked.right)) {
      const written = await this.writeRound(version, round, fence);
      if (E.isLeft(written)) return written;
    }
    const moved = await this.attempt(`moving the checkpoint of ${label(version)}`, () =>
      this.versions().updateOne(checkpointFilter(version, batch.expectedCheckpoint, fence.epoch), checkpointUpdate(batch.checkpoint)),
    );
    if (E.isLeft(moved)) return moved;
    if (moved.right.matchedCount === 1) return E.right(undefined);
    const now = await this.version(version);
    if (E.isLeft(now)) return now;
    return E.left(checkpointMoved(version, batch.expectedCheckpoint, now.right?.checkpoint, ': another commit claimed the version after this one'));
  }

  async activeVersion(projection: string): Result<number | undefined> {
    if (this.closed) return E.left(closedError());
    const found = await this.attempt(`reading the active version of ${projection}`, () => this.activeVersions().findOne({ _id: projection }));
    if (E.isLeft(found)) return found;
    if (found.right === null) return E.right(undefined);
    const decoded = decodeActiveVersion(found.right);
    return E.isLeft(decoded) ? E.left(corrupt(`the active version of ${projection}`, decoded.left)) : decoded;
  }

  async activate(projection: string, version: number, expected: number | undefined, builtThrough?: number): Result<void> {
    if (this.closed) return E.left(closedError());
    const problem = versionProblem(projection, version);
    if (problem !== undefined) return E.left({ code: 'INVALID_DEFINITION', message: problem });
    if (builtThrough !== undefined) {
      // Without a transaction, a look just before the switch: a drop in between goes unseen (the README says so).
      const checkpoint = await this.checkpoint({ projection, version });
      if (E.isLeft(checkpoint)) return checkpoint;
      const unbuilt = unbuiltVersionError(projection, version, builtThrough, checkpoint.right);
      if (unbuilt !== undefined) return E.left(unbuilt);
    }
    const { filter, update, upsert } = activation(projection, version, expected);
    try {
      const result = await this.activeVersions().updateOne(filter, update, { upsert });
      if (result.matchedCount + result.upsertedCount > 0) return E.right(undefined);
    } catch (error) {
      // From none, a duplicate key means a version was activated meanwhile: the compare part of the CAS failed.
      if (!isDuplicateKey(error)) return E.left(readModelErrorOf(error, `activating ${projection} v${version}`));
    }
    const actual = await this.activeVersion(projection);
    if (E.isLeft(actual)) return actual;
    return E.left({
      code: 'ACTIVE_VERSION_MOVED',
      message: `${projection} is at version ${actual.right ?? 'none'}, not ${expected ?? 'none'} as expected`,
      expected,
      actual: actual.right,
    });
  }

  async drop(version: ProjectionVersion): Result<void> {
    if (this.closed) return E.left(closedError());
    const active = await this.activeVersion(version.projection);
    if (E.isLeft(active)) return active;
    if (active.right === version.version) {
      return E.left({ code: 'VERSION_IS_ACTIVE', message: `${label(version)} is what readers use: activate another version first`, ...version });
    }
    const stored = await this.version(version);
    if (E.isLeft(stored)) return stored;
    if (stored.right === undefined) return E.right(undefined);
    // The documents go first and the version record last, so a drop cut short is finished by dropping again;
    // the other way round, a later prepare would find the old documents under a fresh checkpoint.
    const dropped = await Promise.all(
      [...stored.right.collections.keys()].map((collection) =>
        this.attempt(`dropping ${label(version)} ${collection}`, () => this.documents(version, collection).drop()),
      ),
    );
    const failed = dropped.find(E.isLeft);
    if (failed !== undefined) return failed;
    const removed = await this.attempt(`dropping ${label(version)}`, () => this.versions().deleteOne({ _id: versionId(version) }));
    return E.map(() => undefined)(removed);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }

  private versions(): Collection<VersionRecord> {
    return this.database.collection<VersionRecord>(VERSIONS_COLLECTION);
  }

  private activeVersions(): Collection<ActiveVersionRecord> {
    return this.database.collection<ActiveVersionRecord>(ACTIVE_VERSIONS_COLLECTION);
  }

  private documents(version: ProjectionVersion, collection: string): Collection<DocumentRecord> {
    return this.database.collection<DocumentRecord>(documentCollectionName(version, collection));
  }

  /** Runs one driver call, turning whatever it throws into the port's error. */
  private async attempt<A>(what: string, action: () => Promise<A>): Result<A> {
    if (this.closed) return E.left(closedError());
    try {
      return E.right(await action());
    } catch (error) {
      return E.left(readModelErrorOf(error, what));
    }
  }

  private decodedVersion(version: ProjectionVersion, raw: unknown): E.Either<ReadModelError, DecodedVersion | undefined> {
    if (raw === null || raw === undefined) return E.right(undefined);
    const decoded = decodeVersion(raw);
    return E.isLeft(decoded) ? E.left(corrupt(`the record of ${label(version)}`, decoded.left)) : decoded;
  }

  /** A stored record as the port's document, undefined for a tombstone. */
  private decodedDocument(version: ProjectionVersion, collection: string, id: string, raw: unknown): E.Either<ReadModelError, StoredDocument | undefined> {
    const decoded = decodeStoredDocument(raw);
    return E.isLeft(decoded) ? E.left(corrupt(`${label(version)} ${collection}/${id}`, decoded.left)) : decoded;
  }

  /** The version's record, undefined if it was never prepared (or was dropped). */
  private async version(version: ProjectionVersion): Result<DecodedVersion | undefined> {
    const found = await this.attempt(`reading the record of ${label(version)}`, () => this.versions().findOne({ _id: versionId(version) }));
    return E.isLeft(found) ? found : this.decodedVersion(version, found.right);
  }

  private async definition(version: ProjectionVersion, collection: string): Result<CollectionDefinition> {
    const stored = await this.version(version);
    if (E.isLeft(stored)) return stored;
    const definition = stored.right?.collections.get(collection);
    return definition === undefined ? E.left(unknownCollection(version, collection)) : E.right(definition);
  }

  /**
   * The first wanted collection declared otherwise in `stored`; with `mustBeDeclared`, also the first not
   * declared at all.
   */
  private conflictingDefinition(
    version: ProjectionVersion,
    stored: DecodedVersion | undefined,
    wanted: readonly CollectionDefinition[],
    mustBeDeclared: boolean,
  ): ReadModelError | undefined {
    const conflicting = wanted.find((definition) => {
      const existing = stored?.collections.get(definition.name);
      return existing === undefined ? mustBeDeclared : !sameCollectionDefinition(existing, definition);
    });
    if (conflicting === undefined) return undefined;
    const why = mustBeDeclared ? 'was declared meanwhile with other indexes, or the version was dropped' : 'exists with other indexes';
    return { code: 'INVALID_DEFINITION', message: `collection ${conflicting.name} of ${label(version)} ${why}: a new definition needs a new version` };
  }

  /** Raises the version's epoch if its checkpoint is still `expected`; the new epoch fences the commit's writes. */
  private async claim(version: ProjectionVersion, expected: number | undefined): Result<number> {
    const claimed = await this.attempt(`claiming ${label(version)}`, () =>
      this.versions().findOneAndUpdate(claimFilter(version, expected), claimUpdate, { returnDocument: 'after' }),
    );
    if (E.isLeft(claimed)) return claimed;
    if (claimed.right !== null) {
      const decoded = this.decodedVersion(version, claimed.right);
      return E.map((found: DecodedVersion | undefined) => found?.epoch ?? 0)(decoded);
    }
    const now = await this.version(version);
    if (E.isLeft(now)) return now;
    return E.left(checkpointMoved(version, expected, now.right?.checkpoint, now.right === undefined ? ': the version was dropped' : ''));
  }

  /** One round: one unordered bulk write per collection, sent together. */
  private async writeRound(version: ProjectionVersion, round: readonly CheckedWrite[], fence: Fence): Result<void> {
    const byCollection = new Map<string, CheckedWrite[]>();
    for (const write of round) {
      const writes = byCollection.get(write.collection) ?? [];
      writes.push(write);
      byCollection.set(write.collection, writes);
    }
    const written = await Promise.all([...byCollection].map(([collection, writes]) => this.bulkWrite(version, collection, writes, fence, true)));
    return written.find(E.isLeft) ?? E.right(undefined);
  }

  private async bulkWrite(version: ProjectionVersion, collection: string, writes: readonly CheckedWrite[], fence: Fence, retryDuplicates: boolean): Result<void> {
    const what = `writing ${writes.length} document(s) of ${label(version)} ${collection}`;
    if (this.closed) return E.left(closedError());
    try {
      await this.documents(version, collection).bulkWrite(
        writes.map((write) => writeOperation(write, fence)),
        { ordered: false },
      );
      return E.right(undefined);
    } catch (error) {
      const refused = refusedWritesOf(error);
      if (refused === undefined) return E.left(readModelErrorOf(error, what));
      const alreadyApplied = (index: number, code: number): boolean => code === DUPLICATE_KEY && writes[index] !== undefined;
      const failure = refused.find((write) => !alreadyApplied(write.index, write.code));
      if (failure !== undefined) {
        const write = writes[failure.index];
        if (write !== undefined && isDocumentRefusal(failure)) {
          return E.left({ code: 'INVALID_DOCUMENT', message: `${collection}/${write.id}: MongoDB refused it: ${failure.message}`, collection, id: write.id });
        }
        return E.left(readModelErrorOf(error, what));
      }
      // A duplicate key on a conditioned upsert: the document exists and its filter did not match it, so it
      // already reflects this event or a later one. Or, rarely, another writer inserted it between this
      // upsert's match and its insert; sent once more, the filter is judged against the document that now
      // exists, and a second duplicate key is the first case.
      if (!retryDuplicates) return E.right(undefined);
      const again = refused.flatMap((write) => writes[write.index] ?? []);
      return this.bulkWrite(version, collection, again, fence, false);
    }
  }
}

/** Checks every write of a batch, in order, as the port's rules and MongoDB's limits require. */
const checkWrites = (version: ProjectionVersion, stored: DecodedVersion, writes: readonly DocumentWrite[]): E.Either<ReadModelError, CheckedWrite[]> => {
  const checked: CheckedWrite[] = [];
  for (const write of writes) {
    const definition = stored.collections.get(write.collection);
    if (definition === undefined) return E.left(unknownCollection(version, write.collection));
    const refuse = (message: string): E.Either<ReadModelError, CheckedWrite[]> =>
      E.left({ code: 'INVALID_DOCUMENT', message: `${write.collection}/${write.id}: ${message}`, collection: write.collection, id: write.id });
    const badId = idProblem(write.id) ?? idBsonProblem(write.id);
    if (badId !== undefined) return refuse(badId);
    if (write.kind === 'delete') {
      checked.push(write);
      continue;
    }
    const document = copyJsonDocument(write.document);
    if (E.isLeft(document)) return refuse(document.left);
    const badName = fieldNameProblem(document.right);
    if (badName !== undefined) return refuse(badName);
    const entries = indexEntries(definition, document.right);
    const tooLarge = recordSizeProblem({ _id: write.id, position: write.position, epoch: 0, document: document.right, ix: entries });
    if (tooLarge !== undefined) return refuse(tooLarge);
    checked.push({ kind: 'put', collection: write.collection, id: write.id, position: write.position, document: document.right, entries });
  }
  return E.right(checked);
};
