import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { Pool } from 'pg';
import { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import { indexQueryStatement } from '../../src/adapters/read-model/postgres/index-query-sql';
import { PostgresReadModelStore } from '../../src/adapters/read-model/postgres/postgres-read-model-store';
import type {
  CollectionDefinition,
  DocumentWrite,
  IndexQuery,
  JsonDocument,
  ProjectionVersion,
  ReadModelStore,
  StoredDocument,
} from '../../src/projections/read-model-store';
import { describeWithPostgres, scratchSchemaName, tableOfCollection } from '../support/postgres-read-model-database';
import { ordersAndCounters, ordersByCustomer, ordersByLabel } from '../../src/testing/contract/read-model-collections';
import { codeOf } from '../../src/testing/contract/either-results';

/*
 * What the PostgreSQL store does beyond the shared contract: how it uses its indexes, what PostgreSQL cannot
 * store, how it opens, and that it behaves exactly as the in-memory reference store on random histories.
 */

const rightOrThrow = <A>(either: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected success, got ${either.left.message}`);
  return either.right;
};


const put = (collection: string, id: string, position: number, document: JsonDocument): DocumentWrite => ({ kind: 'put', collection, id, position, document });
const remove = (collection: string, id: string, position: number): DocumentWrite => ({ kind: 'delete', collection, id, position });

const COLLECTIONS = ordersAndCounters(ordersByCustomer, ordersByLabel);

const commitAll = async (store: ReadModelStore, version: ProjectionVersion, writes: readonly DocumentWrite[], checkpoint: number): Promise<void> => {
  const expectedCheckpoint = rightOrThrow(await store.checkpoint(version));
  rightOrThrow(await store.commit(version, { writes, checkpoint, expectedCheckpoint }));
};

const pageThrough = async (store: ReadModelStore, version: ProjectionVersion, query: Omit<IndexQuery, 'after'>): Promise<StoredDocument[]> => {
  const seen: StoredDocument[] = [];
  let after: IndexQuery['after'];
  for (let pages = 0; pages < 1000; pages += 1) {
    const page = rightOrThrow(await store.find(version, { ...query, ...(after === undefined ? {} : { after }) }));
    seen.push(...page.documents);
    if (page.next === undefined) return seen;
    after = page.next;
  }
  throw new Error('paging did not end');
};

describe('PostgreSQL read-model store without a server', () => {
  it('answers READ_MODEL_UNAVAILABLE when the server cannot be reached', async () => {
    const opened = await PostgresReadModelStore.open({ connection: { connectionString: 'postgres://postgres@127.0.0.1:1/test' } });
    expect(codeOf(opened)).toBe('READ_MODEL_UNAVAILABLE');
  });

  it('refuses a schema name that is not a plain lower-case identifier', async () => {
    const opened = await PostgresReadModelStore.open({ connection: { connectionString: 'postgres://postgres@127.0.0.1:1/test' }, schema: 'Read"Models' });
    expect(codeOf(opened)).toBe('INVALID_DEFINITION');
  });
});

describeWithPostgres('PostgreSQL read-model store specifics', (url) => {
  const schema = scratchSchemaName();
  let pool: Pool;
  let store: PostgresReadModelStore;
  let counter = 0;
  const newVersion = (): ProjectionVersion => {
    counter += 1;
    return { projection: `specifics-${counter}`, version: 1 };
  };
  const preparedVersion = async (): Promise<ProjectionVersion> => {
    const version = newVersion();
    rightOrThrow(await store.prepare(version, COLLECTIONS));
    return version;
  };
  const openStore = async (options: { readonly schema?: string; readonly pool?: Pool; readonly durableBatches?: boolean } = {}): Promise<PostgresReadModelStore> =>
    rightOrThrow(
      await PostgresReadModelStore.open({
        connection: { pool: options.pool ?? pool },
        schema: options.schema ?? schema,
        ...(options.durableBatches === undefined ? {} : { durableBatches: options.durableBatches }),
      }),
    );

  beforeAll(async () => {
    pool = new Pool({ connectionString: url, max: 6 });
    pool.on('error', () => undefined);
    store = await openStore();
  });
  afterAll(async () => {
    await store.close();
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });

  describe('indexes', () => {
    const planNodes = (plan: Record<string, unknown>): Record<string, unknown>[] => [
      plan,
      ...((plan['Plans'] as Record<string, unknown>[] | undefined) ?? []).flatMap(planNodes),
    ];

    it('serves a page from the declared index alone, forwards and backwards, with bounds and a cursor', async () => {
      const version = await preparedVersion();
      for (let batch = 0; batch < 4; batch += 1) {
        const writes = Array.from({ length: 500 }, (_, i) => {
          const n = batch * 500 + i;
          return put('orders', `o${n}`, n + 1, { customerId: `c${n % 4}`, placedAt: n % 97, label: `l${n}` });
        });
        await commitAll(store, version, writes, (batch + 1) * 500);
      }
      const table = (await tableOfCollection(pool, schema, version, 'orders')).qualified;
      await pool.query(`ANALYZE ${table}`);
      const byCustomer = COLLECTIONS[0]?.indexes[0];
      if (byCustomer === undefined) throw new Error('the test collections lost their index');
      const plain: IndexQuery = { collection: 'orders', index: 'by-customer', equals: { customerId: 'c3' }, order: 'ascending', limit: 10 };
      const bounded: IndexQuery = { ...plain, range: { atLeast: 3, below: 90 }, after: { value: 40, id: 'o1000' } };
      for (const query of [plain, bounded, { ...plain, order: 'descending' } as const, { ...bounded, order: 'descending' } as const]) {
        const { order } = query;
        const statement = indexQueryStatement(table, byCustomer, query);
        const explained = await pool.query<{ 'QUERY PLAN': { Plan: Record<string, unknown> }[] }>(`EXPLAIN (FORMAT JSON) ${statement.text}`, statement.values);
        const nodes = planNodes((explained.rows[0]?.['QUERY PLAN'][0] as { Plan: Record<string, unknown> }).Plan);
        expect(nodes.map((node) => node['Node Type'])).toEqual(['Limit', 'Index Scan']);
        expect(nodes[1]?.['Scan Direction']).toBe(order === 'ascending' ? 'Forward' : 'Backward');
        expect(String(nodes[1]?.['Index Name'])).toContain('by-customer');
        if (query.after !== undefined) expect(String(nodes[1]?.['Index Cond'])).toContain('ROW(');
      }
    });

    it('never lets a wrongly typed field fail a query, even when every row is read', async () => {
      // Without index scans PostgreSQL evaluates the sort key of every row, the wrongly typed ones included.
      const seqScanPool = new Pool({ connectionString: url, max: 2, options: '-c enable_indexscan=off -c enable_bitmapscan=off' });
      seqScanPool.on('error', () => undefined);
      const seqScanStore = await openStore({ pool: seqScanPool });
      try {
        const version = await preparedVersion();
        const odd: JsonValueLike[] = ['abc', '12', true, null, {}, [], 1e21];
        const writes = [
          ...odd.map((placedAt, i) => put('orders', `odd${i}`, 1, { customerId: 'c1', placedAt, label: 5 })),
          ...[3, -1.5, 7].map((placedAt) => put('orders', `n${placedAt}`, 1, { customerId: 'c1', placedAt })),
        ];
        await commitAll(store, version, writes, 1);
        const query = { collection: 'orders', index: 'by-customer', equals: { customerId: 'c1' }, order: 'ascending', range: { atLeast: -2, below: 1e22 }, limit: 2 } as const;
        for (const reader of [store, seqScanStore]) {
          expect((await pageThrough(reader, version, query)).map((d) => d.id)).toEqual(['n-1.5', 'n3', 'n7', 'odd6']);
          expect(await pageThrough(reader, version, { collection: 'orders', index: 'by-label', equals: {}, order: 'ascending', limit: 5 })).toEqual([]);
        }
      } finally {
        await seqScanStore.close();
        await seqScanPool.end();
      }
    });

    it('refuses a document whose index entry would not fit a btree page, and keeps one that fits', async () => {
      const version = await preparedVersion();
      const random = (bytes: number): string => Array.from({ length: bytes }, () => String.fromCharCode(33 + Math.floor(Math.random() * 90))).join('');
      const fits = random(2600);
      await commitAll(store, version, [put('orders', 'x', 1, { label: fits })], 1);
      expect(rightOrThrow(await store.get(version, 'orders', 'x'))?.document).toEqual({ label: fits });
      const tooLong = await store.commit(version, { writes: [put('orders', 'ok', 2, { label: 'short' }), put('orders', 'y', 2, { label: random(2700) })], checkpoint: 2, expectedCheckpoint: 1 });
      expect(tooLong).toEqual(E.left(expect.objectContaining({ code: 'INVALID_DOCUMENT', collection: 'orders', id: 'y' })));
      // Outside any index a long value is only a long value.
      const long = random(100_000);
      await commitAll(store, version, [put('counters', 'long', 2, { text: long }), put('orders', 'unindexed', 2, { label: 1, text: long })], 2);
      expect(rightOrThrow(await store.get(version, 'counters', 'long'))?.document).toEqual({ text: long });
    });
  });

  describe('text PostgreSQL cannot hold', () => {
    it.each([
      ['U+0000 in an id', put('counters', 'a\u0000b', 1, { n: 1 })],
      ['a lone surrogate in an id', put('counters', 'a\uD800', 1, { n: 1 })],
      ['U+0000 in a value', put('counters', 'ok', 1, { n: 'a\u0000' })],
      ['U+0000 in a key', put('counters', 'ok', 1, { 'a\u0000': 1 })],
      ['a lone high surrogate deep inside', put('counters', 'ok', 1, { n: [{ deep: 'x\uD83D' }] })],
      ['a lone low surrogate', put('counters', 'ok', 1, { n: '\uDE00x' })],
    ])('refuses a batch whole when it has %s', async (_label, write) => {
      const version = await preparedVersion();
      const result = await store.commit(version, { writes: [put('counters', 'first', 1, { n: 1 }), write], checkpoint: 1, expectedCheckpoint: undefined });
      expect(result).toEqual(E.left(expect.objectContaining({ code: 'INVALID_DOCUMENT', id: write.id })));
      expect(rightOrThrow(await store.get(version, 'counters', 'first'))).toBeUndefined();
      expect(rightOrThrow(await store.checkpoint(version))).toBeUndefined();
    });

    it('keeps escapes that only look like them, and surrogate pairs', async () => {
      const version = await preparedVersion();
      const document = { text: '\\u0000 and \\\\ud800', emoji: '😀', [`key\\u0000`]: 'x\\' };
      await commitAll(store, version, [put('counters', '😀\\u0000', 1, document)], 1);
      expect(rightOrThrow(await store.get(version, 'counters', '😀\\u0000'))?.document).toEqual(document);
    });

    it('finds no document for an id it could not store, and refuses such a query value', async () => {
      const version = await preparedVersion();
      expect(rightOrThrow(await store.getMany(version, [{ collection: 'counters', id: 'a\u0000' }, { collection: 'orders', id: '\uDC00' }]))).toEqual([undefined, undefined]);
      const query: IndexQuery = { collection: 'orders', index: 'by-customer', equals: { customerId: 'c\u0000' }, order: 'ascending', limit: 1 };
      expect(codeOf(await store.find(version, query))).toBe('INVALID_QUERY');
      expect(codeOf(await store.find(version, { ...query, equals: { customerId: 'c' }, after: { value: 1, id: '\uD800' } }))).toBe('INVALID_QUERY');
    });
  });

  describe('opening and closing', () => {
    it('lets stores open together on a new schema, each finding it migrated', async () => {
      const fresh = scratchSchemaName();
      try {
        const stores = await Promise.all(Array.from({ length: 5 }, () => openStore({ schema: fresh })));
        await Promise.all(stores.map((opened) => opened.close()));
        const again = await openStore({ schema: fresh });
        await again.close();
        const migrations = await pool.query<{ id: number }>(`SELECT id FROM "${fresh}".migrations ORDER BY id`);
        expect(migrations.rows.map((row) => row.id)).toEqual([1]);
      } finally {
        await pool.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`);
      }
    });

    it('answers every call under way when it closes, those still waiting for one of its connections included', async () => {
      const owning = rightOrThrow(await PostgresReadModelStore.open({ connection: { connectionString: url, maxConnections: 2 }, schema }));
      const version = newVersion();
      rightOrThrow(await owning.prepare(version, COLLECTIONS));
      const calls = Array.from({ length: 10 }, () => owning.checkpoint(version));
      await owning.close();
      const answered = await Promise.race([Promise.all(calls), new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 5_000))]);
      expect(answered).not.toBe('waiting');
      expect(await owning.checkpoint(version)).toEqual(E.left(expect.objectContaining({ code: 'READ_MODEL_UNAVAILABLE' })));
    });

    it('lets stores prepare the same version together', async () => {
      const version = newVersion();
      const others = await Promise.all([openStore(), openStore(), openStore()]);
      try {
        const results = await Promise.all(others.map((other) => other.prepare(version, COLLECTIONS)));
        expect(results.every(E.isRight)).toBe(true);
        await commitAll(store, version, [put('counters', 'c', 1, { n: 1 })], 1);
        expect(rightOrThrow(await (others[0] as PostgresReadModelStore).get(version, 'counters', 'c'))?.document).toEqual({ n: 1 });
      } finally {
        await Promise.all(others.map((other) => other.close()));
      }
    });

    it.each([
      [false, true],
      [true, false],
    ])("with durableBatches %s, a batch's commit skips the WAL flush: %s; the caller's connections are left as they were", async (durableBatches, skipsFlush) => {
      const single = new Pool({ connectionString: url, max: 1 });
      single.on('error', () => undefined);
      const seen: string[] = [];
      // The one connection of the pool, watched: what the store's commit sends on it, and what it is left with.
      const client = await single.connect();
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        if (typeof args[0] === 'string') seen.push(args[0]);
        return query(...args);
      };
      client.release();
      try {
        const borrowing = await openStore({ pool: single, durableBatches });
        const version = newVersion();
        rightOrThrow(await borrowing.prepare(version, COLLECTIONS));
        const before = (await single.query('SHOW synchronous_commit')).rows;
        seen.length = 0;
        await commitAll(borrowing, version, [put('counters', 'c', 1, { n: 1 })], 1);
        expect(seen.some((text) => /SET LOCAL synchronous_commit TO OFF/.test(text))).toBe(skipsFlush);
        expect((await single.query('SHOW synchronous_commit')).rows).toEqual(before);
        expect(rightOrThrow(await borrowing.get(version, 'counters', 'c'))?.document).toEqual({ n: 1 });
        await borrowing.close();
      } finally {
        await single.end();
      }
    });

    it('answers READ_MODEL_UNAVAILABLE once closed, and ends only a pool of its own', async () => {
      const owning = rightOrThrow(await PostgresReadModelStore.open({ connection: { connectionString: url }, schema }));
      const borrowing = await openStore();
      const version = await preparedVersion();
      await owning.close();
      await borrowing.close();
      await borrowing.close();
      for (const closed of [owning, borrowing]) {
        expect(codeOf(await closed.get(version, 'counters', 'c'))).toBe('READ_MODEL_UNAVAILABLE');
        expect(codeOf(await closed.checkpoint(version))).toBe('READ_MODEL_UNAVAILABLE');
        expect(codeOf(await closed.commit(version, { writes: [], checkpoint: 1, expectedCheckpoint: undefined }))).toBe('READ_MODEL_UNAVAILABLE');
        expect(codeOf(await closed.activate(version.projection, 1, undefined))).toBe('READ_MODEL_UNAVAILABLE');
      }
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    });

    it('answers for a name or number it would refuse as for a version never prepared', async () => {
      for (const version of [{ projection: 'Bad\u0000Name', version: 1 }, { projection: 'fine', version: 1.5 }]) {
        expect(codeOf(await store.get(version, 'orders', 'x'))).toBe('UNKNOWN_COLLECTION');
        expect(codeOf(await store.find(version, { collection: 'orders', index: 'by-label', equals: {}, order: 'ascending', limit: 1 }))).toBe('UNKNOWN_COLLECTION');
        expect(codeOf(await store.commit(version, { writes: [], checkpoint: 1, expectedCheckpoint: undefined }))).toBe('UNKNOWN_COLLECTION');
        expect(await store.checkpoint(version)).toEqual(E.right(undefined));
        expect(await store.drop(version)).toEqual(E.right(undefined));
      }
      expect(await store.activeVersion('Bad\u0000Name')).toEqual(E.right(undefined));
    });

    it('notices a version dropped by another store, even one prepared again with other indexes since', async () => {
      const version = await preparedVersion();
      await commitAll(store, version, [put('orders', 'o1', 1, { customerId: 'c1', placedAt: 1 })], 1);
      const other = await openStore();
      try {
        rightOrThrow(await other.drop(version));
        expect(codeOf(await store.get(version, 'orders', 'o1'))).toBe('UNKNOWN_COLLECTION');
        expect(codeOf(await store.commit(version, { writes: [put('counters', 'c', 2, { n: 1 })], checkpoint: 2, expectedCheckpoint: 1 }))).toBe('UNKNOWN_COLLECTION');

        rightOrThrow(await store.prepare(version, COLLECTIONS));
        await commitAll(store, version, [put('orders', 'o1', 1, { customerId: 'c1', placedAt: 1 })], 1);
        rightOrThrow(await other.drop(version));
        const redefined: CollectionDefinition[] = [{ name: 'orders', indexes: [{ name: 'by-total', equals: [], sortBy: { field: 'total', type: 'number' } }] }];
        rightOrThrow(await other.prepare(version, redefined));
        await commitAll(other, version, [put('orders', 'o2', 2, { total: 5 })], 2);
        // `store` still remembers the old definition; the new one is what it must use.
        const page = rightOrThrow(await store.find(version, { collection: 'orders', index: 'by-total', equals: {}, order: 'ascending', limit: 5 }));
        expect(page.documents.map((d) => d.id)).toEqual(['o2']);
        expect(codeOf(await store.find(version, { collection: 'orders', index: 'by-customer', equals: { customerId: 'c1' }, order: 'ascending', limit: 5 }))).toBe('INVALID_QUERY');
        expect(rightOrThrow(await store.getMany(version, [{ collection: 'orders', id: 'o1' }, { collection: 'orders', id: 'o2' }])).map((d) => d?.id)).toEqual([undefined, 'o2']);
        rightOrThrow(await store.commit(version, { writes: [put('orders', 'o3', 3, { total: 1 })], checkpoint: 3, expectedCheckpoint: 2 }));
        expect(codeOf(await store.commit(version, { writes: [put('counters', 'c', 4, { n: 1 })], checkpoint: 4, expectedCheckpoint: 3 }))).toBe('UNKNOWN_COLLECTION');
      } finally {
        await other.close();
      }
    });
  });

  describe('equivalence with the in-memory store', () => {
    it("applies a document's writes in order when their positions do not rise: neither the last nor the highest decides alone", async () => {
      const memory = new MemoryReadModelStore();
      const version = await preparedVersion();
      rightOrThrow(await memory.prepare(version, COLLECTIONS));
      const batches: readonly (readonly DocumentWrite[])[] = [
        [put('counters', 'a', 5, { n: 0 }), put('counters', 'b', 5, { n: 0 }), put('counters', 'c', 5, { n: 0 })],
        [
          // The delete forgets position 7, so the put at 6 after it lands.
          put('counters', 'a', 6, { n: 1 }),
          remove('counters', 'a', 7),
          put('counters', 'a', 6, { n: 2 }),
          // The second write at the same position is ignored.
          put('counters', 'b', 6, { n: 3 }),
          put('counters', 'b', 6, { n: 4 }),
          // A put falling back below the stored position is ignored, as is the delete at it.
          put('counters', 'c', 8, { n: 5 }),
          remove('counters', 'c', 8),
          put('counters', 'c', 7, { n: 6 }),
        ],
      ];
      for (const [i, writes] of batches.entries()) {
        for (const target of [memory, store]) await commitAll(target, version, writes, i + 1);
      }
      const keys = ['a', 'b', 'c'].map((id) => ({ collection: 'counters', id }));
      const expected = [
        { id: 'a', position: 6, document: { n: 2 } },
        { id: 'b', position: 6, document: { n: 3 } },
        { id: 'c', position: 8, document: { n: 5 } },
      ];
      expect(rightOrThrow(await memory.getMany(version, keys))).toEqual(expected);
      expect(rightOrThrow(await store.getMany(version, keys))).toEqual(expected);
    });

    const IDS = ['a', 'b', 'c', 'd', 'e', 'f'];
    const document = fc
      .record({
        customerId: fc.option(fc.constantFrom<JsonValueLike>('c1', 'c2', 1, null), { nil: undefined }),
        placedAt: fc.option(fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom<JsonValueLike>(0.5, -2.25, 1e21, 1e-7, 'x', '1')), { nil: undefined }),
        label: fc.option(fc.string({ unit: fc.constantFrom('a', 'B', 'é', '\uFF21', '😀', '\u00A0'), maxLength: 3 }), { nil: undefined }),
        n: fc.integer(),
      })
      .map((fields) => Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as JsonDocument);
    const write = fc.oneof(
      fc.record({ collection: fc.constantFrom('orders', 'counters'), id: fc.constantFrom(...IDS), position: fc.integer({ min: 0, max: 12 }), document }).map(
        (w): DocumentWrite => ({ kind: 'put', ...w }),
      ),
      fc.record({ collection: fc.constantFrom('orders', 'counters'), id: fc.constantFrom(...IDS), position: fc.integer({ min: 0, max: 12 }) }).map(
        (w): DocumentWrite => ({ kind: 'delete', ...w }),
      ),
    );
    const queries: readonly Omit<IndexQuery, 'limit'>[] = [
      ...['c1', 'c2', '1'].flatMap((customerId) =>
        (['ascending', 'descending'] as const).map((order) => ({ collection: 'orders', index: 'by-customer', equals: { customerId }, order })),
      ),
      { collection: 'orders', index: 'by-customer', equals: { customerId: 'c1' }, order: 'descending', range: { atLeast: -2, below: 1 } },
      { collection: 'orders', index: 'by-label', equals: {}, order: 'ascending' },
      { collection: 'orders', index: 'by-label', equals: {}, order: 'descending', range: { atLeast: 'B', below: 'é' } },
    ];

    it('ends every history of batches, and answers every query, as the in-memory store does', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(write, { maxLength: 8 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 3 }), async (batches, limit) => {
          const memory = new MemoryReadModelStore();
          const version = await preparedVersion();
          rightOrThrow(await memory.prepare(version, COLLECTIONS));
          for (const [i, writes] of batches.entries()) {
            for (const target of [memory, store]) await commitAll(target, version, writes, i);
          }
          const keys = ['orders', 'counters'].flatMap((collection) => IDS.map((id) => ({ collection, id })));
          expect(rightOrThrow(await store.getMany(version, keys))).toEqual(rightOrThrow(await memory.getMany(version, keys)));
          for (const query of queries) {
            const ids = async (target: ReadModelStore): Promise<string[]> => (await pageThrough(target, version, { ...query, limit })).map((d) => d.id);
            expect(await ids(store)).toEqual(await ids(memory));
          }
        }),
        { numRuns: 15 },
      );
    });
  });

  it('keeps its bookkeeping where an operator can read it', async () => {
    const version = await preparedVersion();
    await commitAll(store, version, [], 4);
    const rows = await pool.query(`SELECT checkpoint::int AS checkpoint FROM "${schema}".versions WHERE projection = $1`, [version.projection]);
    expect(rows.rows).toEqual([{ checkpoint: 4 }]);
  });
});

type JsonValueLike = JsonDocument[string];
