import { fail, ok, strictEqual } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/Either';
import type {
  CollectionDefinition,
  DocumentWrite,
  IndexQuery,
  JsonDocument,
  ProjectionVersion,
  ReadModelStore,
  StoredDocument,
} from '../../projections/read-model-store';
import { describeContractCases } from './contract-case';
import type { ContractCase, ContractHarness, ContractSuiteOptions } from './contract-case';
import { codeOf, leftOf, rightOrThrow } from './either-results';
import { assertPartialMatch, assertStructurallyEqual } from './structural-assertions';
import { ordersAndCounters, ordersByCustomer, ordersByLabel, ordersByStatusAndCustomer } from './read-model-collections';

export interface ReadModelStoreHarness extends ContractHarness {
  /** A fresh, empty store, or one on a shared database: every case prepares projections of its own. */
  readonly store: ReadModelStore;
}

const put = (collection: string, id: string, position: number, document: JsonDocument): DocumentWrite => ({ kind: 'put', collection, id, position, document });
const remove = (collection: string, id: string, position: number): DocumentWrite => ({ kind: 'delete', collection, id, position });

const COLLECTIONS = ordersAndCounters(ordersByCustomer, ordersByStatusAndCustomer, ordersByLabel);

/** A projection name no other case, run or process uses, so that a store on a shared database needs no clean-up. */
const newProjection = (): string => `contract-${randomUUID()}`;

const preparedVersion = async (store: ReadModelStore, collections: readonly CollectionDefinition[] = COLLECTIONS): Promise<ProjectionVersion> => {
  const version = { projection: newProjection(), version: 1 };
  rightOrThrow(await store.prepare(version, collections));
  return version;
};

/** Commits `writes` from the version's current checkpoint, as a projection runner does. */
const commit = async (store: ReadModelStore, version: ProjectionVersion, writes: readonly DocumentWrite[], checkpoint: number): Promise<void> => {
  const expectedCheckpoint = rightOrThrow(await store.checkpoint(version));
  rightOrThrow(await store.commit(version, { writes, checkpoint, expectedCheckpoint }));
};

/** Every document a query finds, read in pages of `limit`. */
const all = async (store: ReadModelStore, version: ProjectionVersion, query: Omit<IndexQuery, 'limit' | 'after'>, limit: number): Promise<StoredDocument[]> => {
  const seen: StoredDocument[] = [];
  let after: IndexQuery['after'];
  for (let pages = 0; pages < 1000; pages += 1) {
    const page = rightOrThrow(await store.find(version, { ...query, limit, ...(after === undefined ? {} : { after }) }));
    seen.push(...page.documents);
    if (page.next === undefined) return seen;
    after = page.next;
  }
  fail('expected paging to end within 1000 pages; each page named a next one');
};

const idsOf = (documents: readonly StoredDocument[]): string[] => documents.map((d) => d.id);

const byCustomer = (customerId: string, order: 'ascending' | 'descending'): Omit<IndexQuery, 'limit' | 'after'> => ({
  collection: 'orders',
  index: 'by-customer',
  equals: { customerId },
  order,
});

type ReadModelStoreCase = ContractCase<ReadModelStoreHarness>;
const casesOf = (group: string, cases: Readonly<Record<string, (store: ReadModelStore) => Promise<void>>>): ReadModelStoreCase[] =>
  Object.entries(cases).map(([name, run]) => ({ group, name, run: (harness) => run(harness.store) }));

const unstorableDocuments: readonly (readonly [string, Readonly<Record<string, unknown>>])[] = [
  ['NaN', { n: Number.NaN }],
  ['Infinity', { n: Number.POSITIVE_INFINITY }],
  ['undefined', { n: undefined }],
  ['a Date', { n: new Date(0) }],
  ['a function', { n: () => 1 }],
];

const invalidQueryChanges: readonly (readonly [string, Readonly<Record<string, unknown>>])[] = [
  ['an undeclared index', { index: 'nope', equals: { customerId: 'c1' } }],
  ['a missing equality field', { equals: {} }],
  ['an extra equality field', { equals: { customerId: 'c1', status: 'paid' } }],
  ['a cursor of the wrong type', { after: { value: 'x', id: 'a' } }],
  ['a range of the wrong type', { range: { atLeast: 'x' } }],
  ['a limit of 0', { limit: 0 }],
  ['a limit above the maximum', { limit: 100_000 }],
];

/** The behaviour every read-model store adapter must show, one case each. */
export const readModelStoreContractCases: readonly ReadModelStoreCase[] = [
  ...casesOf('prepare', {
    'declaring the same collections again keeps their documents': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [put('orders', 'o1', 1, { customerId: 'c1', placedAt: 1 })], 1);
      rightOrThrow(await store.prepare(version, COLLECTIONS));
      assertStructurallyEqual(rightOrThrow(await store.get(version, 'orders', 'o1'))?.document, { customerId: 'c1', placedAt: 1 });
    },

    'refuses a collection declared again with other indexes': async (store) => {
      const version = await preparedVersion(store);
      const changed: CollectionDefinition[] = [{ name: 'orders', indexes: [{ name: 'by-customer', equals: ['customerId'], sortBy: { field: 'total', type: 'number' } }] }];
      strictEqual(codeOf(await store.prepare(version, changed)), 'INVALID_DEFINITION');
    },

    'refuses names that are not safe for every backend': async (store) => {
      const refusal = 'the error code of preparing';
      assertStructurallyEqual(codeOf(await store.prepare({ projection: 'Bad Name', version: 1 }, COLLECTIONS)), 'INVALID_DEFINITION', `${refusal} a projection name with a space`);
      assertStructurallyEqual(codeOf(await store.prepare({ projection: newProjection(), version: 0 }, COLLECTIONS)), 'INVALID_DEFINITION', `${refusal} version 0`);
      assertStructurallyEqual(
        codeOf(await store.prepare({ projection: newProjection(), version: 1 }, [{ name: 'x y', indexes: [] }])),
        'INVALID_DEFINITION',
        `${refusal} a collection name with a space`,
      );
      const nestedField: CollectionDefinition = { name: 'x', indexes: [{ name: 'i', equals: ['a.b'], sortBy: { field: 's', type: 'number' } }] };
      assertStructurallyEqual(codeOf(await store.prepare({ projection: newProjection(), version: 1 }, [nestedField])), 'INVALID_DEFINITION', `${refusal} an index on a nested field`);
    },

    'answers for a collection that was never prepared with UNKNOWN_COLLECTION': async (store) => {
      const version = await preparedVersion(store);
      strictEqual(codeOf(await store.get(version, 'nope', 'x')), 'UNKNOWN_COLLECTION');
      strictEqual(codeOf(await store.get({ projection: newProjection(), version: 1 }, 'orders', 'x')), 'UNKNOWN_COLLECTION');
    },
  }),

  ...casesOf('documents and checkpoints', {
    'starts with no checkpoint and no documents': async (store) => {
      const version = await preparedVersion(store);
      strictEqual(rightOrThrow(await store.checkpoint(version)), undefined);
      strictEqual(rightOrThrow(await store.get(version, 'orders', 'o1')), undefined);
    },

    'stores each document with the position of the event that wrote it, and the checkpoint with them': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [put('orders', 'o1', 3, { customerId: 'c1', placedAt: 10 }), put('counters', 'total', 5, { n: 1 })], 7);
      assertStructurallyEqual(rightOrThrow(await store.get(version, 'orders', 'o1')), { id: 'o1', position: 3, document: { customerId: 'c1', placedAt: 10 } });
      strictEqual(rightOrThrow(await store.checkpoint(version)), 7);
      const many = rightOrThrow(
        await store.getMany(version, [
          { collection: 'counters', id: 'total' },
          { collection: 'orders', id: 'missing' },
          { collection: 'orders', id: 'o1' },
        ]),
      );
      assertStructurallyEqual(many.map((d) => d?.id), ['total', undefined, 'o1']);
    },

    'hands documents out frozen all the way down, however read: a reader cannot change what the next one reads': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [put('counters', 'shape', 1, { nested: { list: [1, { deep: ['x'] }] } })], 1);
      const deeplyFrozen = (value: unknown): boolean =>
        typeof value !== 'object' || value === null || (Object.isFrozen(value) && Object.values(value).every(deeplyFrozen));
      const got = rightOrThrow(await store.get(version, 'counters', 'shape'));
      const [many] = rightOrThrow(await store.getMany(version, [{ collection: 'counters', id: 'shape' }]));
      assertStructurallyEqual(
        { get: deeplyFrozen(got?.document), getMany: deeplyFrozen(many?.document) },
        { get: true, getMany: true },
        'whether the document is frozen all the way down, as each method read it',
      );
    },

    'keeps nested JSON exactly': async (store) => {
      const version = await preparedVersion(store);
      const document = { nested: { list: [1, -2.5, 'три', null, true, { deep: ['😀'] }], empty: {}, none: [] }, big: 9_007_199_254_740_991 };
      await commit(store, version, [put('counters', 'shape', 1, document)], 1);
      assertStructurallyEqual(rightOrThrow(await store.get(version, 'counters', 'shape'))?.document, document);
    },

    'keeps a field named __proto__ as a field': async (store) => {
      const version = await preparedVersion(store);
      const document = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as JsonDocument;
      await commit(store, version, [put('counters', 'proto', 1, document)], 1);
      const stored = rightOrThrow(await store.get(version, 'counters', 'proto'))!.document;
      assertStructurallyEqual(Object.keys(stored).sort(), ['__proto__', 'a']);
      assertStructurallyEqual(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value, { polluted: true });
      assertStructurallyEqual(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype.polluted, which storing and reading the document must leave unset');
    },

    'is not changed by changing, after the commit, the object that was written': async (store) => {
      const version = await preparedVersion(store);
      const document = { list: [1, 2], inner: { n: 1 } };
      await commit(store, version, [put('counters', 'c', 1, document)], 1);
      document.list.push(3);
      document.inner.n = 2;
      assertStructurallyEqual(rightOrThrow(await store.get(version, 'counters', 'c'))?.document, { list: [1, 2], inner: { n: 1 } });
    },

    'keeps a document written as the stored one with parts changed, safe from later changes to the new parts': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [put('counters', 'c', 1, { list: [1, 2], inner: { n: 1 }, kept: { deep: [{ a: 1 }] } })], 1);
      const stored = rightOrThrow(await store.get(version, 'counters', 'c'))!.document;
      const inner = { n: 2 };
      await commit(store, version, [put('counters', 'c', 2, { ...stored, inner })], 2);
      inner.n = 3;
      assertStructurallyEqual(rightOrThrow(await store.get(version, 'counters', 'c'))?.document, { list: [1, 2], inner: { n: 2 }, kept: { deep: [{ a: 1 }] } });
      const refused = await store.commit(version, {
        writes: [put('counters', 'c', 3, { ...stored, extra: undefined } as unknown as JsonDocument)],
        checkpoint: 3,
        expectedCheckpoint: 2,
      });
      strictEqual(codeOf(refused), 'INVALID_DOCUMENT');
    },

    'replaces a document with a write from a later event, and ignores one from the same or an earlier event': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [put('counters', 'c', 5, { n: 1 })], 5);
      await commit(store, version, [put('counters', 'c', 5, { n: 2 }), put('counters', 'c', 4, { n: 3 })], 6);
      assertStructurallyEqual(rightOrThrow(await store.get(version, 'counters', 'c')), { id: 'c', position: 5, document: { n: 1 } });
      await commit(store, version, [put('counters', 'c', 8, { n: 4 })], 8);
      assertStructurallyEqual(rightOrThrow(await store.get(version, 'counters', 'c')), { id: 'c', position: 8, document: { n: 4 } });
    },

    'deletes a document, unless it reflects a later event; deleting a missing document is nothing': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [put('counters', 'a', 5, { n: 1 }), put('counters', 'b', 5, { n: 1 })], 5);
      await commit(store, version, [remove('counters', 'a', 4), remove('counters', 'b', 6), remove('counters', 'missing', 6)], 6);
      assertStructurallyEqual(rightOrThrow(await store.get(version, 'counters', 'a'))?.document, { n: 1 });
      strictEqual(rightOrThrow(await store.get(version, 'counters', 'b')), undefined);
      strictEqual(rightOrThrow(await store.get(version, 'counters', 'missing')), undefined);
    },

    'applied again from the old checkpoint after being cut short, a batch ends as if applied once': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [put('counters', 'a', 1, { n: 1 }), put('counters', 'b', 2, { n: 1 })], 2);
      const batch = [put('counters', 'a', 3, { n: 2 }), remove('counters', 'b', 4), put('counters', 'c', 5, { n: 1 })];
      // A store without transactions may have written part of the batch and not the checkpoint.
      rightOrThrow(await store.commit(version, { writes: batch.slice(0, 2), checkpoint: 2, expectedCheckpoint: 2 }));
      rightOrThrow(await store.commit(version, { writes: batch, checkpoint: 5, expectedCheckpoint: 2 }));
      const once = await preparedVersion(store);
      await commit(store, once, [put('counters', 'a', 1, { n: 1 }), put('counters', 'b', 2, { n: 1 })], 2);
      await commit(store, once, batch, 5);
      for (const id of ['a', 'b', 'c']) {
        assertStructurallyEqual(
          rightOrThrow(await store.get(version, 'counters', id)),
          rightOrThrow(await store.get(once, 'counters', id)),
          `document ${id}, against the one of a batch applied once`,
        );
      }
      strictEqual(rightOrThrow(await store.checkpoint(version)), 5);
    },

    'refuses a batch whole when the checkpoint is not the one expected': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [], 3);
      const result = await store.commit(version, { writes: [put('counters', 'c', 4, { n: 1 })], checkpoint: 4, expectedCheckpoint: 2 });
      assertPartialMatch(leftOf(result), { code: 'CHECKPOINT_MOVED', expected: 2, actual: 3 });
      strictEqual(rightOrThrow(await store.get(version, 'counters', 'c')), undefined);
      strictEqual(rightOrThrow(await store.checkpoint(version)), 3);
    },

    'of concurrent batches expecting the same checkpoint, exactly one is applied': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [], 0);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.commit(version, { writes: [put('counters', 'c', 1, { writer: i })], checkpoint: 1, expectedCheckpoint: 0 })),
      );
      assertStructurallyEqual(results.filter(E.isRight).length, 1, 'the number of batches applied, of 6');
      ok(
        results.filter(E.isLeft).every((r) => codeOf(r) === 'CHECKPOINT_MOVED'),
        `expected every other batch to fail with CHECKPOINT_MOVED; found ${JSON.stringify(results.filter(E.isLeft))}`,
      );
      strictEqual(rightOrThrow(await store.checkpoint(version)), 1);
      // A store without transactions may keep a refused writer's document of the same position; two
      // runners at one checkpoint apply the same events, so in use those documents are the same.
      const document = rightOrThrow(await store.get(version, 'counters', 'c'))?.document;
      assertStructurallyEqual(Object.keys(document ?? {}), ['writer'], `the fields of the document left, expected one writer's; found ${JSON.stringify(document)}`);
      strictEqual(typeof document?.['writer'], 'number');
    },

    'refuses a batch whole when one write names an unknown collection': async (store) => {
      const version = await preparedVersion(store);
      const result = await store.commit(version, { writes: [put('counters', 'ok', 1, { n: 1 }), put('nope', 'x', 1, { n: 1 })], checkpoint: 1, expectedCheckpoint: undefined });
      strictEqual(codeOf(result), 'UNKNOWN_COLLECTION');
      strictEqual(rightOrThrow(await store.get(version, 'counters', 'ok')), undefined);
      strictEqual(rightOrThrow(await store.checkpoint(version)), undefined);
    },

    ...Object.fromEntries(
      unstorableDocuments.map(([label, document]) => [
        `refuses a batch whole when a document holds ${label}`,
        async (store: ReadModelStore): Promise<void> => {
          const version = await preparedVersion(store);
          const writes = [put('counters', 'ok', 1, { n: 1 }), put('counters', 'bad', 1, document as unknown as JsonDocument)];
          const result = await store.commit(version, { writes, checkpoint: 1, expectedCheckpoint: undefined });
          assertPartialMatch(leftOf(result), { code: 'INVALID_DOCUMENT', collection: 'counters', id: 'bad' });
          strictEqual(rightOrThrow(await store.get(version, 'counters', 'ok')), undefined);
        },
      ]),
    ),

    'refuses a checkpoint that moves back, and an id no store keeps as sent (empty, U+0000, a lone surrogate)': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [], 5);
      strictEqual(codeOf(await store.commit(version, { writes: [], checkpoint: 4, expectedCheckpoint: 5 })), 'INVALID_BATCH');
      for (const id of ['', 'a\u0000b', 'a\uDC00b']) {
        assertStructurallyEqual(
          codeOf(await store.commit(version, { writes: [put('counters', id, 6, { n: 1 })], checkpoint: 6, expectedCheckpoint: 5 })),
          'INVALID_DOCUMENT',
          `the error code of a write with the id ${JSON.stringify(id)}`,
        );
      }
    },

    'keeps versions and projections apart': async (store) => {
      const projection = newProjection();
      const v1 = { projection, version: 1 };
      const v2 = { projection, version: 2 };
      const other = { projection: newProjection(), version: 1 };
      for (const version of [v1, v2, other]) rightOrThrow(await store.prepare(version, COLLECTIONS));
      await commit(store, v1, [put('counters', 'c', 1, { from: 'v1' })], 1);
      await commit(store, v2, [put('counters', 'c', 1, { from: 'v2' })], 9);
      assertStructurallyEqual(rightOrThrow(await store.get(v1, 'counters', 'c'))?.document, { from: 'v1' });
      assertStructurallyEqual(rightOrThrow(await store.get(v2, 'counters', 'c'))?.document, { from: 'v2' });
      strictEqual(rightOrThrow(await store.get(other, 'counters', 'c')), undefined);
      assertStructurallyEqual(
        [rightOrThrow(await store.checkpoint(v1)), rightOrThrow(await store.checkpoint(v2)), rightOrThrow(await store.checkpoint(other))],
        [1, 9, undefined],
      );
    },
  }),

  ...casesOf('find', {
    'pages through one customer in order, ties broken by id, each document exactly once': async (store) => {
      const version = await preparedVersion(store);
      const writes = Array.from({ length: 25 }, (_, i) => put('orders', `o${String(i).padStart(2, '0')}`, i, { customerId: i % 5 === 0 ? 'other' : 'c1', placedAt: i % 4 }));
      await commit(store, version, writes, 30);
      const ascending = await all(store, version, byCustomer('c1', 'ascending'), 3);
      const expected = writes
        .filter((w) => w.kind === 'put' && w.document['customerId'] === 'c1')
        .map((w) => ({ id: w.id, at: (w as Extract<DocumentWrite, { kind: 'put' }>).document['placedAt'] as number }))
        .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1))
        .map((x) => x.id);
      assertStructurallyEqual(idsOf(ascending), expected);
      const descending = await all(store, version, byCustomer('c1', 'descending'), 4);
      assertStructurallyEqual(idsOf(descending), [...expected].reverse());
    },

    'says there is no next page exactly when nothing is left': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [1, 2, 3, 4].map((i) => put('orders', `o${i}`, i, { customerId: 'c1', placedAt: i })), 4);
      const first = rightOrThrow(await store.find(version, { ...byCustomer('c1', 'ascending'), limit: 2 }));
      assertStructurallyEqual(first.next, { value: 2, id: 'o2' });
      const second = rightOrThrow(await store.find(version, { ...byCustomer('c1', 'ascending'), limit: 2, after: first.next! }));
      assertStructurallyEqual(idsOf(second.documents), ['o3', 'o4']);
      strictEqual(second.next, undefined);
      const none = rightOrThrow(await store.find(version, { ...byCustomer('nobody', 'ascending'), limit: 2 }));
      // No next page, whether the store says `next: undefined` or leaves the key out (as JSON would).
      assertStructurallyEqual(none.documents, []);
      strictEqual(none.next, undefined);
    },

    'bounds the sort value: atLeast inclusive, below exclusive, in both orders and with a cursor': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [10, 20, 30, 40, 50].map((at) => put('orders', `o${at}`, 1, { customerId: 'c1', placedAt: at })), 1);
      const range = { atLeast: 20, below: 50 };
      assertStructurallyEqual(idsOf(await all(store, version, { ...byCustomer('c1', 'ascending'), range }, 10)), ['o20', 'o30', 'o40']);
      assertStructurallyEqual(idsOf(await all(store, version, { ...byCustomer('c1', 'descending'), range }, 1)), ['o40', 'o30', 'o20']);
      const page = rightOrThrow(await store.find(version, { ...byCustomer('c1', 'descending'), range, limit: 5, after: { value: 40, id: 'o40' } }));
      assertStructurallyEqual(idsOf(page.documents), ['o30', 'o20']);
      assertStructurallyEqual(idsOf(await all(store, version, { ...byCustomer('c1', 'ascending'), range: { atLeast: 35 } }, 10)), ['o40', 'o50']);
    },

    'needs every equality field of the index': async (store) => {
      const version = await preparedVersion(store);
      await commit(
        store,
        version,
        [
          put('orders', 'a', 1, { customerId: 'c1', status: 'paid', placedAt: 1 }),
          put('orders', 'b', 1, { customerId: 'c1', status: 'shipped', placedAt: 2 }),
          put('orders', 'c', 1, { customerId: 'c2', status: 'paid', placedAt: 3 }),
        ],
        1,
      );
      const found = await all(store, version, { collection: 'orders', index: 'by-status-and-customer', equals: { status: 'paid', customerId: 'c1' }, order: 'ascending' }, 10);
      assertStructurallyEqual(idsOf(found), ['a']);
    },

    'leaves out documents that lack an indexed field or hold another type in it': async (store) => {
      const version = await preparedVersion(store);
      await commit(
        store,
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
      assertStructurallyEqual(idsOf(await all(store, version, byCustomer('c1', 'ascending'), 10)), ['ok']);
    },

    'follows a document whose indexed fields change, and forgets a deleted one': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [put('orders', 'a', 1, { customerId: 'c1', placedAt: 1 }), put('orders', 'b', 1, { customerId: 'c1', placedAt: 2 })], 1);
      await commit(store, version, [put('orders', 'a', 2, { customerId: 'c1', placedAt: 3 }), put('orders', 'b', 2, { customerId: 'c2', placedAt: 2 })], 2);
      assertStructurallyEqual((await all(store, version, byCustomer('c1', 'ascending'), 10)).map((d) => [d.id, d.document['placedAt']]), [['a', 3]]);
      assertStructurallyEqual(idsOf(await all(store, version, byCustomer('c2', 'ascending'), 10)), ['b']);
      await commit(store, version, [remove('orders', 'b', 3)], 3);
      assertStructurallyEqual(await all(store, version, byCustomer('c2', 'ascending'), 10), []);
    },

    'keeps a document in its place when a write changes only fields no index holds, and serves its new body': async (store) => {
      const version = await preparedVersion(store);
      await commit(store, version, [put('orders', 'a', 1, { customerId: 'c1', placedAt: 1, note: 'first' }), put('orders', 'b', 1, { customerId: 'c1', placedAt: 2 })], 1);
      await commit(store, version, [put('orders', 'a', 2, { customerId: 'c1', placedAt: 1, note: 'second' })], 2);
      assertStructurallyEqual((await all(store, version, byCustomer('c1', 'ascending'), 10)).map((d) => [d.id, d.document['note'] ?? null]), [
        ['a', 'second'],
        ['b', null],
      ]);
    },

    'orders numbers numerically and strings by code point': async (store) => {
      const version = await preparedVersion(store);
      const numbers = [10, 9, -1, 2.5, 0];
      await commit(store, version, numbers.map((n, i) => put('orders', `n${i}`, 1, { customerId: 'c1', placedAt: n })), 1);
      assertStructurallyEqual((await all(store, version, byCustomer('c1', 'ascending'), 2)).map((d) => d.document['placedAt']), [-1, 0, 2.5, 9, 10]);
      const labels = ['b', 'B', 'a', 'é', '\uFF21', '😀', 'ab', ''];
      await commit(store, version, labels.map((label, i) => put('orders', `l${i}`, 2, { label })), 2);
      const sorted = (await all(store, version, { collection: 'orders', index: 'by-label', equals: {}, order: 'ascending' }, 3)).map((d) => d.document['label']);
      assertStructurallyEqual(sorted, ['', 'B', 'a', 'ab', 'b', 'é', '\uFF21', '😀']);
    },

    ...Object.fromEntries(
      invalidQueryChanges.map(([label, change]) => [
        `refuses a query with ${label}`,
        async (store: ReadModelStore): Promise<void> => {
          const version = await preparedVersion(store);
          const query = { ...byCustomer('c1', 'ascending'), limit: 10, ...change } as IndexQuery;
          strictEqual(codeOf(await store.find(version, query)), 'INVALID_QUERY');
        },
      ]),
    ),
  }),

  ...casesOf('active version', {
    'is none until activated, then moves only from the version expected': async (store) => {
      const projection = newProjection();
      strictEqual(rightOrThrow(await store.activeVersion(projection)), undefined);
      rightOrThrow(await store.activate(projection, 1, undefined));
      assertPartialMatch(leftOf(await store.activate(projection, 2, undefined)), { code: 'ACTIVE_VERSION_MOVED', actual: 1 });
      rightOrThrow(await store.activate(projection, 2, 1));
      strictEqual(rightOrThrow(await store.activeVersion(projection)), 2);
    },

    'activates a version built through a checkpoint only while it is at that checkpoint or past it': async (store) => {
      const projection = newProjection();
      const v1 = { projection, version: 1 };
      rightOrThrow(await store.prepare(v1, COLLECTIONS));
      await commit(store, v1, [put('counters', 'c', 3, { n: 1 })], 3);
      assertPartialMatch(leftOf(await store.activate(projection, 1, undefined, 4)), { code: 'CHECKPOINT_MOVED', expected: 4, actual: 3 });
      rightOrThrow(await store.drop(v1));
      rightOrThrow(await store.prepare(v1, COLLECTIONS));
      assertPartialMatch(leftOf(await store.activate(projection, 1, undefined, 3)), { code: 'CHECKPOINT_MOVED', expected: 3, actual: undefined });
      strictEqual(rightOrThrow(await store.activeVersion(projection)), undefined);
      await commit(store, v1, [put('counters', 'c', 3, { n: 1 })], 3);
      rightOrThrow(await store.activate(projection, 1, undefined, 3));
      strictEqual(rightOrThrow(await store.activeVersion(projection)), 1);
    },

    'drops an inactive version whole, and refuses to drop the active one': async (store) => {
      const projection = newProjection();
      const v1 = { projection, version: 1 };
      const v2 = { projection, version: 2 };
      for (const version of [v1, v2]) {
        rightOrThrow(await store.prepare(version, COLLECTIONS));
        await commit(store, version, [put('counters', 'c', 1, { n: version.version })], 1);
      }
      rightOrThrow(await store.activate(projection, 2, undefined));
      strictEqual(codeOf(await store.drop(v2)), 'VERSION_IS_ACTIVE');
      rightOrThrow(await store.drop(v1));
      rightOrThrow(await store.prepare(v1, COLLECTIONS));
      strictEqual(rightOrThrow(await store.get(v1, 'counters', 'c')), undefined);
      strictEqual(rightOrThrow(await store.checkpoint(v1)), undefined);
      assertStructurallyEqual(rightOrThrow(await store.get(v2, 'counters', 'c'))?.document, { n: 2 });
    },
  }),
];

/**
 * Registers `readModelStoreContractCases` as tests under `read-model store contract: <adapterName>`. Each
 * test creates a harness of its own with `createHarness` and disposes it after the case, whether the case
 * passed, failed or ran out of `options.caseTimeoutMs`. The store may be fresh and empty, or over a database
 * shared with other cases, runs and processes: every case prepares projections of its own (randomUUID
 * names). Registers with `options.framework`, else the runner's globals, and throws without either.
 */
export const describeReadModelStoreContract = (adapterName: string, createHarness: () => Promise<ReadModelStoreHarness>, options: ContractSuiteOptions = {}): void =>
  describeContractCases('describeReadModelStoreContract', `read-model store contract: ${adapterName}`, readModelStoreContractCases, createHarness, options);
