import * as E from 'fp-ts/Either';
import { Pool } from 'pg';
import { PostgresEventStore, PostgresEventStoreOptions } from '../../src/adapters/event-store/postgres/postgres-event-store';
import { storeSchema } from '../../src/adapters/event-store/postgres/store-schema';
import { GENESIS_HASH, hashEvent } from '../../src/engine/audit/hash-chain';
import type { EventEnvelope } from '../../src/engine/event-store/envelope';
import { describeWithPostgres, dropSchema, postgresUrl, uniqueSchemaName } from '../support/postgres-server';
import { proposedEvents } from '../../src/testing/contract/proposed-events';
import { rightOrThrow } from '../../src/testing/contract/either-results';

const expectValidChain = (events: readonly EventEnvelope[]): void => {
  const broken = events.filter((event, i) => {
    const { position: _position, hash, ...fields } = event;
    return event.revision !== i || event.previousHash !== (i === 0 ? GENESIS_HASH : events[i - 1]!.hash) || hash !== hashEvent(fields);
  });
  expect(broken).toEqual([]);
};

describeWithPostgres('PostgreSQL event store group commit', () => {
  let admin: Pool;
  const opened: { store: PostgresEventStore; schema: string }[] = [];
  const openStore = (schema: string, options: PostgresEventStoreOptions = { groupCommit: true }): PostgresEventStore => {
    const store = new PostgresEventStore(postgresUrl, { ...options, schema });
    opened.push({ store, schema });
    return store;
  };
  /** How many transactions wrote the events of these streams: rows written by one transaction share its xmin. */
  const transactionsThatWrote = async (schema: string, streams: readonly string[]): Promise<number> => {
    const result = await admin.query<{ transactions: string }>(
      `SELECT count(DISTINCT xmin::text) AS transactions FROM ${storeSchema(schema).events} WHERE stream_id = ANY($1)`,
      [streams],
    );
    return Number(result.rows[0]!.transactions);
  };

  beforeAll(() => {
    admin = new Pool({ connectionString: postgresUrl, max: 2 });
  });
  afterEach(async () => {
    const schemas = new Set(opened.map((o) => o.schema));
    await Promise.all(opened.splice(0).map((o) => o.store.close()));
    for (const schema of schemas) await dropSchema(admin, schema);
  });
  afterAll(async () => {
    await admin.end();
  });

  it('writes a burst of concurrent appends in one transaction, where plain appends take one each', async () => {
    const schema = uniqueSchemaName('burst');
    const grouped = openStore(schema);
    const plain = openStore(schema, {});
    const groupedStreams = Array.from({ length: 20 }, (_, i) => `grouped-${i}`);
    const plainStreams = Array.from({ length: 20 }, (_, i) => `plain-${i}`);

    const groupedResults = await Promise.all(groupedStreams.map((s) => grouped.append(s, proposedEvents(2), 'no-stream')));
    const plainResults = await Promise.all(plainStreams.map((s) => plain.append(s, proposedEvents(2), 'no-stream')));

    expect([...groupedResults, ...plainResults].every(E.isRight)).toBe(true);
    await expect(transactionsThatWrote(schema, groupedStreams)).resolves.toBe(1);
    await expect(transactionsThatWrote(schema, plainStreams)).resolves.toBe(20);
    for (const stream of groupedStreams) expectValidChain(await grouped.readStream(stream));
  });

  it('stores a batch’s events exactly as appended, whatever characters its identifiers and data hold', async () => {
    const schema = uniqueSchemaName('characters');
    const store = openStore(schema);
    const awkward = ['"quoted"', 'back\\slash', '{braces}', 'a,b', 'NULL', 'zürich✓𝄞'];
    const appends = awkward.map((name) =>
      proposedEvents(2, `Type${name}`, (i) => ({ name, text: `${name} ${i}\n\t"\\`, nested: { [name]: [i, null] } })).map((event) => ({
        ...event,
        actor: `actor-${name}`,
        commandId: `cmd-${name}-${event.commandId}`,
        occurredAt: 2 ** 40 + event.occurredAt,
      })),
    );

    const results = await Promise.all(awkward.map((name, i) => store.append(`stream-${name}`, appends[i]!, 'no-stream')));

    const written = results.flatMap((result) => rightOrThrow(result).events);
    await expect(transactionsThatWrote(schema, awkward.map((name) => `stream-${name}`))).resolves.toBe(1);
    for (const name of awkward) {
      const stored = await store.readStream(`stream-${name}`);
      expect(stored).toEqual(written.filter((event) => event.streamId === `stream-${name}`));
      expectValidChain(stored);
    }
  });

  it('fails a conflicting append alone; the others of its batch commit', async () => {
    const schema = uniqueSchemaName('conflict');
    const store = openStore(schema);
    rightOrThrow(await store.append('conflict-b', proposedEvents(2), 'no-stream'));

    const [a, b, c] = await Promise.all([
      store.append('conflict-a', proposedEvents(1), 'no-stream'),
      store.append('conflict-b', proposedEvents(1), 0),
      store.append('conflict-c', proposedEvents(1), 'no-stream'),
    ]);

    expect(b).toEqual(E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', streamId: 'conflict-b', expected: 0, actual: 1 })));
    expect(rightOrThrow(a!).events.map((e) => e.revision)).toEqual([0]);
    expect(rightOrThrow(c!).events.map((e) => e.revision)).toEqual([0]);
    await expect(store.readStream('conflict-b')).resolves.toHaveLength(2);
    await expect(transactionsThatWrote(schema, ['conflict-a', 'conflict-c'])).resolves.toBe(1);
  });

  it('lets the second append to a stream in a batch see the first one’s revision', async () => {
    const schema = uniqueSchemaName('twice');
    const store = openStore(schema);

    const [first, second, third] = await Promise.all([
      store.append('twice-1', proposedEvents(2), 'no-stream'),
      store.append('twice-1', proposedEvents(1), 1),
      store.append('twice-1', proposedEvents(1), 'no-stream'),
    ]);

    expect(rightOrThrow(first!).events.map((e) => e.revision)).toEqual([0, 1]);
    expect(rightOrThrow(second!)).toMatchObject({ nextExpectedRevision: 2 });
    expect(third).toEqual(E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', actual: 2 })));
    const stored = await store.readStream('twice-1');
    expectValidChain(stored);
    expect(stored.map((e) => e.eventId)).toEqual([...rightOrThrow(first!).events, ...rightOrThrow(second!).events].map((e) => e.eventId));
    await expect(transactionsThatWrote(schema, ['twice-1'])).resolves.toBe(1);
  });

  it('isolates an append the server refuses: the others of its batch still commit', async () => {
    const schema = uniqueSchemaName('refused');
    const store = openStore(schema);
    rightOrThrow(await store.append('refused-seed', proposedEvents(1), 'no-stream'));
    await admin.query(`ALTER TABLE ${storeSchema(schema).events} ADD CONSTRAINT no_poison CHECK (type <> 'Poison')`);

    const [kept, refused, alsoKept] = await Promise.all([
      store.append('refused-a', proposedEvents(1), 'no-stream'),
      store.append('refused-b', proposedEvents(1, 'Poison'), 'no-stream'),
      store.append('refused-a', proposedEvents(1), 0),
    ]);

    expect(refused).toEqual(E.left(expect.objectContaining({ code: 'STORE_UNAVAILABLE' })));
    expect(rightOrThrow(kept!).events[0]!.revision).toBe(0);
    expect(rightOrThrow(alsoKept!).events[0]!.revision).toBe(1);
    await expect(store.readStream('refused-b')).resolves.toEqual([]);
    expectValidChain(await store.readStream('refused-a'));
  });

  it('fails a batch whose transaction timed out as a whole, instead of running each append again alone into the same wait', async () => {
    const schema = uniqueSchemaName('timed_out');
    const pool = new Pool({ connectionString: postgresUrl, max: 4, statement_timeout: 300 });
    const store = new PostgresEventStore(pool, { schema, groupCommit: true });
    opened.push({ store, schema });
    rightOrThrow(await store.migrate());
    // Held as a running restore holds it: every append waits for it until its statement times out.
    const holder = await admin.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT last_position FROM ${storeSchema(schema).globalPosition} FOR UPDATE`);
    const checkouts = jest.spyOn(pool, 'connect');
    try {
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(`timed-out-${i}`, proposedEvents(1), 'no-stream')));
      expect(outcomes.every((outcome) => E.isLeft(outcome) && outcome.left.code === 'STORE_UNAVAILABLE')).toBe(true);
      // A round or two for the whole burst, where running the appends alone took one more per append.
      expect(checkouts.mock.calls.length).toBeLessThanOrEqual(3);
    } finally {
      checkouts.mockRestore();
      await holder.query('ROLLBACK');
      holder.release();
      await store.close();
      await pool.end();
    }
  });

  it('under a stream of concurrent appends, gives global positions in the order the appends were made', async () => {
    const schema = uniqueSchemaName('order');
    const store = openStore(schema);
    const first = Array.from({ length: 40 }, (_, i) => store.append(`order-${i}`, proposedEvents(1 + (i % 3)), 'no-stream'));
    // More appends arrive while the first batch is being written, and go into later batches.
    await new Promise((resolve) => setImmediate(resolve));
    const later = Array.from({ length: 40 }, (_, i) => store.append(`order-later-${i}`, proposedEvents(1), 'no-stream'));

    const positions = (await Promise.all([...first, ...later])).flatMap((result) => rightOrThrow(result).events.map((e) => e.position));

    expect(positions).toEqual(positions.map((_, i) => i));
    expect((await store.readAll({ maxCount: 1000 })).events.map((e) => e.position)).toEqual(positions);
  });

  it('among concurrent appends expecting the same revision of a stream, accepts one and tells the others the revision they lost to', async () => {
    const schema = uniqueSchemaName('race');
    const store = openStore(schema);
    rightOrThrow(await store.append('race-1', proposedEvents(1), 'no-stream'));

    const results = await Promise.all(Array.from({ length: 8 }, () => store.append('race-1', proposedEvents(1), 0)));

    expect(results.filter(E.isRight)).toHaveLength(1);
    expect(results.filter(E.isLeft)).toEqual(
      Array.from({ length: 7 }, () => E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', streamId: 'race-1', expected: 0, actual: 1 }))),
    );
    const stored = await store.readStream('race-1');
    expect(stored).toHaveLength(2);
    expectValidChain(stored);
  });

  it('two processes batching appends to the same streams lose no event and keep every chain whole', async () => {
    const schema = uniqueSchemaName('twoprocs');
    const processes = [openStore(schema), openStore(schema)] as const;
    const streams = ['shared-0', 'shared-1', 'shared-2'];
    const appends = Array.from({ length: 60 }, (_, i) => ({ stream: streams[i % 3]!, events: proposedEvents(1 + (i % 2)) }));

    const results = await Promise.all(appends.map(({ stream, events }, i) => processes[i % 2]!.append(stream, events, 'any')));

    expect(results.every(E.isRight)).toBe(true);
    for (const stream of streams) {
      const stored = await processes[0].readStream(stream);
      expectValidChain(stored);
      const written = appends.filter((a) => a.stream === stream).flatMap((a) => a.events.map((e) => e.eventId));
      expect([...stored.map((e) => e.eventId)].sort()).toEqual([...written].sort());
    }
  });
});
