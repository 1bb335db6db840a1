import * as E from 'fp-ts/Either';
import type {
  CollectionDefinition,
  DocumentWrite,
  IndexQuery,
  JsonDocument,
  ProjectionVersion,
  ReadModelStore,
  StoredDocument,
} from '../../src/projections/read-model-store';
import { ordersAndCounters, ordersByCustomer, ordersByStatusAndCustomer, ordersByLabel } from '../support/read-model-collections';

export interface ReadModelStoreHarness {
  readonly store: ReadModelStore;
  /** Drops whatever the harness created (schema, database). */
  readonly dispose: () => Promise<void>;
}

const rightOrThrow = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected success, got ${JSON.stringify(either.left)}`);
  return either.right;
};

const codeOf = (either: E.Either<{ readonly code: string }, unknown>): string | undefined => (E.isLeft(either) ? either.left.code : undefined);

const put = (collection: string, id: string, position: number, document: JsonDocument): DocumentWrite => ({ kind: 'put', collection, id, position, document });
const remove = (collection: string, id: string, position: number): DocumentWrite => ({ kind: 'delete', collection, id, position });

const COLLECTIONS = ordersAndCounters(ordersByCustomer, ordersByStatusAndCustomer, ordersByLabel);

/**
 * The behaviour every read-model store adapter must show. Each adapter's test calls this with a factory that
 * gives a store per test; projection names are unique per test all the same, so a shared database works.
 */
export const describeReadModelStoreContract = (adapterName: string, createHarness: () => Promise<ReadModelStoreHarness>): void => {
  describe(`read-model store contract: ${adapterName}`, () => {
    let harness: ReadModelStoreHarness;
    let store: ReadModelStore;
    let counter = 0;
    const newProjection = (): string => {
      counter += 1;
      return `contract-${Date.now().toString(36)}-${counter}`;
    };
    const preparedVersion = async (collections: readonly CollectionDefinition[] = COLLECTIONS): Promise<ProjectionVersion> => {
      const version = { projection: newProjection(), version: 1 };
      rightOrThrow(await store.prepare(version, collections));
      return version;
    };
    const commit = async (version: ProjectionVersion, writes: readonly DocumentWrite[], checkpoint: number): Promise<void> => {
      const expectedCheckpoint = rightOrThrow(await store.checkpoint(version));
      rightOrThrow(await store.commit(version, { writes, checkpoint, expectedCheckpoint }));
    };
    const all = async (version: ProjectionVersion, query: Omit<IndexQuery, 'limit' | 'after'>, limit: number): Promise<StoredDocument[]> => {
      const seen: StoredDocument[] = [];
      let after: IndexQuery['after'];
      for (let pages = 0; pages < 1000; pages += 1) {
        const page = rightOrThrow(await store.find(version, { ...query, limit, ...(after === undefined ? {} : { after }) }));
        seen.push(...page.documents);
        if (page.next === undefined) return seen;
        after = page.next;
      }
      throw new Error('paging did not end');
    };

    beforeEach(async () => {
      harness = await createHarness();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.dispose();
    });

    describe('prepare', () => {
      it('declaring the same collections again keeps their documents', async () => {
        const version = await preparedVersion();
        await commit(version, [put('orders', 'o1', 1, { customerId: 'c1', placedAt: 1 })], 1);
        rightOrThrow(await store.prepare(version, COLLECTIONS));
        expect(rightOrThrow(await store.get(version, 'orders', 'o1'))?.document).toEqual({ customerId: 'c1', placedAt: 1 });
      });

      it('refuses a collection declared again with other indexes', async () => {
        const version = await preparedVersion();
        const changed: CollectionDefinition[] = [{ name: 'orders', indexes: [{ name: 'by-customer', equals: ['customerId'], sortBy: { field: 'total', type: 'number' } }] }];
        expect(codeOf(await store.prepare(version, changed))).toBe('INVALID_DEFINITION');
      });

      it('refuses names that are not safe for every backend', async () => {
        expect(codeOf(await store.prepare({ projection: 'Bad Name', version: 1 }, COLLECTIONS))).toBe('INVALID_DEFINITION');
        expect(codeOf(await store.prepare({ projection: newProjection(), version: 0 }, COLLECTIONS))).toBe('INVALID_DEFINITION');
        expect(codeOf(await store.prepare({ projection: newProjection(), version: 1 }, [{ name: 'x y', indexes: [] }]))).toBe('INVALID_DEFINITION');
        const nestedField: CollectionDefinition = { name: 'x', indexes: [{ name: 'i', equals: ['a.b'], sortBy: { field: 's', type: 'number' } }] };
        expect(codeOf(await store.prepare({ projection: newProjection(), version: 1 }, [nestedField]))).toBe('INVALID_DEFINITION');
      });

      it('answers for a collection that was never prepared with UNKNOWN_COLLECTION', async () => {
        const version = await preparedVersion();
        expect(codeOf(await store.get(version, 'nope', 'x'))).toBe('UNKNOWN_COLLECTION');
        expect(codeOf(await store.get({ projection: newProjection(), version: 1 }, 'orders', 'x'))).toBe('UNKNOWN_COLLECTION');
      });
    });

    describe('documents and checkpoints', () => {
      it('starts with no checkpoint and no documents', async () => {
        const version = await preparedVersion();
        expect(rightOrThrow(await store.checkpoint(version))).toBeUndefined();
        expect(rightOrThrow(await store.get(version, 'orders', 'o1'))).toBeUndefined();
      });

      it('stores each document with the position of the event that wrote it, and the checkpoint with them', async () => {
        const version = await preparedVersion();
        await commit(version, [put('orders', 'o1', 3, { customerId: 'c1', placedAt: 10 }), put('counters', 'total', 5, { n: 1 })], 7);
        expect(rightOrThrow(await store.get(version, 'orders', 'o1'))).toEqual({ id: 'o1', position: 3, document: { customerId: 'c1', placedAt: 10 } });
        expect(rightOrThrow(await store.checkpoint(version))).toBe(7);
        const many = rightOrThrow(
          await store.getMany(version, [
            { collection: 'counters', id: 'total' },
            { collection: 'orders', id: 'missing' },
            { collection: 'orders', id: 'o1' },
          ]),
        );
        expect(many.map((d) => d?.id)).toEqual(['total', undefined, 'o1']);
      });

      it('hands documents out frozen all the way down, however read: a reader cannot change what the next one reads', async () => {
        const version = await preparedVersion();
        await commit(version, [put('counters', 'shape', 1, { nested: { list: [1, { deep: ['x'] }] } })], 1);
        const deeplyFrozen = (value: unknown): boolean =>
          typeof value !== 'object' || value === null || (Object.isFrozen(value) && Object.values(value).every(deeplyFrozen));
        const got = rightOrThrow(await store.get(version, 'counters', 'shape'));
        const [many] = rightOrThrow(await store.getMany(version, [{ collection: 'counters', id: 'shape' }]));
        expect([deeplyFrozen(got?.document), deeplyFrozen(many?.document)]).toEqual([true, true]);
      });

      it('keeps nested JSON exactly', async () => {
        const version = await preparedVersion();
        const document = { nested: { list: [1, -2.5, 'три', null, true, { deep: ['😀'] }], empty: {}, none: [] }, big: 9_007_199_254_740_991 };
        await commit(version, [put('counters', 'shape', 1, document)], 1);
        expect(rightOrThrow(await store.get(version, 'counters', 'shape'))?.document).toEqual(document);
      });

      it('keeps a field named __proto__ as a field', async () => {
        const version = await preparedVersion();
        const document = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as JsonDocument;
        await commit(version, [put('counters', 'proto', 1, document)], 1);
        const stored = rightOrThrow(await store.get(version, 'counters', 'proto'))!.document;
        expect(Object.keys(stored).sort()).toEqual(['__proto__', 'a']);
        expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toEqual({ polluted: true });
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      });

      it('is not changed by changing, after the commit, the object that was written', async () => {
        const version = await preparedVersion();
        const document = { list: [1, 2], inner: { n: 1 } };
        await commit(version, [put('counters', 'c', 1, document)], 1);
        document.list.push(3);
        document.inner.n = 2;
        expect(rightOrThrow(await store.get(version, 'counters', 'c'))?.document).toEqual({ list: [1, 2], inner: { n: 1 } });
      });

      it('keeps a document written as the stored one with parts changed, safe from later changes to the new parts', async () => {
        const version = await preparedVersion();
        await commit(version, [put('counters', 'c', 1, { list: [1, 2], inner: { n: 1 }, kept: { deep: [{ a: 1 }] } })], 1);
        const stored = rightOrThrow(await store.get(version, 'counters', 'c'))!.document;
        const inner = { n: 2 };
        await commit(version, [put('counters', 'c', 2, { ...stored, inner })], 2);
        inner.n = 3;
        expect(rightOrThrow(await store.get(version, 'counters', 'c'))?.document).toEqual({ list: [1, 2], inner: { n: 2 }, kept: { deep: [{ a: 1 }] } });
        const refused = await store.commit(version, { writes: [put('counters', 'c', 3, { ...stored, extra: undefined } as unknown as JsonDocument)], checkpoint: 3, expectedCheckpoint: 2 });
        expect(codeOf(refused)).toBe('INVALID_DOCUMENT');
      });

      it('replaces a document with a write from a later event, and ignores one from the same or an earlier event', async () => {
        const version = await preparedVersion();
        await commit(version, [put('counters', 'c', 5, { n: 1 })], 5);
        await commit(version, [put('counters', 'c', 5, { n: 2 }), put('counters', 'c', 4, { n: 3 })], 6);
        expect(rightOrThrow(await store.get(version, 'counters', 'c'))).toEqual({ id: 'c', position: 5, document: { n: 1 } });
        await commit(version, [put('counters', 'c', 8, { n: 4 })], 8);
        expect(rightOrThrow(await store.get(version, 'counters', 'c'))).toEqual({ id: 'c', position: 8, document: { n: 4 } });
      });

      it('deletes a document, unless it reflects a later event; deleting a missing document is nothing', async () => {
        const version = await preparedVersion();
        await commit(version, [put('counters', 'a', 5, { n: 1 }), put('counters', 'b', 5, { n: 1 })], 5);
        await commit(version, [remove('counters', 'a', 4), remove('counters', 'b', 6), remove('counters', 'missing', 6)], 6);
        expect(rightOrThrow(await store.get(version, 'counters', 'a'))?.document).toEqual({ n: 1 });
        expect(rightOrThrow(await store.get(version, 'counters', 'b'))).toBeUndefined();
        expect(rightOrThrow(await store.get(version, 'counters', 'missing'))).toBeUndefined();
      });

      it('applied again from the old checkpoint after being cut short, a batch ends as if applied once', async () => {
        const version = await preparedVersion();
        await commit(version, [put('counters', 'a', 1, { n: 1 }), put('counters', 'b', 2, { n: 1 })], 2);
        const batch = [put('counters', 'a', 3, { n: 2 }), remove('counters', 'b', 4), put('counters', 'c', 5, { n: 1 })];
        // A store without transactions may have written part of the batch and not the checkpoint.
        rightOrThrow(await store.commit(version, { writes: batch.slice(0, 2), checkpoint: 2, expectedCheckpoint: 2 }));
        rightOrThrow(await store.commit(version, { writes: batch, checkpoint: 5, expectedCheckpoint: 2 }));
        const once = await preparedVersion();
        await commit(once, [put('counters', 'a', 1, { n: 1 }), put('counters', 'b', 2, { n: 1 })], 2);
        await commit(once, batch, 5);
        for (const id of ['a', 'b', 'c']) {
          expect(rightOrThrow(await store.get(version, 'counters', id))).toEqual(rightOrThrow(await store.get(once, 'counters', id)));
        }
        expect(rightOrThrow(await store.checkpoint(version))).toBe(5);
      });

      it('refuses a batch whole when the checkpoint is not the one expected', async () => {
        const version = await preparedVersion();
        await commit(version, [], 3);
        const result = await store.commit(version, { writes: [put('counters', 'c', 4, { n: 1 })], checkpoint: 4, expectedCheckpoint: 2 });
        expect(result).toEqual(E.left(expect.objectContaining({ code: 'CHECKPOINT_MOVED', expected: 2, actual: 3 })));
        expect(rightOrThrow(await store.get(version, 'counters', 'c'))).toBeUndefined();
        expect(rightOrThrow(await store.checkpoint(version))).toBe(3);
      });

      it('of concurrent batches expecting the same checkpoint, exactly one is applied', async () => {
        const version = await preparedVersion();
        await commit(version, [], 0);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => store.commit(version, { writes: [put('counters', 'c', 1, { writer: i })], checkpoint: 1, expectedCheckpoint: 0 })),
        );
        expect(results.filter(E.isRight)).toHaveLength(1);
        expect(results.filter(E.isLeft).every((r) => codeOf(r) === 'CHECKPOINT_MOVED')).toBe(true);
        expect(rightOrThrow(await store.checkpoint(version))).toBe(1);
        // A store without transactions may keep a refused writer's document of the same position; two
        // runners at one checkpoint apply the same events, so in use those documents are the same.
        expect(rightOrThrow(await store.get(version, 'counters', 'c'))?.document).toEqual({ writer: expect.any(Number) });
      });

      it('refuses a batch whole when one write names an unknown collection', async () => {
        const version = await preparedVersion();
        const result = await store.commit(version, { writes: [put('counters', 'ok', 1, { n: 1 }), put('nope', 'x', 1, { n: 1 })], checkpoint: 1, expectedCheckpoint: undefined });
        expect(codeOf(result)).toBe('UNKNOWN_COLLECTION');
        expect(rightOrThrow(await store.get(version, 'counters', 'ok'))).toBeUndefined();
        expect(rightOrThrow(await store.checkpoint(version))).toBeUndefined();
      });

      it.each([
        ['NaN', { n: Number.NaN }],
        ['Infinity', { n: Number.POSITIVE_INFINITY }],
        ['undefined', { n: undefined }],
        ['a Date', { n: new Date(0) }],
        ['a function', { n: () => 1 }],
      ])('refuses a batch whole when a document holds %s', async (_label, document) => {
        const version = await preparedVersion();
        const writes = [put('counters', 'ok', 1, { n: 1 }), put('counters', 'bad', 1, document as unknown as JsonDocument)];
        const result = await store.commit(version, { writes, checkpoint: 1, expectedCheckpoint: undefined });
        expect(result).toEqual(E.left(expect.objectContaining({ code: 'INVALID_DOCUMENT', collection: 'counters', id: 'bad' })));
        expect(rightOrThrow(await store.get(version, 'counters', 'ok'))).toBeUndefined();
      });

      it('refuses a checkpoint that moves back, and an id no store keeps as sent (empty, U+0000, a lone surrogate)', async () => {
        const version = await preparedVersion();
        await commit(version, [], 5);
        expect(codeOf(await store.commit(version, { writes: [], checkpoint: 4, expectedCheckpoint: 5 }))).toBe('INVALID_BATCH');
        for (const id of ['', 'a\u0000b', 'a\uDC00b']) {
          expect(codeOf(await store.commit(version, { writes: [put('counters', id, 6, { n: 1 })], checkpoint: 6, expectedCheckpoint: 5 }))).toBe('INVALID_DOCUMENT');
        }
      });

      it('keeps versions and projections apart', async () => {
        const projection = newProjection();
        const v1 = { projection, version: 1 };
        const v2 = { projection, version: 2 };
        const other = { projection: newProjection(), version: 1 };
        for (const version of [v1, v2, other]) rightOrThrow(await store.prepare(version, COLLECTIONS));
        await commit(v1, [put('counters', 'c', 1, { from: 'v1' })], 1);
        await commit(v2, [put('counters', 'c', 1, { from: 'v2' })], 9);
        expect(rightOrThrow(await store.get(v1, 'counters', 'c'))?.document).toEqual({ from: 'v1' });
        expect(rightOrThrow(await store.get(v2, 'counters', 'c'))?.document).toEqual({ from: 'v2' });
        expect(rightOrThrow(await store.get(other, 'counters', 'c'))).toBeUndefined();
        expect([rightOrThrow(await store.checkpoint(v1)), rightOrThrow(await store.checkpoint(v2)), rightOrThrow(await store.checkpoint(other))]).toEqual([1, 9, undefined]);
      });
    });

    describe('find', () => {
      const byCustomer = (customerId: string, order: 'ascending' | 'descending'): Omit<IndexQuery, 'limit' | 'after'> => ({
        collection: 'orders',
        index: 'by-customer',
        equals: { customerId },
        order,
      });

      it('pages through one customer in order, ties broken by id, each document exactly once', async () => {
        const version = await preparedVersion();
        const writes = Array.from({ length: 25 }, (_, i) => put('orders', `o${String(i).padStart(2, '0')}`, i, { customerId: i % 5 === 0 ? 'other' : 'c1', placedAt: i % 4 }));
        await commit(version, writes, 30);
        const ascending = await all(version, byCustomer('c1', 'ascending'), 3);
        const expected = writes
          .filter((w) => w.kind === 'put' && w.document['customerId'] === 'c1')
          .map((w) => ({ id: w.id, at: (w as Extract<DocumentWrite, { kind: 'put' }>).document['placedAt'] as number }))
          .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
          .map((x) => x.id);
        expect(ascending.map((d) => d.id)).toEqual(expected);
        const descending = await all(version, byCustomer('c1', 'descending'), 4);
        expect(descending.map((d) => d.id)).toEqual([...expected].reverse());
      });

      it('says there is no next page exactly when nothing is left', async () => {
        const version = await preparedVersion();
        await commit(version, [1, 2, 3, 4].map((i) => put('orders', `o${i}`, i, { customerId: 'c1', placedAt: i })), 4);
        const first = rightOrThrow(await store.find(version, { ...byCustomer('c1', 'ascending'), limit: 2 }));
        expect(first.next).toEqual({ value: 2, id: 'o2' });
        const second = rightOrThrow(await store.find(version, { ...byCustomer('c1', 'ascending'), limit: 2, after: first.next! }));
        expect(second.documents.map((d) => d.id)).toEqual(['o3', 'o4']);
        expect(second.next).toBeUndefined();
        const none = rightOrThrow(await store.find(version, { ...byCustomer('nobody', 'ascending'), limit: 2 }));
        expect(none).toEqual({ documents: [], next: undefined });
      });

      it('bounds the sort value: atLeast inclusive, below exclusive, in both orders and with a cursor', async () => {
        const version = await preparedVersion();
        await commit(version, [10, 20, 30, 40, 50].map((at) => put('orders', `o${at}`, 1, { customerId: 'c1', placedAt: at })), 1);
        const range = { atLeast: 20, below: 50 };
        expect((await all(version, { ...byCustomer('c1', 'ascending'), range }, 10)).map((d) => d.id)).toEqual(['o20', 'o30', 'o40']);
        expect((await all(version, { ...byCustomer('c1', 'descending'), range }, 1)).map((d) => d.id)).toEqual(['o40', 'o30', 'o20']);
        const page = rightOrThrow(await store.find(version, { ...byCustomer('c1', 'descending'), range, limit: 5, after: { value: 40, id: 'o40' } }));
        expect(page.documents.map((d) => d.id)).toEqual(['o30', 'o20']);
        expect((await all(version, { ...byCustomer('c1', 'ascending'), range: { atLeast: 35 } }, 10)).map((d) => d.id)).toEqual(['o40', 'o50']);
      });

      it('needs every equality field of the index', async () => {
        const version = await preparedVersion();
        await commit(
          version,
          [
            put('orders', 'a', 1, { customerId: 'c1', status: 'paid', placedAt: 1 }),
            put('orders', 'b', 1, { customerId: 'c1', status: 'shipped', placedAt: 2 }),
            put('orders', 'c', 1, { customerId: 'c2', status: 'paid', placedAt: 3 }),
          ],
          1,
        );
        const found = await all(version, { collection: 'orders', index: 'by-status-and-customer', equals: { status: 'paid', customerId: 'c1' }, order: 'ascending' }, 10);
        expect(found.map((d) => d.id)).toEqual(['a']);
      });

      it('leaves out documents that lack an indexed field or hold another type in it', async () => {
        const version = await preparedVersion();
        await commit(
          version,
          [
            put('orders', 'ok', 1, { customerId: 'c1', placedAt: 1 }),
            put('orders', 'no-sort', 1, { customerId: 'c1' }),
            put('orders', 'string-sort', 1, { customerId: 'c1', placedAt: '2' }),
            put('orders', 'number-customer', 1, { customerId: 1, placedAt: 3 }),
            put('orders', 'null-customer', 1, { customerId: null, placedAt: 4 }),
          ],
          1,
        );
        expect((await all(version, byCustomer('c1', 'ascending'), 10)).map((d) => d.id)).toEqual(['ok']);
      });

      it('follows a document whose indexed fields change, and forgets a deleted one', async () => {
        const version = await preparedVersion();
        await commit(version, [put('orders', 'a', 1, { customerId: 'c1', placedAt: 1 }), put('orders', 'b', 1, { customerId: 'c1', placedAt: 2 })], 1);
        await commit(version, [put('orders', 'a', 2, { customerId: 'c1', placedAt: 3 }), put('orders', 'b', 2, { customerId: 'c2', placedAt: 2 })], 2);
        expect((await all(version, byCustomer('c1', 'ascending'), 10)).map((d) => [d.id, d.document['placedAt']])).toEqual([['a', 3]]);
        expect((await all(version, byCustomer('c2', 'ascending'), 10)).map((d) => d.id)).toEqual(['b']);
        await commit(version, [remove('orders', 'b', 3)], 3);
        expect(await all(version, byCustomer('c2', 'ascending'), 10)).toEqual([]);
      });

      it('keeps a document in its place when a write changes only fields no index holds, and serves its new body', async () => {
        const version = await preparedVersion();
        await commit(version, [put('orders', 'a', 1, { customerId: 'c1', placedAt: 1, note: 'first' }), put('orders', 'b', 1, { customerId: 'c1', placedAt: 2 })], 1);
        await commit(version, [put('orders', 'a', 2, { customerId: 'c1', placedAt: 1, note: 'second' })], 2);
        expect((await all(version, byCustomer('c1', 'ascending'), 10)).map((d) => [d.id, d.document['note'] ?? null])).toEqual([
          ['a', 'second'],
          ['b', null],
        ]);
      });

      it('orders numbers numerically and strings by code point', async () => {
        const version = await preparedVersion();
        const numbers = [10, 9, -1, 2.5, 0];
        await commit(version, numbers.map((n, i) => put('orders', `n${i}`, 1, { customerId: 'c1', placedAt: n })), 1);
        expect((await all(version, byCustomer('c1', 'ascending'), 2)).map((d) => d.document['placedAt'])).toEqual([-1, 0, 2.5, 9, 10]);
        const labels = ['b', 'B', 'a', 'é', '\uFF21', '😀', 'ab', ''];
        await commit(version, labels.map((label, i) => put('orders', `l${i}`, 2, { label })), 2);
        const sorted = (await all(version, { collection: 'orders', index: 'by-label', equals: {}, order: 'ascending' }, 3)).map((d) => d.document['label']);
        expect(sorted).toEqual(['', 'B', 'a', 'ab', 'b', 'é', '\uFF21', '😀']);
      });

      it.each([
        ['an undeclared index', { index: 'nope', equals: { customerId: 'c1' } }],
        ['a missing equality field', { equals: {} }],
        ['an extra equality field', { equals: { customerId: 'c1', status: 'paid' } }],
        ['a cursor of the wrong type', { after: { value: 'x', id: 'a' } }],
        ['a range of the wrong type', { range: { atLeast: 'x' } }],
        ['a limit of 0', { limit: 0 }],
        ['a limit above the maximum', { limit: 100_000 }],
      ])('refuses a query with %s', async (_label, change) => {
        const version = await preparedVersion();
        const query = { ...byCustomer('c1', 'ascending'), limit: 10, ...change } as IndexQuery;
        expect(codeOf(await store.find(version, query))).toBe('INVALID_QUERY');
      });
    });

    describe('active version', () => {
      it('is none until activated, then moves only from the version expected', async () => {
        const projection = newProjection();
        expect(rightOrThrow(await store.activeVersion(projection))).toBeUndefined();
        rightOrThrow(await store.activate(projection, 1, undefined));
        expect(await store.activate(projection, 2, undefined)).toEqual(E.left(expect.objectContaining({ code: 'ACTIVE_VERSION_MOVED', actual: 1 })));
        rightOrThrow(await store.activate(projection, 2, 1));
        expect(rightOrThrow(await store.activeVersion(projection))).toBe(2);
      });

      it('activates a version built through a checkpoint only while it is at that checkpoint or past it', async () => {
        const projection = newProjection();
        const v1 = { projection, version: 1 };
        rightOrThrow(await store.prepare(v1, COLLECTIONS));
        await commit(v1, [put('counters', 'c', 3, { n: 1 })], 3);
        expect(await store.activate(projection, 1, undefined, 4)).toEqual(E.left(expect.objectContaining({ code: 'CHECKPOINT_MOVED', expected: 4, actual: 3 })));
        rightOrThrow(await store.drop(v1));
        rightOrThrow(await store.prepare(v1, COLLECTIONS));
        expect(await store.activate(projection, 1, undefined, 3)).toEqual(E.left(expect.objectContaining({ code: 'CHECKPOINT_MOVED', expected: 3, actual: undefined })));
        expect(rightOrThrow(await store.activeVersion(projection))).toBeUndefined();
        await commit(v1, [put('counters', 'c', 3, { n: 1 })], 3);
        rightOrThrow(await store.activate(projection, 1, undefined, 3));
        expect(rightOrThrow(await store.activeVersion(projection))).toBe(1);
      });

      it('drops an inactive version whole, and refuses to drop the active one', async () => {
        const projection = newProjection();
        const v1 = { projection, version: 1 };
        const v2 = { projection, version: 2 };
        for (const version of [v1, v2]) {
          rightOrThrow(await store.prepare(version, COLLECTIONS));
          await commit(version, [put('counters', 'c', 1, { n: version.version })], 1);
        }
        rightOrThrow(await store.activate(projection, 2, undefined));
        expect(codeOf(await store.drop(v2))).toBe('VERSION_IS_ACTIVE');
        rightOrThrow(await store.drop(v1));
        rightOrThrow(await store.prepare(v1, COLLECTIONS));
        expect(rightOrThrow(await store.get(v1, 'counters', 'c'))).toBeUndefined();
        expect(rightOrThrow(await store.checkpoint(v1))).toBeUndefined();
        expect(rightOrThrow(await store.get(v2, 'counters', 'c'))?.document).toEqual({ n: 2 });
      });
    });
  });
};
