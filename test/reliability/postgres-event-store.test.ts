import * as E from 'fp-ts/Either';
import { Client, escapeIdentifier, Pool } from 'pg';
import { firstValueFrom, Subscription } from 'rxjs';
import { filter as rxFilter } from 'rxjs/operators';
import { PostgresEventStore, PostgresEventStoreOptions } from '../../src/adapters/event-store/postgres/postgres-event-store';
import { writeOneStatement } from '../../src/adapters/event-store/postgres/batch-appender';
import { storeSchema } from '../../src/adapters/event-store/postgres/store-schema';
import { GENESIS_HASH, hashEvent } from '../../src/engine/audit/hash-chain';
import { verifyStore } from '../../src/engine/audit/verify';
import type { EventEnvelope } from '../../src/engine/event-store/envelope';
import type { EventStore, ExpectedRevision, SubscriptionMessage, WrongExpectedRevision } from '../../src/engine/event-store/event-store';
import { describeWithPostgres, dropSchema, postgresUrl, uniqueSchemaName } from '../support/postgres-server';
import { proposedEvents } from '../../src/testing/contract/proposed-events';
import { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import { logisticsProjection } from '../../src/projections/logistics/projection';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { rightOrThrow } from '../../src/testing/contract/either-results';

/** Polls `probe` until it returns a value; the limit only turns a hang into a failure, it asserts no speed. */
const eventually = async <A>(what: string, probe: () => Promise<A | undefined>, limitMs = 15_000): Promise<A> => {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** Revisions from 0 without a hole, each event linked to the one before and hashed over its own fields. */
const expectValidChain = (events: readonly EventEnvelope[]): void => {
  const broken = events.filter((event, i) => {
    const { position: _position, hash, ...fields } = event;
    return event.revision !== i || event.previousHash !== (i === 0 ? GENESIS_HASH : events[i - 1]!.hash) || hash !== hashEvent(fields);
  });
  expect(broken).toEqual([]);
};

const readEverything = async (store: EventStore): Promise<EventEnvelope[]> => {
  const events: EventEnvelope[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 500 });
    events.push(...page.events);
    after = page.lastPosition;
    if (page.isEnd) return events;
  }
};

const revisionOf = async (store: EventStore, streamId: string): Promise<ExpectedRevision> => {
  const [last] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
  return last === undefined ? 'no-stream' : last.revision;
};

describeWithPostgres('PostgreSQL event store reliability', () => {
  let admin: Pool;
  const opened: { store: PostgresEventStore; schema: string }[] = [];
  const openStore = (schema: string, options: PostgresEventStoreOptions = {}): PostgresEventStore => {
    const store = new PostgresEventStore(postgresUrl, { ...options, schema });
    opened.push({ store, schema });
    return store;
  };

  beforeAll(() => {
    admin = new Pool({ connectionString: postgresUrl, max: 3 });
  });
  afterEach(async () => {
    const schemas = new Set(opened.map((o) => o.schema));
    await Promise.all(opened.splice(0).map((o) => o.store.close()));
    for (const schema of schemas) await dropSchema(admin, schema);
  });
  afterAll(async () => {
    await admin.end();
  });

  describe.each([
    ['one transaction per append', {}],
    ['group commit', { groupCommit: true }],
  ] as const)('%s', (_mode, options: PostgresEventStoreOptions) => {
    it('50 writers racing on one stream write every revision exactly once; losers get the typed conflict and succeed on retry', async () => {
      const store = openStore(uniqueSchemaName('race'), options);
      const stream = 'race-1';
      const writers = 50;
      const batches = Array.from({ length: writers }, () => proposedEvents(2, 'Raced'));
      // One read before any write: every writer starts from the same revision, so the first round is a real race.
      const initial = await revisionOf(store, stream);
      const outcomes = await Promise.all(
        batches.map(async (events) => {
          const conflicts: WrongExpectedRevision[] = [];
          let expected = initial;
          for (let attempt = 0; attempt < 500; attempt += 1) {
            const result = await store.append(stream, events, expected);
            if (E.isRight(result)) return { conflicts, written: result.right.events };
            if (result.left.code !== 'WRONG_EXPECTED_REVISION') throw new Error(`unexpected failure ${result.left.message}`);
            conflicts.push(result.left);
            // The conflict carries the revision the stream is at: the loser retries from there.
            expected = result.left.actual;
          }
          throw new Error('a writer never got its turn');
        }),
      );

      expect(outcomes.filter((o) => o.conflicts.length === 0)).toHaveLength(1);
      for (const { conflicts } of outcomes) {
        for (const conflict of conflicts) {
          expect(conflict).toMatchObject({ code: 'WRONG_EXPECTED_REVISION', streamId: stream });
          const expectedRevision = conflict.expected === 'no-stream' ? -1 : conflict.expected;
          expect(conflict.actual).toBeGreaterThan(expectedRevision as number);
        }
      }
      const stored = await store.readStream(stream);
      expectValidChain(stored);
      expect(stored.map((e) => e.eventId)).toEqual(expect.arrayContaining(batches.flat().map((e) => e.eventId)));
      expect(stored).toHaveLength(writers * 2);
      for (const { written } of outcomes) {
        // Each append's two events are adjacent revisions, and they are what the stream holds there.
        expect(written[1]!.revision).toBe(written[0]!.revision + 1);
        expect(stored[written[0]!.revision]!.eventId).toBe(written[0]!.eventId);
        expect(stored[written[1]!.revision]!.eventId).toBe(written[1]!.eventId);
      }
    });

    it('a connection killed mid-append leaves the batch wholly absent, and the store works afterwards', async () => {
      const schema = uniqueSchemaName('kill');
      const store = openStore(schema, options);
      const stream = 'kill-1';
      const seed = rightOrThrow(await store.append(stream, proposedEvents(1), 'no-stream'));
      const headBefore = await store.headPosition();
      const quoted = storeSchema(schema).quotedName;
      // The trigger holds the append inside its transaction, after its rows are inserted and before it
      // commits, until the backend is killed: the kill lands at that point every run.
      await admin.query(`CREATE FUNCTION ${quoted}.stall() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$`);
      await admin.query(`CREATE TRIGGER stall AFTER INSERT ON ${quoted}.events FOR EACH STATEMENT EXECUTE FUNCTION ${quoted}.stall()`);

      const large = proposedEvents(1_000, 'Large', (i) => ({ i, padding: 'x'.repeat(100) }));
      const small = proposedEvents(2, 'Small');
      const appends = [store.append(stream, large, 0), ...(options.groupCommit === true ? [store.append('kill-2', small, 'no-stream')] : [])];
      const pid = await eventually('the append to stall', async () => {
        const result = await admin.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND position($1 IN query) > 0`,
          [quoted],
        );
        return result.rows[0]?.pid;
      });
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);

      for (const outcome of await Promise.all(appends)) expect(outcome).toEqual(E.left(expect.objectContaining({ code: 'STORE_UNAVAILABLE' })));
      const written = await admin.query<{ count: string }>(`SELECT count(*) FROM ${quoted}.events WHERE type IN ('Large', 'Small')`);
      expect(written.rows[0]!.count).toBe('0');
      expect(await store.readStream(stream)).toEqual([seed.events[0]]);
      await expect(store.headPosition()).resolves.toBe(headBefore);

      await admin.query(`DROP TRIGGER stall ON ${quoted}.events`);
      const retried = rightOrThrow(await store.append(stream, large, 0));
      expect(retried.events[0]!.position).toBe(headBefore! + 1);
      const stored = await store.readStream(stream);
      expect(stored).toHaveLength(1_001);
      expectValidChain(stored);
    });

    it('a live subscriber under concurrent writers receives every event exactly once, in position order, with no gap', async () => {
      const schema = uniqueSchemaName('gap');
      // Two stores on one schema stand for two processes, so that even with group commit (one batch in flight
      // per store) transactions overlap.
      const stores = [openStore(schema, options), openStore(schema, options)] as const;
      rightOrThrow(await stores[0].append('gap-seed', proposedEvents(1), 'no-stream'));
      const quoted = storeSchema(schema).quotedName;
      // A random pause between reserving positions and committing: with positions from a sequence, this is
      // where a later position commits first and a reader skips the earlier one.
      await admin.query(`CREATE FUNCTION ${quoted}.jitter() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(random() * 0.004); RETURN NULL; END $$`);
      await admin.query(`CREATE TRIGGER jitter AFTER INSERT ON ${quoted}.events FOR EACH STATEMENT EXECUTE FUNCTION ${quoted}.jitter()`);

      const received: EventEnvelope[] = [];
      const subscription: Subscription = stores[0].subscribe().subscribe((message: SubscriptionMessage) => {
        if (message.kind === 'event') received.push(message.event);
      });
      try {
        const writers = 8;
        const appendsPerWriter = 25;
        await Promise.all(
          Array.from({ length: writers }, async (_, writer) => {
            for (let i = 0; i < appendsPerWriter; i += 1) {
              rightOrThrow(await stores[writer % 2]!.append(`gap-${writer}`, proposedEvents(1 + (i % 3)), 'any'));
            }
          }),
        );
        const all = await readEverything(stores[1]);
        // A subscriber that skipped an event never reaches the count; the wait then ends and the comparison shows what is missing.
        await eventually('the subscriber to receive every event', () => Promise.resolve(received.length >= all.length ? true : undefined)).catch(
          () => undefined,
        );

        expect(received.map((e) => e.eventId)).toEqual(all.map((e) => e.eventId));
        expect(received.map((e) => e.position)).toEqual(all.map((_, i) => i));
      } finally {
        subscription.unsubscribe();
      }
    });
  });

  it('settles every append and read under way when it closes, those still waiting for a connection included', async () => {
    const store = openStore(uniqueSchemaName('close_in_flight'));
    expect(E.isRight(await store.migrate())).toBe(true);
    const appends = Array.from({ length: 30 }, (_, i) => store.append(`order-${i}`, proposedEvents(1), 'no-stream'));
    const reads = Array.from({ length: 30 }, (_, i) => store.readStream(`order-${i}`));
    await store.close();
    const settled = await Promise.race([
      Promise.allSettled([...appends, ...reads]),
      new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
    ]);
    expect(settled).not.toBe('still waiting');
    expect(settled !== 'still waiting' && settled.slice(0, 30).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
  });

  it('ends a subscription made before close and subscribed to after it, instead of polling a closed store', async () => {
    const store = openStore(uniqueSchemaName('sub_after_close'));
    const made = store.subscribe();
    await store.close();
    await expect(firstValueFrom(made)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('refuses a schema name PostgreSQL would cut short, which could make two stores one', () => {
    expect(() => new PostgresEventStore(postgresUrl, { schema: `tenant_${'a'.repeat(57)}` })).toThrow(/PostgreSQL keeps only the first 63/);
    expect(() => storeSchema('')).toThrow(RangeError);
    expect(storeSchema(`tenant_${'a'.repeat(56)}`).name).toHaveLength(63);
  });

  it('processes starting at once on an empty schema all migrate it, once', async () => {
    const schema = uniqueSchemaName('migrate');
    const stores = Array.from({ length: 6 }, () => openStore(schema));
    const results = await Promise.all(stores.map((store) => store.migrate()));
    expect(results.every(E.isRight)).toBe(true);
    const versions = await admin.query<{ version: number }>(`SELECT version FROM ${storeSchema(schema).migrations} ORDER BY version`);
    expect(versions.rows).toEqual([{ version: 1 }, { version: 2 }]);
    rightOrThrow(await stores[3]!.append('migrated-1', proposedEvents(1), 'no-stream'));
    await expect(stores[5]!.readStream('migrated-1')).resolves.toHaveLength(1);
  });

  it('takes its schema from the URL, as the CLI does, and refuses a URL and options that name two', async () => {
    const schema = uniqueSchemaName('url');
    const url = new URL(postgresUrl);
    url.searchParams.set('schema', schema);
    const store = new PostgresEventStore(url.toString());
    opened.push({ store, schema });
    rightOrThrow(await store.append('url-1', proposedEvents(1), 'no-stream'));
    const stored = await admin.query<{ stream_id: string }>(`SELECT stream_id FROM ${storeSchema(schema).events}`);
    expect(stored.rows).toEqual([{ stream_id: 'url-1' }]);
    expect(() => new PostgresEventStore(url.toString(), { schema: 'another' })).toThrow(/names schema/);
    expect(() => new PostgresEventStore(`${url.toString()}&schema=another`)).toThrow(`the URL names schemas "${schema}" and "another": name one`);
  });

  it('is read by a role that may only read, once nothing is left to migrate: an auditor needs no right to create', async () => {
    const schema = uniqueSchemaName('reader');
    const writer = openStore(schema);
    rightOrThrow(await writer.append('read-only-1', proposedEvents(3), 'no-stream'));
    const role = `test_reader_${process.pid}_${Math.random().toString(16).slice(2, 10)}`;
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    try {
      await admin.query(`GRANT USAGE ON SCHEMA ${escapeIdentifier(schema)} TO ${role}`);
      await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${escapeIdentifier(schema)} TO ${role}`);
      const url = new URL(postgresUrl);
      url.username = role;
      url.password = '';
      const auditor = new PostgresEventStore(url.toString(), { schema });
      try {
        expect(E.isRight(await auditor.migrate())).toBe(true);
        expect((await auditor.readStream('read-only-1')).map((e) => e.revision)).toEqual([0, 1, 2]);
        expect((await auditor.readAll({})).events).toHaveLength(3);
        expect(await auditor.headPosition()).toBe(2);
        expect(await verifyStore(auditor)).toMatchObject({ right: { ok: true, eventCount: 3 } });
      } finally {
        await auditor.close();
      }
    } finally {
      await admin.query(`DROP OWNED BY ${role}`);
      await admin.query(`DROP ROLE ${role}`);
    }
  });

  it('upgrades a store written before the append function existed: its next append creates it and continues the chains', async () => {
    const schema = uniqueSchemaName('upgrade');
    const before = openStore(schema);
    rightOrThrow(await before.append('upgrade-1', proposedEvents(2), 'no-stream'));
    await before.close();
    // What a store of the first release holds: migration 1 only, and no function.
    await admin.query(`DROP FUNCTION ${storeSchema(schema).appendFunction}`);
    await admin.query(`DELETE FROM ${storeSchema(schema).migrations} WHERE version = 2`);

    const after = openStore(schema);
    const appended = await after.append('upgrade-1', proposedEvents(1), 1);

    expect(rightOrThrow(appended).events.map((e) => [e.revision, e.position])).toEqual([[2, 2]]);
    const stored = await after.readStream('upgrade-1');
    expectValidChain(stored);
    const versions = await admin.query<{ version: number }>(`SELECT version FROM ${storeSchema(schema).migrations} ORDER BY version`);
    expect(versions.rows).toEqual([{ version: 1 }, { version: 2 }]);
  });

  it('writers appending with "any" to one stream all land, in one unbroken chain', async () => {
    const store = openStore(uniqueSchemaName('any'));
    const batches = Array.from({ length: 40 }, () => proposedEvents(1));
    const results = await Promise.all(batches.map((events) => store.append('any-1', events, 'any')));
    expect(results.every(E.isRight)).toBe(true);
    const stored = await store.readStream('any-1');
    expect(stored).toHaveLength(40);
    expectValidChain(stored);
  });

  it('notifies the store’s channel with the new head position at each commit, from the one-event statement and from the append function', async () => {
    const schema = uniqueSchemaName('notify');
    const store = openStore(schema);
    const batching = openStore(schema, { groupCommit: true });
    rightOrThrow(await store.migrate());
    const listener = await admin.connect();
    const payloads: string[] = [];
    listener.on('notification', (message) => {
      if (message.channel === storeSchema(schema).channel) payloads.push(message.payload ?? '');
    });
    try {
      await listener.query(`LISTEN "${storeSchema(schema).channel}"`);
      rightOrThrow(await store.append('notify-one', proposedEvents(1), 'no-stream'));
      rightOrThrow(await store.append('notify-one', proposedEvents(1), 0));
      rightOrThrow(await store.append('notify-two', proposedEvents(2), 'no-stream'));
      const batch = await Promise.all([batching.append('notify-a', proposedEvents(1), 'no-stream'), batching.append('notify-b', proposedEvents(1), 'no-stream')]);
      expect(batch.every(E.isRight)).toBe(true);
      // A refused append writes nothing and must notify nothing.
      expect(E.isLeft(await store.append('notify-one', proposedEvents(1), 0))).toBe(true);

      await eventually('four notifications', async () => (payloads.length >= 4 ? true : undefined));
      await listener.query('SELECT 1');
      expect(payloads).toEqual(['0', '1', '3', '5']);
    } finally {
      await listener.query(`UNLISTEN *`);
      listener.release();
    }
  });

  it('a subscription keeps delivering when its LISTEN session is killed, and the session comes back', async () => {
    const schema = uniqueSchemaName('listen');
    const store = openStore(schema, { polling: { minDelayMs: 10, maxDelayMs: 200 } });
    const channel = storeSchema(schema).channel;
    const listenerPid = async (): Promise<number | undefined> => {
      const result = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${channel}"`]);
      return result.rows[0]?.pid;
    };
    const received: EventEnvelope[] = [];
    const subscription = store.subscribe().subscribe((message) => {
      if (message.kind === 'event') received.push(message.event);
    });
    try {
      const first = await eventually('the LISTEN session', listenerPid);
      await admin.query('SELECT pg_terminate_backend($1)', [first]);
      const written = rightOrThrow(await store.append('listen-1', proposedEvents(3), 'no-stream'));
      await eventually('the events', () => Promise.resolve(received.length >= 3 ? true : undefined));
      expect(received.map((e) => e.eventId)).toEqual(written.events.map((e) => e.eventId));
      const second = await eventually('a new LISTEN session', async () => {
        const pid = await listenerPid();
        return pid !== undefined && pid !== first ? pid : undefined;
      });
      expect(second).not.toBe(first);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('a store that last wrote a stream still sees what another process appended since', async () => {
    const schema = uniqueSchemaName('stale');
    const [mine, theirs] = [openStore(schema), openStore(schema)];
    rightOrThrow(await mine.append('stale-1', proposedEvents(1), 'no-stream'));
    rightOrThrow(await theirs.append('stale-1', proposedEvents(2), 0));

    expect(await mine.append('stale-1', proposedEvents(1), 0)).toEqual(
      E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', expected: 0, actual: 2 })),
    );
    expect(await mine.append('stale-1', proposedEvents(1), 'no-stream')).toEqual(
      E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', actual: 2 })),
    );
    expect(rightOrThrow(await mine.append('stale-1', proposedEvents(1), 2)).events[0]!.revision).toBe(3);
    rightOrThrow(await theirs.append('stale-1', proposedEvents(1), 3));
    expect(rightOrThrow(await mine.append('stale-1', proposedEvents(1), 'any')).events[0]!.revision).toBe(5);
    expect(rightOrThrow(await mine.append('stale-1', [], 'any')).nextExpectedRevision).toBe(5);
    expectValidChain(await theirs.readStream('stale-1'));
  });

  it('a store that never saw a stream and appends expecting none (no head read) gets the conflict if it exists, and writes nothing', async () => {
    const schema = uniqueSchemaName('unseen');
    const [theirs, fresh] = [openStore(schema), openStore(schema)];
    rightOrThrow(await theirs.append('unseen-1', proposedEvents(2), 'no-stream'));

    expect(await fresh.append('unseen-1', proposedEvents(1), 'no-stream')).toEqual(
      E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', streamId: 'unseen-1', actual: 1 })),
    );
    rightOrThrow(await fresh.append('unseen-2', proposedEvents(1), 'no-stream'));
    rightOrThrow(await fresh.append('unseen-1', proposedEvents(1), 1));
    await expect(fresh.readStream('unseen-1')).resolves.toHaveLength(3);
    expectValidChain(await fresh.readStream('unseen-1'));
    expect(await readEverything(fresh)).toHaveLength(4);
  });

  describe('a read that ends at the stream’s last event', () => {
    let queries: jest.SpyInstance;
    beforeEach(() => {
      queries = jest.spyOn(Client.prototype, 'query');
    });
    afterEach(() => {
      queries.mockRestore();
    });
    /** The store's named statements sent since the spy began, without the store's prefix. */
    const statementsOf = (schema: string): string[] => {
      const { statementPrefix } = storeSchema(schema);
      return queries.mock.calls.flatMap(([config]: unknown[]) => {
        const name = typeof config === 'object' && config !== null ? (config as { name?: unknown }).name : undefined;
        return typeof name === 'string' && name.startsWith(statementPrefix) ? [name.slice(statementPrefix.length)] : [];
      });
    };

    it('spares the append after it a read of the head; a read that stops short does not', async () => {
      const schema = uniqueSchemaName('learned');
      const [theirs, mine] = [openStore(schema), openStore(schema)];
      for (const stream of ['learned-1', 'learned-2', 'learned-3']) rightOrThrow(await theirs.append(stream, proposedEvents(2), 'no-stream'));
      await mine.migrate();
      queries.mockClear();

      await mine.readStream('learned-1');
      rightOrThrow(await mine.append('learned-1', proposedEvents(1), 1));
      await mine.readStream('learned-2', { direction: 'backwards', maxCount: 1 });
      rightOrThrow(await mine.append('learned-2', proposedEvents(1), 1));
      await mine.readStream('learned-3', { maxCount: 1 });
      rightOrThrow(await mine.append('learned-3', proposedEvents(1), 1));

      expect(statementsOf(schema)).toEqual([
        'read-stream-forwards',
        'append_one',
        'read-stream-backwards',
        'append_one',
        'read-stream-forwards',
        'heads',
        'append_one',
      ]);
      for (const stream of ['learned-1', 'learned-2', 'learned-3']) expectValidChain(await theirs.readStream(stream));
    });

    it('only guesses the head: another writer’s append since the read still decides the outcome', async () => {
      const schema = uniqueSchemaName('outread');
      const [theirs, mine] = [openStore(schema), openStore(schema)];
      rightOrThrow(await theirs.append('outread-1', proposedEvents(2), 'no-stream'));
      await expect(mine.readStream('outread-1')).resolves.toHaveLength(2);
      rightOrThrow(await theirs.append('outread-1', proposedEvents(1), 1));

      expect(await mine.append('outread-1', proposedEvents(1), 1)).toEqual(
        E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', expected: 1, actual: 2 })),
      );
      await expect(mine.readStream('outread-1')).resolves.toHaveLength(3);
      rightOrThrow(await theirs.append('outread-1', proposedEvents(1), 2));
      expect(rightOrThrow(await mine.append('outread-1', proposedEvents(1), 'any')).events[0]!.revision).toBe(4);
      expectValidChain(await theirs.readStream('outread-1'));
    });
  });

  it('plans its one-event append cheaply however many dead versions of the counter row its table holds', async () => {
    const schema = uniqueSchemaName('bloat');
    rightOrThrow(await openStore(schema).migrate());
    const { globalPosition } = storeSchema(schema);
    await admin.query(`ALTER TABLE ${globalPosition} SET (autovacuum_enabled = false)`);
    // Versions that one transaction leaves behind cannot be pruned, as happens to the row under concurrent
    // appends when nothing vacuums the table; the planner, with no statistics, reads many pages as many rows.
    await admin.query(`DO $$ BEGIN FOR i IN 1..6000 LOOP UPDATE ${globalPosition} SET last_position = last_position; END LOOP; END $$`);
    const { rows } = await admin.query<{ pages: string }>(`SELECT pg_relation_size('${globalPosition}') / 8192 AS pages`);
    expect(Number(rows[0]!.pages)).toBeGreaterThan(20);

    const client = await admin.connect();
    try {
      await client.query('SET plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE append_one AS ${writeOneStatement(storeSchema(schema))}`);
      const explained = await client.query<{ 'QUERY PLAN': { Plan: { 'Total Cost': number } }[] }>(
        `EXPLAIN (FORMAT JSON) EXECUTE append_one('bloat-1', 0, 'e', 'T', 1, '{}', 0, 0, 'c', 'c', 'c', 'a', '', 'h', 'channel')`,
      );
      const jitAboveCost = Number((await client.query<{ jit_above_cost: string }>('SHOW jit_above_cost')).rows[0]!.jit_above_cost);
      // Above that cost every execution is compiled first: 13 ms an append at 21 pages, 187 ms at 27.
      expect(explained.rows[0]!['QUERY PLAN'][0]!.Plan['Total Cost']).toBeLessThan(Math.min(jitAboveCost, 100_000) / 10);
    } finally {
      await client.query('DEALLOCATE ALL').catch(() => undefined);
      client.release();
    }
  });

  it('refuses, as a conflict, a revision the events table already holds even when the stream head disagrees', async () => {
    const schema = uniqueSchemaName('unique');
    const store = openStore(schema);
    rightOrThrow(await store.append('unique-1', proposedEvents(3), 'no-stream'));
    // Lose the head row, so that only the unique (stream, revision) key still knows the stream exists.
    await admin.query(`DELETE FROM ${storeSchema(schema).streams} WHERE stream_id = 'unique-1'`);
    const fresh = openStore(schema);

    expect(await fresh.append('unique-1', proposedEvents(1), 'no-stream')).toEqual(
      E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', streamId: 'unique-1', actual: 2 })),
    );
    await expect(fresh.readStream('unique-1')).resolves.toHaveLength(3);
  });

  it('carries on when the server kills its idle pooled connections', async () => {
    const schema = uniqueSchemaName('idle');
    const store = openStore(schema);
    rightOrThrow(await store.append('idle-1', proposedEvents(1), 'no-stream'));
    const killed = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle' AND position($1 IN query) > 0`,
      [storeSchema(schema).quotedName],
    );
    expect(killed.rowCount).toBeGreaterThan(0);
    // The pool learns of the loss asynchronously; an append racing it may meet the dead connection once.
    const retried = await eventually('an append to succeed', async () => {
      const result = await store.append('idle-1', proposedEvents(1), 0);
      return E.isRight(result) ? result : undefined;
    });
    expect(retried.right.nextExpectedRevision).toBe(1);
  });

  it('an append waiting on a busy stream holds up no append to another stream', async () => {
    const schema = uniqueSchemaName('busy');
    const store = openStore(schema);
    rightOrThrow(await store.append('busy-1', proposedEvents(1), 'no-stream'));
    const { streams, quotedName } = storeSchema(schema);
    const holder = await admin.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM ${streams} WHERE stream_id = 'busy-1' FOR UPDATE`);
      const blocked = store.append('busy-1', proposedEvents(1), 0);
      await eventually('the append to wait on the stream lock', async () => {
        const result = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position($1 IN query) > 0`, [quotedName]);
        return result.rows[0];
      });
      // Were positions reserved before the stream was checked, this append would queue behind the blocked one.
      let timer: NodeJS.Timeout | undefined;
      const other = await Promise.race([
        store.append('busy-2', proposedEvents(1), 'no-stream'),
        new Promise<'held up'>((resolve) => (timer = setTimeout(() => resolve('held up'), 10_000))),
      ]).finally(() => clearTimeout(timer));
      expect(other).toEqual(E.right(expect.objectContaining({ nextExpectedRevision: 0 })));
      await holder.query('COMMIT');
      expect(await blocked).toEqual(E.right(expect.objectContaining({ nextExpectedRevision: 1 })));
    } finally {
      holder.release();
    }
  });

  it('bounds the scan of a page with a sparse filter, and reports how far it got', async () => {
    const schema = uniqueSchemaName('sparse');
    const store = openStore(schema);
    rightOrThrow(await store.migrate());
    const { events, globalPosition } = storeSchema(schema);
    const filler = 70_000;
    // Rows the filter skips never reach the codec, so filler written straight in SQL is enough here.
    await admin.query(
      `INSERT INTO ${events} (position, stream_id, revision, event_id, type, schema_version, data, occurred_at, recorded_at,
                              command_id, correlation_id, causation_id, actor, previous_hash, hash)
       SELECT n, 'filler', n, 'filler-' || n, 'Filler', 1, '{}', 0, 0, 'c', 'c', 'c', 'a', '', repeat('0', 64)
       FROM generate_series(0, $1 - 1) AS n`,
      [filler],
    );
    await admin.query(`UPDATE ${globalPosition} SET last_position = $1 - 1`, [filler]);
    const wanted = rightOrThrow(await store.append('sparse-1', proposedEvents(1), 'no-stream')).events[0]!;

    const first = await store.readAll({ filter: { streamPrefixes: ['sparse-'] }, maxCount: 10 });
    expect(first).toEqual({ events: [], lastPosition: 65_535, isEnd: false });
    const second = await store.readAll({ after: first.lastPosition!, filter: { streamPrefixes: ['sparse-'] }, maxCount: 10 });
    expect(second).toEqual({ events: [wanted], lastPosition: filler, isEnd: true });
  });

  it.each([
    ['a revision beyond what JavaScript holds exactly', `revision = 9007199254740993`],
    ['a negative occurrence time', `occurred_at = -1`],
    ['a schema version of 0', `schema_version = 0`],
    ['an event id with whitespace', `event_id = 'has whitespace'`],
    ['a hash that is not hex', `hash = repeat('g', 64)`],
    ['a previous hash of the wrong length', `previous_hash = 'abc'`],
  ])('refuses a stored row with %s, in every read, with a typed error', async (_, change) => {
    const schema = uniqueSchemaName('corrupt');
    const store = openStore(schema);
    rightOrThrow(await store.append('corrupt-1', proposedEvents(2), 'no-stream'));
    await admin.query(`UPDATE ${storeSchema(schema).events} SET ${change} WHERE position = 1`);
    const corrupt = { name: 'EventStoreReadError', code: 'CORRUPT_EVENT', message: expect.stringMatching(/^stored event at position 1 is invalid: /) };

    await expect(store.readAll()).rejects.toMatchObject(corrupt);
    await expect(store.readStream('corrupt-1')).rejects.toMatchObject(corrupt);
    await expect(store.readAll({ maxCount: 1 })).resolves.toEqual(expect.objectContaining({ events: [expect.objectContaining({ revision: 0 })] }));
  });

  it('refuses an event it could not read back, without writing anything', async () => {
    const store = openStore(uniqueSchemaName('invalid'));
    const [bad] = proposedEvents(1);
    const result = await store.append('invalid-1', [{ ...bad!, eventId: 'has whitespace' }], 'no-stream');
    expect(result).toEqual(E.left(expect.objectContaining({ code: 'STORE_UNAVAILABLE' })));
    await expect(store.readStream('invalid-1')).resolves.toEqual([]);
    await expect(store.headPosition()).resolves.toBeUndefined();
  });

  it('a subscriber waiting on caught-up sees it after the catch-up events', async () => {
    const store = openStore(uniqueSchemaName('caughtup'));
    const written = rightOrThrow(await store.append('caughtup-1', proposedEvents(3), 'no-stream'));
    const caughtUp = await firstValueFrom(store.subscribe().pipe(rxFilter((m) => m.kind === 'caught-up')));
    expect(caughtUp).toEqual({ kind: 'caught-up', position: written.events[2]!.position });
  });
});

describe('PostgreSQL event store without a reachable server', () => {
  it('answers appends with STORE_UNAVAILABLE and rejects reads with a typed error', async () => {
    const store = new PostgresEventStore('postgres://postgres@127.0.0.1:1/unreachable');
    try {
      const result = await store.append('nowhere-1', proposedEvents(1), 'any');
      expect(result).toEqual(E.left(expect.objectContaining({ code: 'STORE_UNAVAILABLE' })));
      await expect(store.readStream('nowhere-1')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await expect(store.headPosition()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    } finally {
      await store.close();
    }
  });

  it('fails a projection runner that follows it, which says so in its status, rather than leaving it catching up', async () => {
    const store = new PostgresEventStore('postgres://postgres@127.0.0.1:1/unreachable', { polling: { minDelayMs: 1, maxDelayMs: 5 } });
    const runner = new ProjectionRunner({ eventStore: store, readModels: new MemoryReadModelStore(), projection: logisticsProjection });
    try {
      expect(E.isRight(await runner.start())).toBe(true);
      const failed = await firstValueFrom(runner.status$.pipe(rxFilter((status) => status.state === 'failed')));
      expect(failed).toMatchObject({ state: 'failed', failure: { code: 'EVENT_STORE_FAILED' } });
    } finally {
      await runner.stop();
      await store.close();
    }
  });
});
