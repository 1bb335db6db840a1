import fc from 'fast-check';
import { find as mingoFind, Query, update as mingoUpdate } from 'mingo';
import { SortedIndex } from '../../../src/adapters/read-model/memory/sorted-index';
import {
  activation,
  checkpointFilter,
  checkpointUpdate,
  claimFilter,
  claimUpdate,
  findFilter,
  findSort,
  indexDescription,
  indexEntries,
  putUpdate,
  tombstoneUpdate,
  writeFilter,
  type CheckedWrite,
  type Fence,
} from '../../../src/adapters/read-model/mongodb/mongodb-commands';
import { cloneRaw } from '../../support/mongodb-mingo-database';
import type { CollectionDefinition, IndexDefinition, IndexQuery, JsonDocument, JsonValue, SortValue } from '../../../src/projections/read-model-store';

/*
 * The filters and update documents the MongoDB adapter builds, evaluated by mingo — an independent
 * implementation of MongoDB's query and update language — rather than by the adapter's own reasoning.
 * No MongoDB server is involved.
 */

type Raw = Record<string, unknown>;
const test = (filter: object, record: Raw): boolean => new Query(filter as Raw, {}).test(record);
const applied = (record: Raw, update: object): Raw => {
  const copy = cloneRaw(record);
  mingoUpdate(copy, cloneRaw(update) as Raw);
  return copy;
};

const ORDERS: CollectionDefinition = {
  name: 'orders',
  indexes: [
    { name: 'by-customer', equals: ['customerId'], sortBy: { field: 'placedAt', type: 'number' } },
    { name: 'by-status-and-customer', equals: ['status', 'customerId'], sortBy: { field: 'placedAt', type: 'number' } },
    { name: 'by-label', equals: [], sortBy: { field: 'label', type: 'string' } },
  ],
};
const index = (name: string): IndexDefinition => ORDERS.indexes.find((candidate) => candidate.name === name) as IndexDefinition;

const put = (id: string, position: number, document: JsonDocument): Extract<CheckedWrite, { kind: 'put' }> => ({
  kind: 'put',
  collection: 'orders',
  id,
  position,
  document,
  entries: indexEntries(ORDERS, document),
});

describe('MongoDB commands, evaluated by mingo: position-conditioned writes', () => {
  const fence: Fence = { epoch: 7, expectedCheckpoint: 10 };
  const stored = (position: number, epoch: number): Raw => ({ _id: 'o1', position, epoch, document: { n: 0 }, ix: {} });

  it('a write changes a document that reflects an earlier event, and not one at the same or a later event', () => {
    const write = put('o1', 12, { n: 1 });
    expect(test(writeFilter(write, fence), stored(11, 9))).toBe(true);
    expect(test(writeFilter(write, fence), stored(12, 7))).toBe(false);
    expect(test(writeFilter(write, fence), stored(13, 1))).toBe(false);
    expect(test(writeFilter(write, fence), { ...stored(11, 1), _id: 'o2' })).toBe(false);
  });

  it('beyond the checkpoint it started from, a later claim takes over a document an earlier claim wrote at the same position', () => {
    const write = put('o1', 12, { n: 1 });
    expect(test(writeFilter(write, fence), stored(12, 6))).toBe(true);
    expect(test(writeFilter(write, { epoch: 6, expectedCheckpoint: 10 }), stored(12, 7))).toBe(false);
  });

  it('at or below that checkpoint, a document at the same position is committed and stays, whatever its epoch', () => {
    const write = put('o1', 10, { n: 1 });
    expect(test(writeFilter(write, fence), stored(10, 1))).toBe(false);
    expect(test(writeFilter(write, fence), stored(9, 1))).toBe(true);
    expect(test(writeFilter(write, { epoch: 2, expectedCheckpoint: undefined }), stored(10, 1))).toBe(true);
  });

  it('a put replaces body, position, epoch and index entries whole, dropping entries of indexes the document left', () => {
    const before = { ...stored(3, 1), document: { customerId: 'c1', placedAt: 1, extra: true }, ix: { 'by-customer': { eq0: 'c1', sort: 1 } } };
    const write = put('o1', 12, { label: 'x' });
    expect(applied(before, putUpdate(write, fence))).toEqual({ _id: 'o1', position: 12, epoch: 7, document: { label: 'x' }, ix: { 'by-label': { sort: 'x' } } });
  });

  it('a delete leaves a tombstone: its position and claim, no body, no index entries; a put makes it a document again', () => {
    const before = { ...stored(3, 1), document: { customerId: 'c1', placedAt: 1 }, ix: { 'by-customer': { eq0: 'c1', sort: 1 } } };
    const tombstone = applied(before, tombstoneUpdate({ kind: 'delete', collection: 'orders', id: 'o1', position: 12 }, fence));
    expect(tombstone).toEqual({ _id: 'o1', position: 12, epoch: 7, deleted: true, ix: {} });
    expect(applied(tombstone, putUpdate(put('o1', 14, { label: 'x' }), fence))).toEqual({ _id: 'o1', position: 14, epoch: 7, document: { label: 'x' }, ix: { 'by-label': { sort: 'x' } } });
  });

  it('a tombstone takes any write of its own claim or a later one, whatever the position, and none of an earlier claim', () => {
    const tombstone = (position: number, epoch: number): Raw => ({ _id: 'o1', position, epoch, deleted: true, ix: {} });
    for (const position of [5, 10, 12, 20]) {
      const write = put('o1', position, { n: 1 });
      expect(test(writeFilter(write, fence), tombstone(12, 6))).toBe(true);
      expect(test(writeFilter(write, fence), tombstone(12, 7))).toBe(true);
      expect(test(writeFilter(write, fence), tombstone(12, 8))).toBe(false);
    }
  });

  it('an upsert that matches nothing inserts the filter’s _id with the update applied, as the server does', () => {
    const write = put('o9', 12, { customerId: 'c1', placedAt: 5 });
    const filter = writeFilter(write, fence) as Raw;
    const equalities = Object.fromEntries(Object.entries(filter).filter(([key, value]) => !key.startsWith('$') && (typeof value !== 'object' || value === null)));
    expect(equalities).toEqual({ _id: 'o9' });
    expect(applied(equalities, putUpdate(write, fence))).toEqual({
      _id: 'o9',
      position: 12,
      epoch: 7,
      document: { customerId: 'c1', placedAt: 5 },
      ix: { 'by-customer': { eq0: 'c1', sort: 5 } },
    });
  });
});

describe('MongoDB commands, evaluated by mingo: checkpoint and active version', () => {
  const version = { projection: 'orders', version: 2 };
  const record = (checkpoint: number | null | undefined, epoch: number | undefined): Raw => ({
    _id: 'orders/2',
    ...(checkpoint === undefined ? {} : { checkpoint }),
    ...(epoch === undefined ? {} : { epoch }),
  });

  it('claims only from the checkpoint expected, counting missing and null as none', () => {
    expect(test(claimFilter(version, undefined), record(undefined, undefined))).toBe(true);
    expect(test(claimFilter(version, undefined), record(null, 3))).toBe(true);
    expect(test(claimFilter(version, undefined), record(0, 3))).toBe(false);
    expect(test(claimFilter(version, 5), record(5, 3))).toBe(true);
    expect(test(claimFilter(version, 5), record(6, 3))).toBe(false);
    expect(test(claimFilter({ projection: 'orders', version: 3 }, 5), record(5, 3))).toBe(false);
    expect(applied(record(5, undefined), claimUpdate)).toEqual({ _id: 'orders/2', checkpoint: 5, epoch: 1 });
    expect(applied(record(5, 4), claimUpdate)).toEqual({ _id: 'orders/2', checkpoint: 5, epoch: 5 });
  });

  it('moves the checkpoint only under the last claim', () => {
    expect(test(checkpointFilter(version, 5, 4), record(5, 4))).toBe(true);
    expect(test(checkpointFilter(version, 5, 4), record(5, 5))).toBe(false);
    expect(test(checkpointFilter(version, 5, 4), record(6, 4))).toBe(false);
    expect(test(checkpointFilter(version, undefined, 1), record(undefined, 1))).toBe(true);
    expect(applied(record(5, 4), checkpointUpdate(9))).toEqual({ _id: 'orders/2', checkpoint: 9, epoch: 4 });
  });

  it('activates from none only where nothing is active, and from a version only where it is the active one', () => {
    const none = activation('orders', 1, undefined);
    expect(none.upsert).toBe(true);
    expect(test(none.filter, { _id: 'orders', version: 1 })).toBe(false);
    const next = activation('orders', 2, 1);
    expect(next.upsert).toBe(false);
    expect(test(next.filter, { _id: 'orders', version: 1 })).toBe(true);
    expect(test(next.filter, { _id: 'orders', version: 3 })).toBe(false);
    expect(applied({ _id: 'orders', version: 1 }, next.update)).toEqual({ _id: 'orders', version: 2 });
  });
});

describe('MongoDB commands, evaluated by mingo: indexes and queries', () => {
  it('indexes equality values, then the sort value, then _id, only for documents in the declared index', () => {
    const description = indexDescription(index('by-status-and-customer'));
    expect(description.name).toBe('by-status-and-customer');
    expect(Object.entries(description.key)).toEqual([
      ['ix.by-status-and-customer.eq0', 1],
      ['ix.by-status-and-customer.eq1', 1],
      ['ix.by-status-and-customer.sort', 1],
      ['_id', 1],
    ]);
    const partial = description.partialFilterExpression as Raw;
    const query = findFilter(index('by-status-and-customer'), { collection: 'orders', index: 'by-status-and-customer', equals: { status: 'paid', customerId: 'c1' }, order: 'ascending', limit: 1 });
    // The server uses a partial index only for queries that imply its filter: every query, and every branch
    // of a query after a cursor, repeats it.
    expect(query['ix.by-status-and-customer.sort']).toEqual(expect.objectContaining(partial['ix.by-status-and-customer.sort'] as Raw));
    const paged = findFilter(index('by-status-and-customer'), {
      collection: 'orders',
      index: 'by-status-and-customer',
      equals: { status: 'paid', customerId: 'c1' },
      order: 'descending',
      after: { value: 3, id: 'o3' },
      limit: 1,
    });
    for (const branch of paged.$or as Raw[]) {
      expect(branch).toEqual(expect.objectContaining({ 'ix.by-status-and-customer.eq0': 'paid', 'ix.by-status-and-customer.eq1': 'c1' }));
      expect(branch['ix.by-status-and-customer.sort']).toEqual(expect.objectContaining(partial['ix.by-status-and-customer.sort'] as Raw));
    }
    expect(test(partial, { _id: 'a', ix: {} })).toBe(false);
    expect(test(partial, { _id: 'a', ix: { 'by-status-and-customer': { eq0: 'paid', eq1: 'c1', sort: 1 } } })).toBe(true);
  });

  it('gives a document index entries exactly when the port’s rule puts it in the index', () => {
    expect(indexEntries(ORDERS, { customerId: 'c1', status: 'paid', placedAt: 3, label: 'x' })).toEqual({
      'by-customer': { eq0: 'c1', sort: 3 },
      'by-status-and-customer': { eq0: 'paid', eq1: 'c1', sort: 3 },
      'by-label': { sort: 'x' },
    });
    expect(indexEntries(ORDERS, { customerId: ['c1'], placedAt: 3, label: 4 })).toEqual({});
    expect(indexEntries(ORDERS, { customerId: 'c1', placedAt: [3], status: null })).toEqual({});
  });

  // Strings from an alphabet on which mingo's UTF-16 order and MongoDB's code-point order agree (no
  // character from U+E000 to U+FFFF next to one above U+FFFF), still covering case, accents and an emoji.
  const text = fc.string({ unit: fc.constantFrom('a', 'b', 'B', 'é', '😀', '0', ' '), minLength: 0, maxLength: 3 });
  const id = fc.string({ unit: fc.constantFrom('a', 'b', 'B', 'é', '😀', '0'), minLength: 1, maxLength: 3 });
  const field = (value: fc.Arbitrary<JsonValue>): fc.Arbitrary<JsonValue | undefined> =>
    fc.oneof({ arbitrary: value, weight: 6 }, { arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: fc.constant(null), weight: 1 }, { arbitrary: fc.constant(['c1']), weight: 1 });
  const number = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ min: -4, max: 4, noNaN: true }), fc.constant(-0));
  const body = fc.record({
    customerId: field(fc.oneof(fc.constantFrom('c1', 'c2'), fc.integer({ min: 1, max: 2 }))),
    status: field(fc.constantFrom('paid', 'shipped')),
    placedAt: field(fc.oneof(number, fc.constant('2'))),
    label: field(fc.oneof(text, fc.integer({ min: 0, max: 2 }))),
  });
  const documents = fc.uniqueArray(fc.tuple(id, body), { selector: ([key]) => key, maxLength: 25 }).map((entries) =>
    entries.map(([key, fields]) => ({
      id: key,
      document: Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as JsonDocument,
    })),
  );
  const sortValue = (name: string): fc.Arbitrary<SortValue> => (index(name).sortBy.type === 'number' ? number : text);
  const query = fc.constantFrom('by-customer', 'by-status-and-customer', 'by-label').chain((name) =>
    fc.record({
      name: fc.constant(name),
      equals: fc.record({ customerId: fc.constantFrom('c1', 'c2'), status: fc.constantFrom('paid', 'shipped') }),
      order: fc.constantFrom<'ascending' | 'descending'>('ascending', 'descending'),
      atLeast: fc.option(sortValue(name), { nil: undefined }),
      below: fc.option(sortValue(name), { nil: undefined }),
      after: fc.option(fc.record({ value: sortValue(name), id }), { nil: undefined }),
      limit: fc.integer({ min: 1, max: 6 }),
    }),
  );

  it('find’s filter, sort and limit return the page the in-memory index returns, cursor and range included', () => {
    fc.assert(
      fc.property(documents, query, fc.nat(), (docs, q, pick) => {
        const definition = index(q.name);
        const sorted = new SortedIndex(definition);
        const records = docs.map(({ id: key, document }) => {
          sorted.update(key, undefined, document);
          return { _id: key, position: 1, epoch: 1, document, ix: indexEntries(ORDERS, document) };
        });
        // Half the time continue after a document that is in the index, as a real cursor does.
        const inIndex = records.filter((record) => definition.name in record.ix);
        const chosen = inIndex[pick % Math.max(1, inIndex.length)];
        const after = pick % 2 === 0 && chosen !== undefined ? { value: (chosen.ix[definition.name] as Raw)['sort'] as SortValue, id: chosen._id } : q.after;
        const indexQuery: IndexQuery = {
          collection: 'orders',
          index: q.name,
          equals: Object.fromEntries(definition.equals.map((name) => [name, q.equals[name as keyof typeof q.equals]])),
          order: q.order,
          ...(q.atLeast === undefined && q.below === undefined
            ? {}
            : { range: { ...(q.atLeast === undefined ? {} : { atLeast: q.atLeast }), ...(q.below === undefined ? {} : { below: q.below }) } }),
          ...(after === undefined ? {} : { after }),
          limit: q.limit,
        };
        const found = mingoFind(records, findFilter(definition, indexQuery) as Raw, { _id: 1 })
          .sort(findSort(definition, q.order) as Raw)
          .limit(q.limit + 1)
          .all()
          .map((record) => record['_id']);
        expect(found).toEqual(sorted.page(indexQuery));
      }),
      { numRuns: 300 },
    );
  });
});
