import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { MongoBulkWriteError, MongoNetworkError } from 'mongodb';
import { MemoryReadModelStore } from '../../../src/adapters/read-model/memory/memory-read-model-store';
import { documentCollectionName, VERSIONS_COLLECTION } from '../../../src/adapters/read-model/mongodb/mongodb-commands';
import { MongoReadModelStore } from '../../../src/adapters/read-model/mongodb/mongodb-read-model-store';
import type {
  CollectionDefinition,
  DocumentWrite,
  IndexQuery,
  JsonDocument,
  ProjectionVersion,
  ReadModelStore,
  StoredDocument,
} from '../../../src/projections/read-model-store';
import { MingoDatabase } from '../../support/mongodb-mingo-database';
import { ordersAndCounters, ordersByCustomer, ordersByLabel } from '../../../src/testing/contract/read-model-collections';

/*
 * The MongoDB read-model store over a stand-in database whose every filter, update, sort and projection is
 * evaluated by mingo (see test/support/mongodb-mingo-database.ts). NO MongoDB server is involved: these
 * tests check the adapter's commands and its handling of their outcomes, compared with the in-memory
 * reference adapter; the contract suite against a real server is test/contract/read-model-mongodb.test.ts.
 */

const rightOrThrow = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected success, got ${JSON.stringify(either.left)}`);
  return either.right;
};
const codeOf = (either: E.Either<{ readonly code: string }, unknown>): string | undefined => (E.isLeft(either) ? either.left.code : undefined);

const put = (collection: string, id: string, position: number, document: JsonDocument): DocumentWrite => ({ kind: 'put', collection, id, position, document });
const remove = (collection: string, id: string, position: number): DocumentWrite => ({ kind: 'delete', collection, id, position });

const COLLECTIONS = ordersAndCounters(ordersByCustomer, ordersByLabel);
const VERSION: ProjectionVersion = { projection: 'orders-view', version: 1 };

const prepared = async (): Promise<{ database: MingoDatabase; store: MongoReadModelStore }> => {
  const database = new MingoDatabase();
  const store = new MongoReadModelStore(database.asDb());
  rightOrThrow(await store.prepare(VERSION, COLLECTIONS));
  return { database, store };
};

const commit = async (store: ReadModelStore, writes: readonly DocumentWrite[], checkpoint: number): Promise<void> => {
  const expectedCheckpoint = rightOrThrow(await store.checkpoint(VERSION));
  rightOrThrow(await store.commit(VERSION, { writes, checkpoint, expectedCheckpoint }));
};

describe('MongoDB read-model store over mingo (no server): how a commit is written', () => {
  it('claims the version, writes the documents in one unordered bulk write, and moves the checkpoint last', async () => {
    const { database, store } = await prepared();
    database.log.length = 0;
    await commit(store, [put('orders', 'o1', 3, { customerId: 'c1', placedAt: 1 }), put('orders', 'o2', 4, { customerId: 'c1', placedAt: 2 }), remove('counters', 'x', 4)], 4);
    const writes = database.log.filter((entry) => ['findOneAndUpdate', 'updateOne', 'bulkWrite', 'deleteOne'].includes(entry.operation));
    expect(writes.map((entry) => [entry.collection, entry.operation])).toEqual([
      [VERSIONS_COLLECTION, 'findOneAndUpdate'],
      expect.arrayContaining([expect.any(String), 'bulkWrite']),
      expect.arrayContaining([expect.any(String), 'bulkWrite']),
      [VERSIONS_COLLECTION, 'updateOne'],
    ]);
    expect(writes.slice(1, 3).map((entry) => entry.collection).sort()).toEqual([documentCollectionName(VERSION, 'counters'), documentCollectionName(VERSION, 'orders')]);
    const orders = writes.find((entry) => entry.collection === documentCollectionName(VERSION, 'orders'));
    expect(orders?.detail).toHaveLength(2);
  });

  it('stores the body, the position, and entries only for the indexes the document is in', async () => {
    const { database, store } = await prepared();
    await commit(store, [put('orders', 'o1', 3, { customerId: 'c1', placedAt: 7, label: 5 })], 3);
    expect(database.collection(documentCollectionName(VERSION, 'orders')).records.get('o1')).toEqual({
      _id: 'o1',
      position: 3,
      epoch: 1,
      document: { customerId: 'c1', placedAt: 7, label: 5 },
      ix: { 'by-customer': { eq0: 'c1', sort: 7 } },
    });
  });

  it('creates the declared indexes in prepare, and again the same way is a no-op', async () => {
    const { database, store } = await prepared();
    rightOrThrow(await store.prepare(VERSION, COLLECTIONS));
    expect(database.collection(documentCollectionName(VERSION, 'orders')).indexes.map((index) => (index as { name: string }).name)).toEqual(['by-customer', 'by-label']);
  });

  it('sends a document written several times in a batch at rising positions once, with its last write', async () => {
    const { database, store } = await prepared();
    database.log.length = 0;
    await commit(store, [put('counters', 'c', 1, { n: 1 }), put('counters', 'c', 2, { n: 2 }), remove('counters', 'c', 3), put('counters', 'c', 4, { n: 4 })], 4);
    const bulks = database.log.filter((entry) => entry.operation === 'bulkWrite');
    expect(bulks).toHaveLength(1);
    expect(bulks[0]?.detail).toHaveLength(1);
    expect(rightOrThrow(await store.get(VERSION, 'counters', 'c'))).toEqual({ id: 'c', position: 4, document: { n: 4 } });
  });

  it('refuses field names and text MongoDB cannot store faithfully, before writing anything', async () => {
    const { database, store } = await prepared();
    // BSON holds UTF-8, with no form for a lone surrogate: the driver sends U+FFFD, so two ids would name one document.
    const documents = [{ $set: 1 }, { 'a.b': 1 }, { nested: [{ '': 1 }] }, { 'nul\u0000': 1 }, { note: 'x\udc00y' }, { ['key\ud800']: 1 }];
    for (const [id, document] of [...documents.map((d) => ['bad', d] as const), ['bad\ud800', { n: 1 }] as const]) {
      const result = await store.commit(VERSION, { writes: [put('counters', 'ok', 1, { n: 1 }), put('counters', id, 1, document)], checkpoint: 1, expectedCheckpoint: undefined });
      expect(result).toEqual(E.left(expect.objectContaining({ code: 'INVALID_DOCUMENT', collection: 'counters', id })));
    }
    expect(database.collection(documentCollectionName(VERSION, 'counters')).records.size).toBe(0);
  });
});

describe('MongoDB read-model store over mingo (no server): exactly-once effects without transactions', () => {
  it('a duplicate key on a conditioned upsert means already applied: the document stays, the batch commits', async () => {
    const { database, store } = await prepared();
    await commit(store, [put('counters', 'c', 5, { n: 5 })], 5);
    database.log.length = 0;
    await commit(store, [put('counters', 'c', 3, { n: 3 }), put('counters', 'd', 6, { n: 6 })], 6);
    expect(rightOrThrow(await store.get(VERSION, 'counters', 'c'))).toEqual({ id: 'c', position: 5, document: { n: 5 } });
    expect(rightOrThrow(await store.get(VERSION, 'counters', 'd'))).toEqual({ id: 'd', position: 6, document: { n: 6 } });
    expect(rightOrThrow(await store.checkpoint(VERSION))).toBe(6);
    // The refused upsert is sent once more, alone, to tell "already applied" from an insert race.
    const bulks = database.log.filter((entry) => entry.operation === 'bulkWrite').map((entry) => (entry.detail as unknown[]).length);
    expect(bulks).toEqual([2, 1]);
  });

  it('when another writer inserts the document between an upsert’s match and its insert, the retry settles it by position and claim', async () => {
    const { database, store } = await prepared();
    // A writer fenced off by this commit's claim inserts its own version of the same event's document.
    database.raceUpsertOf('c', (collection) => {
      collection.records.set('c', { _id: 'c', position: 1, epoch: 0, document: { by: 'stale writer' }, ix: {} });
    });
    await commit(store, [put('counters', 'c', 1, { by: 'this commit' })], 1);
    expect(rightOrThrow(await store.get(VERSION, 'counters', 'c'))?.document).toEqual({ by: 'this commit' });
  });

  it('of concurrent commits from one checkpoint, exactly one moves it, and the documents are its own', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { store } = await prepared();
      await commit(store, [], 0);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.commit(VERSION, { writes: [put('counters', 'c', 1, { writer: i }), put('counters', `only-${i}`, 1, { writer: i })], checkpoint: 1, expectedCheckpoint: 0 })),
      );
      const winners = results.flatMap((result, i) => (E.isRight(result) ? [i] : []));
      expect(winners).toHaveLength(1);
      expect(results.filter(E.isLeft).every((result) => codeOf(result) === 'CHECKPOINT_MOVED')).toBe(true);
      expect(rightOrThrow(await store.get(VERSION, 'counters', 'c'))?.document).toEqual({ writer: winners[0] });
      expect(rightOrThrow(await store.checkpoint(VERSION))).toBe(1);
    }
  });

  it('a commit fenced off, whose writes reach the server after a later claim deleted the document, does not bring it back', async () => {
    const { database, store } = await prepared();
    await commit(store, [put('counters', 'x', 1, { n: 1 })], 1);
    const late = database.holdNext('bulkWrite', documentCollectionName(VERSION, 'counters'));
    const fencedOff = store.commit(VERSION, { writes: [put('counters', 'x', 5, { n: 5 })], checkpoint: 6, expectedCheckpoint: 1 });
    await late.reached;
    const other = new MongoReadModelStore(database.asDb());
    rightOrThrow(await other.commit(VERSION, { writes: [remove('counters', 'x', 8)], checkpoint: 9, expectedCheckpoint: 1 }));
    late.release();
    expect(await fencedOff).toEqual(E.left(expect.objectContaining({ code: 'CHECKPOINT_MOVED' })));
    expect(rightOrThrow(await store.get(VERSION, 'counters', 'x'))).toBeUndefined();
    expect(rightOrThrow(await store.getMany(VERSION, [{ collection: 'counters', id: 'x' }]))).toEqual([undefined]);
    expect(rightOrThrow(await store.checkpoint(VERSION))).toBe(9);
    // A later commit puts the document back, as on a missing one.
    await commit(store, [put('counters', 'x', 10, { n: 10 })], 10);
    expect(rightOrThrow(await store.get(VERSION, 'counters', 'x'))).toEqual({ id: 'x', position: 10, document: { n: 10 } });
  });

  it('a commit cut short by a lost connection leaves the checkpoint, and replayed from it ends as if applied once', async () => {
    const { database, store } = await prepared();
    await commit(store, [put('counters', 'a', 1, { n: 1 }), put('counters', 'b', 2, { n: 1 })], 2);
    const batch = [put('counters', 'a', 3, { n: 2 }), remove('counters', 'b', 4), put('counters', 'c', 5, { n: 1 })];
    database.loseConnectionAfter(2, new MongoNetworkError('connection reset by peer'));
    const cut = await store.commit(VERSION, { writes: batch, checkpoint: 5, expectedCheckpoint: 2 });
    // As the driver does, the stand-in reports the dropped connection as a MongoBulkWriteError with no write errors.
    expect(cut).toEqual(E.left(expect.objectContaining({ code: 'READ_MODEL_UNAVAILABLE', cause: expect.any(MongoBulkWriteError) })));
    expect(E.isLeft(cut) && cut.left.message).toMatch(/failed as a whole.*connection reset by peer/);
    expect(rightOrThrow(await store.checkpoint(VERSION))).toBe(2);
    expect(rightOrThrow(await store.get(VERSION, 'counters', 'a'))?.position).toBe(3);
    database.recover();
    rightOrThrow(await store.commit(VERSION, { writes: batch, checkpoint: 5, expectedCheckpoint: 2 }));
    const once = new MemoryReadModelStore();
    rightOrThrow(await once.prepare(VERSION, COLLECTIONS));
    await commit(once, [put('counters', 'a', 1, { n: 1 }), put('counters', 'b', 2, { n: 1 })], 2);
    await commit(once, batch, 5);
    for (const id of ['a', 'b', 'c']) expect(rightOrThrow(await store.get(VERSION, 'counters', id))).toEqual(rightOrThrow(await once.get(VERSION, 'counters', id)));
    expect(rightOrThrow(await store.checkpoint(VERSION))).toBe(5);
  });

  // Documents from an alphabet on which mingo's string order agrees with MongoDB's (see the stand-in).
  const IDS = ['a', 'b', 'B', 'é', '😀'];
  const text = fc.string({ unit: fc.constantFrom('a', 'b', 'B', 'é', '😀'), maxLength: 2 });
  const body: fc.Arbitrary<JsonDocument> = fc
    .record({ customerId: fc.option(fc.constantFrom('c1', 'c2'), { nil: undefined }), placedAt: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }), label: fc.option(text, { nil: undefined }) })
    .map((fields) => Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as JsonDocument);
  const effect = fc.record({
    kind: fc.constantFrom<'put' | 'delete'>('put', 'put', 'delete'),
    collection: fc.constantFrom('orders', 'counters'),
    id: fc.constantFrom(...IDS),
    // Mostly the event's own position; sometimes an earlier one, as a write that arrives out of order.
    lag: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 1 }),
    body,
  });
  /** A run of events (each with 0–3 effects) cut into batches, each maybe cut short after some writes. */
  const history = fc.array(
    fc.record({
      events: fc.array(fc.array(effect, { maxLength: 3 }), { minLength: 1, maxLength: 4 }),
      crashAfter: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 6 },
  );

  const allPages = async (store: ReadModelStore, query: Omit<IndexQuery, 'after'>): Promise<StoredDocument[][]> => {
    const pages: StoredDocument[][] = [];
    let after: IndexQuery['after'];
    for (;;) {
      const page = rightOrThrow(await store.find(VERSION, { ...query, ...(after === undefined ? {} : { after }) }));
      pages.push([...page.documents]);
      if (page.next === undefined) return pages;
      after = page.next;
    }
  };

  it('property: batches with duplicate and out-of-order positions, some cut short and replayed, end like the in-memory store applying each once', async () => {
    await fc.assert(
      fc.asyncProperty(history, fc.integer({ min: 1, max: 3 }), async (batches, limit) => {
        const { database, store } = await prepared();
        const reference = new MemoryReadModelStore();
        rightOrThrow(await reference.prepare(VERSION, COLLECTIONS));
        let position = 0;
        for (const { events, crashAfter } of batches) {
          const writes: DocumentWrite[] = [];
          for (const effects of events) {
            position += 1;
            for (const { kind, collection, id, lag, body: document } of effects) {
              const at = Math.max(0, position - lag);
              writes.push(kind === 'put' ? put(collection, id, at, document) : remove(collection, id, at));
            }
          }
          const expectedCheckpoint = rightOrThrow(await reference.checkpoint(VERSION));
          rightOrThrow(await reference.commit(VERSION, { writes, checkpoint: position, expectedCheckpoint }));
          if (crashAfter !== undefined) {
            database.loseConnectionAfter(crashAfter, new MongoNetworkError('connection reset by peer'));
            const cut = await store.commit(VERSION, { writes, checkpoint: position, expectedCheckpoint });
            database.recover();
            if (E.isLeft(cut)) {
              expect(cut.left.code).toBe('READ_MODEL_UNAVAILABLE');
              expect(rightOrThrow(await store.checkpoint(VERSION))).toBe(expectedCheckpoint);
              rightOrThrow(await store.commit(VERSION, { writes, checkpoint: position, expectedCheckpoint }));
            }
          } else {
            rightOrThrow(await store.commit(VERSION, { writes, checkpoint: position, expectedCheckpoint }));
          }
          expect(rightOrThrow(await store.checkpoint(VERSION))).toBe(position);
          const keys = COLLECTIONS.flatMap(({ name }) => IDS.map((id) => ({ collection: name, id })));
          expect(rightOrThrow(await store.getMany(VERSION, keys))).toEqual(rightOrThrow(await reference.getMany(VERSION, keys)));
        }
        for (const query of [
          { collection: 'orders', index: 'by-customer', equals: { customerId: 'c1' } },
          { collection: 'orders', index: 'by-customer', equals: { customerId: 'c2' } },
          { collection: 'orders', index: 'by-label', equals: {} },
        ]) {
          for (const order of ['ascending', 'descending'] as const) {
            expect(await allPages(store, { ...query, order, limit })).toEqual(await allPages(reference, { ...query, order, limit }));
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('property: batches of arbitrary writes, positions in any order, end like the in-memory store', async () => {
    const write = fc.record({ kind: fc.constantFrom<'put' | 'delete'>('put', 'delete'), id: fc.constantFrom('a', 'b', 'c'), position: fc.integer({ min: 0, max: 12 }), body });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(write, { maxLength: 8 }), { minLength: 1, maxLength: 5 }), async (batches) => {
        const { store } = await prepared();
        const reference = new MemoryReadModelStore();
        rightOrThrow(await reference.prepare(VERSION, COLLECTIONS));
        let checkpoint = 0;
        for (const batch of batches) {
          const writes = batch.map(({ kind, id, position, body: document }) => (kind === 'put' ? put('orders', id, position, document) : remove('orders', id, position)));
          const expectedCheckpoint = rightOrThrow(await reference.checkpoint(VERSION));
          checkpoint = Math.max(checkpoint, ...batch.map((w) => w.position));
          rightOrThrow(await reference.commit(VERSION, { writes, checkpoint, expectedCheckpoint }));
          rightOrThrow(await store.commit(VERSION, { writes, checkpoint, expectedCheckpoint }));
          const keys = ['a', 'b', 'c'].map((id) => ({ collection: 'orders', id }));
          expect(rightOrThrow(await store.getMany(VERSION, keys))).toEqual(rightOrThrow(await reference.getMany(VERSION, keys)));
        }
      }),
      { numRuns: 50 },
    );
  });
});

describe('MongoDB read-model store over mingo (no server): versions', () => {
  it('refuses a collection declared again with other indexes, leaving the first declaration', async () => {
    const { store } = await prepared();
    const changed: CollectionDefinition[] = [
      { name: 'extra', indexes: [] },
      { name: 'orders', indexes: [{ name: 'by-customer', equals: ['customerId'], sortBy: { field: 'total', type: 'number' } }] },
    ];
    expect(codeOf(await store.prepare(VERSION, changed))).toBe('INVALID_DEFINITION');
    expect(codeOf(await store.get(VERSION, 'extra', 'x'))).toBe('UNKNOWN_COLLECTION');
    rightOrThrow(await store.prepare(VERSION, COLLECTIONS));
  });

  it('answers UNKNOWN_COLLECTION for an undeclared collection or version, in get, getMany, find and commit', async () => {
    const { store } = await prepared();
    const other = { projection: 'never', version: 1 };
    expect(codeOf(await store.get(VERSION, 'nope', 'x'))).toBe('UNKNOWN_COLLECTION');
    expect(codeOf(await store.get(VERSION, 'not a name', 'x'))).toBe('UNKNOWN_COLLECTION');
    expect(codeOf(await store.get(other, 'orders', 'x'))).toBe('UNKNOWN_COLLECTION');
    expect(codeOf(await store.getMany(VERSION, [{ collection: 'orders', id: 'x' }, { collection: 'nope', id: 'x' }]))).toBe('UNKNOWN_COLLECTION');
    expect(codeOf(await store.find(VERSION, { collection: 'nope', index: 'by-customer', equals: {}, order: 'ascending', limit: 1 }))).toBe('UNKNOWN_COLLECTION');
    expect(codeOf(await store.commit(other, { writes: [], checkpoint: 1, expectedCheckpoint: undefined }))).toBe('UNKNOWN_COLLECTION');
  });

  it('activates by compare-and-set and drops an inactive version whole', async () => {
    const { database, store } = await prepared();
    const v2 = { projection: VERSION.projection, version: 2 };
    rightOrThrow(await store.prepare(v2, COLLECTIONS));
    await commit(store, [put('counters', 'c', 1, { n: 1 })], 1);
    rightOrThrow(await store.activate(VERSION.projection, 2, undefined));
    expect(await store.activate(VERSION.projection, 1, undefined)).toEqual(E.left(expect.objectContaining({ code: 'ACTIVE_VERSION_MOVED', expected: undefined, actual: 2 })));
    expect(await store.activate(VERSION.projection, 1, 3)).toEqual(E.left(expect.objectContaining({ code: 'ACTIVE_VERSION_MOVED', expected: 3, actual: 2 })));
    expect(codeOf(await store.drop(v2))).toBe('VERSION_IS_ACTIVE');
    rightOrThrow(await store.drop(VERSION));
    expect(database.collectionNames().filter((name) => name.includes('.v1.'))).toEqual([]);
    expect(rightOrThrow(await store.checkpoint(VERSION))).toBeUndefined();
    rightOrThrow(await store.prepare(VERSION, COLLECTIONS));
    expect(rightOrThrow(await store.get(VERSION, 'counters', 'c'))).toBeUndefined();
    rightOrThrow(await store.drop({ projection: 'never', version: 1 }));
  });
});
