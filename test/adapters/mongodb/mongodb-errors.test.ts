import * as E from 'fp-ts/Either';
import {
  MongoBulkWriteError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
} from 'mongodb';
import { ACTIVE_VERSIONS_COLLECTION, documentCollectionName, VERSIONS_COLLECTION } from '../../../src/adapters/read-model/mongodb/mongodb-commands';
import { MongoReadModelStore } from '../../../src/adapters/read-model/mongodb/mongodb-read-model-store';
import type { DocumentWrite, JsonDocument, ProjectionVersion } from '../../../src/projections/read-model-store';
import { driverErrors, MingoDatabase } from '../../support/mongodb-mingo-database';
import { ordersAndCounters, ordersByCustomer } from '../../../src/testing/contract/read-model-collections';

/*
 * The adapter's handling of the driver's own error classes, thrown by the mingo-backed stand-in (no MongoDB
 * server is involved), and of the one real failure reachable here: the real driver finding no server.
 */

const rightOrThrow = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected success, got ${JSON.stringify(either.left)}`);
  return either.right;
};
const put = (collection: string, id: string, position: number, document: JsonDocument): DocumentWrite => ({ kind: 'put', collection, id, position, document });

const COLLECTIONS = ordersAndCounters(ordersByCustomer);
const VERSION: ProjectionVersion = { projection: 'orders-view', version: 1 };
const COUNTERS = documentCollectionName(VERSION, 'counters');

const prepared = async (): Promise<{ database: MingoDatabase; store: MongoReadModelStore }> => {
  const database = new MingoDatabase();
  const store = new MongoReadModelStore(database.asDb());
  rightOrThrow(await store.prepare(VERSION, COLLECTIONS));
  return { database, store };
};

const unavailableBecauseOf = (cause: unknown) => E.left(expect.objectContaining({ code: 'READ_MODEL_UNAVAILABLE', cause }));

describe('MongoDB read-model store: driver errors become typed values', () => {
  const failures: readonly [string, () => Error][] = [
    ['MongoNetworkError', () => new MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017')],
    ['MongoNetworkTimeoutError', () => new MongoNetworkTimeoutError('connection timed out')],
    ['MongoServerSelectionError', () => driverErrors.serverSelection('Server selection timed out after 30000 ms')],
    ['MongoTopologyClosedError', () => new MongoTopologyClosedError()],
    ['MongoNotConnectedError', () => new MongoNotConnectedError('MongoClient must be connected to perform this operation')],
    ['MongoOperationTimeoutError', () => new MongoOperationTimeoutError('Timed out during operation execution')],
    ['MongoServerError Unauthorized (13)', () => new MongoServerError({ message: 'not authorized on test to execute command', code: 13, codeName: 'Unauthorized' })],
    ['an error that is not the driver’s', () => new TypeError('Cannot read properties of undefined')],
  ];

  it.each(failures)('%s from a read comes back as READ_MODEL_UNAVAILABLE carrying it, never thrown', async (_name, make) => {
    const { database, store } = await prepared();
    const reads = [
      ['findOne', () => store.get(VERSION, 'counters', 'c')],
      ['findOne', () => store.checkpoint(VERSION)],
      ['findOne', () => store.activeVersion('orders-view')],
      ['find', () => store.getMany(VERSION, [{ collection: 'counters', id: 'c' }])],
      ['find', () => store.find(VERSION, { collection: 'orders', index: 'by-customer', equals: { customerId: 'c1' }, order: 'ascending', limit: 5 })],
    ] as const;
    for (const [operation, read] of reads) {
      const error = make();
      database.failNext(operation, error);
      const result = await read();
      expect(result).toEqual(unavailableBecauseOf(error));
      expect(E.isLeft(result) && result.left.message.length).toBeGreaterThan(0);
    }
  });

  it.each(failures)('%s while claiming a commit leaves no trace, and the batch can be committed again', async (_name, make) => {
    const { database, store } = await prepared();
    const error = make();
    database.failNext('findOneAndUpdate', error, VERSIONS_COLLECTION);
    const batch = { writes: [put('counters', 'c', 1, { n: 1 })], checkpoint: 1, expectedCheckpoint: undefined };
    expect(await store.commit(VERSION, batch)).toEqual(unavailableBecauseOf(error));
    expect(database.collection(COUNTERS).records.size).toBe(0);
    expect(rightOrThrow(await store.checkpoint(VERSION))).toBeUndefined();
    rightOrThrow(await store.commit(VERSION, batch));
    expect(rightOrThrow(await store.checkpoint(VERSION))).toBe(1);
  });

  it('a write concern error on the checkpoint is UNAVAILABLE (not known to be durable); the caller then finds where it stands', async () => {
    const { database, store } = await prepared();
    const error = new MongoWriteConcernError({ ok: 1, writeConcernError: { code: 64, codeName: 'WriteConcernFailed', errmsg: 'waiting for replication timed out' } });
    // The server applied the write on the primary before the write concern failed.
    database.failNextAfterApplying('updateOne', error, VERSIONS_COLLECTION);
    const batch = { writes: [put('counters', 'c', 1, { n: 1 })], checkpoint: 1, expectedCheckpoint: undefined };
    const result = await store.commit(VERSION, batch);
    expect(result).toEqual(unavailableBecauseOf(error));
    expect(E.isLeft(result) && result.left.message).toMatch(/not acknowledged as durable/);
    expect(await store.commit(VERSION, batch)).toEqual(E.left(expect.objectContaining({ code: 'CHECKPOINT_MOVED', expected: undefined, actual: 1 })));
    expect(rightOrThrow(await store.get(VERSION, 'counters', 'c'))).toEqual({ id: 'c', position: 1, document: { n: 1 } });
  });
});

describe('MongoDB read-model store: bulk write errors, per write', () => {
  const batch = { writes: [put('counters', 'a', 1, { n: 1 }), put('counters', 'b', 1, { n: 2 })], checkpoint: 1, expectedCheckpoint: undefined };

  it('a document the server refuses (BSONObjectTooLarge) is INVALID_DOCUMENT naming it, and the checkpoint stays', async () => {
    const { database, store } = await prepared();
    database.failNext('bulkWrite', driverErrors.bulkWriteRefusing([{ index: 1, code: 10334, errmsg: 'Resulting document after update is larger than 16777216' }]), COUNTERS);
    expect(await store.commit(VERSION, batch)).toEqual(E.left(expect.objectContaining({ code: 'INVALID_DOCUMENT', collection: 'counters', id: 'b' })));
    expect(rightOrThrow(await store.checkpoint(VERSION))).toBeUndefined();
  });

  it('a duplicate key next to another refusal is not taken for "already applied"', async () => {
    const { database, store } = await prepared();
    const error = driverErrors.bulkWriteRefusing([
      { index: 0, code: 11000, errmsg: 'E11000 duplicate key error' },
      { index: 1, code: 121, errmsg: 'Document failed validation' },
    ]);
    database.failNext('bulkWrite', error, COUNTERS);
    expect(await store.commit(VERSION, batch)).toEqual(unavailableBecauseOf(error));
    expect(rightOrThrow(await store.checkpoint(VERSION))).toBeUndefined();
  });

  it('a duplicate key from an upsert is retried once, then read as "already applied"', async () => {
    const { database, store } = await prepared();
    database.failNext('bulkWrite', driverErrors.bulkWriteRefusing([{ index: 1, code: 11000, errmsg: 'E11000 duplicate key error' }]), COUNTERS);
    rightOrThrow(await store.commit(VERSION, batch));
    // The injected refusal applied nothing; the retry of the refused write did.
    expect(rightOrThrow(await store.get(VERSION, 'counters', 'a'))).toBeUndefined();
    expect(rightOrThrow(await store.get(VERSION, 'counters', 'b'))).toEqual({ id: 'b', position: 1, document: { n: 2 } });
    expect(rightOrThrow(await store.checkpoint(VERSION))).toBe(1);
  });

  it("a delete is an upsert of its tombstone too: a duplicate key on it is retried once, then read as 'already applied'", async () => {
    const { database, store } = await prepared();
    rightOrThrow(await store.commit(VERSION, { writes: [put('counters', 'a', 0, { n: 1 })], checkpoint: 0, expectedCheckpoint: undefined }));
    database.failNext('bulkWrite', driverErrors.bulkWriteRefusing([{ index: 0, code: 11000, errmsg: 'E11000 duplicate key error' }]), COUNTERS);
    rightOrThrow(await store.commit(VERSION, { writes: [{ kind: 'delete', collection: 'counters', id: 'a', position: 1 }], checkpoint: 1, expectedCheckpoint: 0 }));
    expect(rightOrThrow(await store.get(VERSION, 'counters', 'a'))).toBeUndefined();
    expect(database.collection(COUNTERS).records.get('a')).toMatchObject({ position: 1, deleted: true });
    expect(rightOrThrow(await store.checkpoint(VERSION))).toBe(1);
  });

  it('a write concern error on a bulk write, or a bulk write cut short, is UNAVAILABLE for the whole batch', async () => {
    for (const error of [driverErrors.bulkWriteConcernFailure(64, 'waiting for replication timed out'), driverErrors.bulkWriteCutShort(new MongoNetworkError('socket hang up'))]) {
      const { database, store } = await prepared();
      database.failNext('bulkWrite', error, COUNTERS);
      expect(await store.commit(VERSION, batch)).toEqual(unavailableBecauseOf(error));
      expect(error).toBeInstanceOf(MongoBulkWriteError);
      expect(rightOrThrow(await store.checkpoint(VERSION))).toBeUndefined();
    }
  });
});

describe('MongoDB read-model store: errors from definitions, activation and lifecycle', () => {
  it('an index that exists with another definition is INVALID_DEFINITION', async () => {
    const { database, store } = await prepared();
    database.failNext('createIndexes', new MongoServerError({ message: 'Index with name: by-customer already exists with different options', code: 85, codeName: 'IndexOptionsConflict' }));
    expect(await store.prepare(VERSION, COLLECTIONS)).toEqual(E.left(expect.objectContaining({ code: 'INVALID_DEFINITION' })));
  });

  it('activation from none, when a version is active, meets a duplicate key: ACTIVE_VERSION_MOVED', async () => {
    const { database, store } = await prepared();
    rightOrThrow(await store.activate('orders-view', 1, undefined));
    database.log.length = 0;
    expect(await store.activate('orders-view', 2, undefined)).toEqual(E.left(expect.objectContaining({ code: 'ACTIVE_VERSION_MOVED', expected: undefined, actual: 1 })));
    expect(database.log.map((entry) => [entry.collection, entry.operation])).toEqual([
      [ACTIVE_VERSIONS_COLLECTION, 'updateOne'],
      [ACTIVE_VERSIONS_COLLECTION, 'findOne'],
    ]);
  });

  it('activation failing otherwise is UNAVAILABLE', async () => {
    const { database, store } = await prepared();
    const error = new MongoNetworkError('socket hang up');
    database.failNext('updateOne', error, ACTIVE_VERSIONS_COLLECTION);
    expect(await store.activate('orders-view', 1, undefined)).toEqual(unavailableBecauseOf(error));
  });

  it('a record the adapter did not write is reported, not trusted', async () => {
    const { database, store } = await prepared();
    const versions = database.collection(VERSIONS_COLLECTION);
    const record = versions.records.get('orders-view/1') as Record<string, unknown>;
    versions.records.set('orders-view/1', { ...record, checkpoint: 'seven' });
    expect(await store.checkpoint(VERSION)).toEqual(E.left(expect.objectContaining({ code: 'READ_MODEL_UNAVAILABLE', message: expect.stringMatching(/did not write/) })));
    versions.records.set('orders-view/1', record);
    database.collection(COUNTERS).records.set('c', { _id: 'c', position: 1, epoch: 1, document: { at: new Date(0) }, ix: {} });
    expect(await store.get(VERSION, 'counters', 'c')).toEqual(E.left(expect.objectContaining({ code: 'READ_MODEL_UNAVAILABLE', message: expect.stringMatching(/did not write/) })));
  });

  it('a closed store answers READ_MODEL_UNAVAILABLE to everything', async () => {
    const { store } = await prepared();
    await store.close();
    await store.close();
    const results = await Promise.all([
      store.prepare(VERSION, COLLECTIONS),
      store.get(VERSION, 'counters', 'c'),
      store.getMany(VERSION, []),
      store.find(VERSION, { collection: 'orders', index: 'by-customer', equals: { customerId: 'c1' }, order: 'ascending', limit: 1 }),
      store.checkpoint(VERSION),
      store.commit(VERSION, { writes: [], checkpoint: 1, expectedCheckpoint: undefined }),
      store.activeVersion('orders-view'),
      store.activate('orders-view', 1, undefined),
      store.drop(VERSION),
    ]);
    for (const result of results) expect(result).toEqual(E.left(expect.objectContaining({ code: 'READ_MODEL_UNAVAILABLE' })));
  });

  it('connect: an unparsable connection string is READ_MODEL_UNAVAILABLE carrying the parse error', async () => {
    // The driver leaves the scheme to mongodb-connection-string-url, whose MongoParseError is its own class.
    expect(await MongoReadModelStore.connect('not-a-mongodb-url', 'test')).toEqual(unavailableBecauseOf(expect.objectContaining({ name: 'MongoParseError' })));
    expect(await MongoReadModelStore.connect('mongodb://127.0.0.1/?serverSelectionTimeoutMS=soon', 'test')).toEqual(unavailableBecauseOf(expect.any(MongoParseError)));
  });

  it('connect: with the real driver and no server listening, READ_MODEL_UNAVAILABLE carrying MongoServerSelectionError', async () => {
    // Port 9 (discard) on the loopback: nothing listens there on this machine, so the real driver fails.
    const result = await MongoReadModelStore.connect('mongodb://127.0.0.1:9/?directConnection=true', 'test', { serverSelectionTimeoutMS: 200 });
    expect(result).toEqual(unavailableBecauseOf(expect.any(MongoServerSelectionError)));
  });
});
