import * as E from 'fp-ts/Either';
import {
  batchProblem,
  copyJsonDocument,
  definitionProblem,
  idProblem,
  indexForQuery,
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
  JsonDocument,
  ProjectionVersion,
  QueryPage,
  ReadModelError,
  ReadModelStore,
  StoredDocument,
} from '../../../projections/read-model-store';
import { SortedIndex } from './sorted-index';

interface MemoryCollection {
  readonly definition: CollectionDefinition;
  readonly documents: Map<string, StoredDocument>;
  readonly indexes: ReadonlyMap<string, SortedIndex>;
  /** The same indexes as a list: every write walks them, and a Map's iterator would be allocated each time. */
  readonly indexList: readonly SortedIndex[];
}

interface MemoryVersion {
  checkpoint: number | undefined;
  readonly collections: Map<string, MemoryCollection>;
}

type Result<A> = Promise<E.Either<ReadModelError, A>>;

const unavailable = (): ReadModelError => ({ code: 'READ_MODEL_UNAVAILABLE', message: 'the in-memory read-model store is closed' });

const unknownCollection = (version: ProjectionVersion, collection: string): ReadModelError => ({
  code: 'UNKNOWN_COLLECTION',
  message: `${version.projection} v${version.version} has no collection ${collection}: prepare it first`,
  collection,
});

/**
 * The embedded read-model store: documents in maps, indexes as sorted arrays. A commit runs synchronously,
 * so it is atomic, like a transaction. Everything is forgotten with the process.
 */
export class MemoryReadModelStore implements ReadModelStore {
  private readonly versions = new Map<string, MemoryVersion>();
  private readonly active = new Map<string, number>();
  private closed = false;

  prepare(version: ProjectionVersion, collections: readonly CollectionDefinition[]): Result<void> {
    return Promise.resolve(this.prepareNow(version, collections));
  }

  get(version: ProjectionVersion, collection: string, id: string): Result<StoredDocument | undefined> {
    return Promise.resolve(E.map((found: MemoryCollection) => found.documents.get(id))(this.collectionOf(version, collection)));
  }

  getMany(version: ProjectionVersion, keys: readonly DocumentKey[]): Result<readonly (StoredDocument | undefined)[]> {
    // The version is looked up once, not per key: its key is a string built from the version.
    const collections = this.versions.get(versionKey(version))?.collections;
    const documents: (StoredDocument | undefined)[] = [];
    for (const key of keys) {
      if (this.closed) return Promise.resolve(E.left(unavailable()));
      const found = collections?.get(key.collection);
      if (found === undefined) return Promise.resolve(E.left(unknownCollection(version, key.collection)));
      documents.push(found.documents.get(key.id));
    }
    return Promise.resolve(E.right(documents));
  }

  find(version: ProjectionVersion, query: IndexQuery): Result<QueryPage> {
    return Promise.resolve(this.findNow(version, query));
  }

  checkpoint(version: ProjectionVersion): Result<number | undefined> {
    if (this.closed) return Promise.resolve(E.left(unavailable()));
    return Promise.resolve(E.right(this.versions.get(versionKey(version))?.checkpoint));
  }

  commit(version: ProjectionVersion, batch: Batch): Result<void> {
    return Promise.resolve(this.commitNow(version, batch));
  }

  activeVersion(projection: string): Result<number | undefined> {
    if (this.closed) return Promise.resolve(E.left(unavailable()));
    return Promise.resolve(E.right(this.active.get(projection)));
  }

  activate(projection: string, version: number, expected: number | undefined, builtThrough?: number): Result<void> {
    if (this.closed) return Promise.resolve(E.left(unavailable()));
    const problem = versionProblem(projection, version);
    if (problem !== undefined) return Promise.resolve(E.left({ code: 'INVALID_DEFINITION', message: problem }));
    const unbuilt = unbuiltVersionError(projection, version, builtThrough, this.versions.get(versionKey({ projection, version }))?.checkpoint);
    if (unbuilt !== undefined) return Promise.resolve(E.left(unbuilt));
    const actual = this.active.get(projection);
    if (actual !== expected) {
      return Promise.resolve(
        E.left({
          code: 'ACTIVE_VERSION_MOVED',
          message: `${projection} is at version ${actual ?? 'none'}, not ${expected ?? 'none'} as expected`,
          expected,
          actual,
        }),
      );
    }
    this.active.set(projection, version);
    return Promise.resolve(E.right(undefined));
  }

  drop(version: ProjectionVersion): Result<void> {
    if (this.closed) return Promise.resolve(E.left(unavailable()));
    if (this.active.get(version.projection) === version.version) {
      return Promise.resolve(
        E.left({
          code: 'VERSION_IS_ACTIVE',
          message: `${version.projection} v${version.version} is what readers use: activate another version first`,
          ...version,
        }),
      );
    }
    this.versions.delete(versionKey(version));
    return Promise.resolve(E.right(undefined));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Every document of a version, by collection and then id: for tests that compare whole read models. */
  contents(version: ProjectionVersion): Readonly<Record<string, readonly StoredDocument[]>> {
    const result: Record<string, readonly StoredDocument[]> = {};
    const found = this.versions.get(versionKey(version));
    if (found === undefined) return result;
    for (const [name, collection] of [...found.collections].sort(([a], [b]) => (a < b ? -1 : 1))) {
      result[name] = [...collection.documents.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }
    return result;
  }

  private prepareNow(version: ProjectionVersion, collections: readonly CollectionDefinition[]): E.Either<ReadModelError, void> {
    if (this.closed) return E.left(unavailable());
    const problem = versionProblem(version.projection, version.version) ?? definitionProblem(collections);
    if (problem !== undefined) return E.left({ code: 'INVALID_DEFINITION', message: problem });
    const target = this.versions.get(versionKey(version)) ?? { checkpoint: undefined, collections: new Map<string, MemoryCollection>() };
    const conflicting = collections.find((definition) => {
      const existing = target.collections.get(definition.name);
      return existing !== undefined && !sameCollectionDefinition(existing.definition, definition);
    });
    if (conflicting !== undefined) {
      return E.left({
        code: 'INVALID_DEFINITION',
        message: `collection ${conflicting.name} of ${version.projection} v${version.version} exists with other indexes: a new definition needs a new version`,
      });
    }
    for (const definition of collections) {
      if (target.collections.has(definition.name)) continue;
      const indexes = new Map(definition.indexes.map((index) => [index.name, new SortedIndex(index)]));
      target.collections.set(definition.name, { definition, documents: new Map(), indexes, indexList: [...indexes.values()] });
    }
    this.versions.set(versionKey(version), target);
    return E.right(undefined);
  }

  private collectionOf(version: ProjectionVersion, collection: string): E.Either<ReadModelError, MemoryCollection> {
    if (this.closed) return E.left(unavailable());
    const found = this.versions.get(versionKey(version))?.collections.get(collection);
    return found === undefined ? E.left(unknownCollection(version, collection)) : E.right(found);
  }

  private findNow(version: ProjectionVersion, query: IndexQuery): E.Either<ReadModelError, QueryPage> {
    const found = this.collectionOf(version, query.collection);
    if (E.isLeft(found)) return found;
    const index = indexForQuery(found.right.definition, query);
    if (E.isLeft(index)) return E.left({ code: 'INVALID_QUERY', message: index.left });
    const ids = (found.right.indexes.get(index.right.name) as SortedIndex).page(query);
    const documents = ids.slice(0, query.limit).map((id) => found.right.documents.get(id) as StoredDocument);
    const last = documents[documents.length - 1];
    const next = ids.length > query.limit && last !== undefined ? { value: last.document[index.right.sortBy.field] as string | number, id: last.id } : undefined;
    return E.right({ documents, next });
  }

  private commitNow(version: ProjectionVersion, batch: Batch): E.Either<ReadModelError, void> {
    if (this.closed) return E.left(unavailable());
    const target = this.versions.get(versionKey(version));
    if (target === undefined) return E.left(unknownCollection(version, batch.writes[0]?.collection ?? '(any)'));
    const problem = batchProblem(batch);
    if (problem !== undefined) return E.left({ code: 'INVALID_BATCH', message: problem });
    if (target.checkpoint !== batch.expectedCheckpoint) {
      return E.left({
        code: 'CHECKPOINT_MOVED',
        message: `${version.projection} v${version.version} is at checkpoint ${target.checkpoint ?? 'none'}, the batch expected ${batch.expectedCheckpoint ?? 'none'}`,
        expected: batch.expectedCheckpoint,
        actual: target.checkpoint,
      });
    }
    // Everything is checked before anything is written, so a refused batch leaves no trace. Write i goes to
    // collections[i] with documents[i] (undefined for a delete): parallel lists, not an object per write.
    const collections: MemoryCollection[] = [];
    const documents: (JsonDocument | undefined)[] = [];
    for (const write of batch.writes) {
      const collection = target.collections.get(write.collection);
      if (collection === undefined) return E.left(unknownCollection(version, write.collection));
      const badId = idProblem(write.id);
      if (badId !== undefined) return E.left({ code: 'INVALID_DOCUMENT', message: badId, collection: write.collection, id: write.id });
      collections.push(collection);
      if (write.kind === 'delete') {
        documents.push(undefined);
        continue;
      }
      // The document held under the id now, so that what the write leaves unchanged is shared, not copied.
      const document = copyJsonDocument(write.document, collection.documents.get(write.id)?.document);
      if (E.isLeft(document)) {
        return E.left({ code: 'INVALID_DOCUMENT', message: `${write.collection}/${write.id}: ${document.left}`, collection: write.collection, id: write.id });
      }
      documents.push(document.right);
    }
    batch.writes.forEach((write, i) => apply(collections[i] as MemoryCollection, write, documents[i]));
    target.checkpoint = batch.checkpoint;
    return E.right(undefined);
  }
}

const versionKey = (version: ProjectionVersion): string => `${version.projection}@${version.version}`;

/** Applies one checked write, unless the document already reflects an event at or after its position. */
const apply = (collection: MemoryCollection, write: DocumentWrite, document: JsonDocument | undefined): void => {
  const existing = collection.documents.get(write.id);
  if (existing !== undefined && existing.position >= write.position) return;
  if (document === undefined) {
    if (existing === undefined) return;
    for (const index of collection.indexList) index.update(write.id, existing.document, undefined);
    collection.documents.delete(write.id);
    return;
  }
  for (const index of collection.indexList) index.update(write.id, existing?.document, document);
  collection.documents.set(write.id, Object.freeze({ id: write.id, position: write.position, document }));
};
