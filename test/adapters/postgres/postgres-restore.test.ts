import * as E from 'fp-ts/Either';
import { Pool } from 'pg';
import { MemoryEventStore } from '../../../src/adapters/event-store/memory/memory-event-store';
import { PostgresEventStore } from '../../../src/adapters/event-store/postgres/postgres-event-store';
import { beginPostgresRestore } from '../../../src/adapters/event-store/postgres/postgres-restore';
import type { EventEnvelope } from '../../../src/engine/event-store/envelope';
import { describeWithPostgres, dropSchema, postgresUrl, uniqueSchemaName } from '../../support/postgres-server';
import { proposedEvents } from '../../../src/testing/contract/proposed-events';

/** Envelopes as an export holds them: two streams written by the in-memory store. */
const EXPORTED: readonly EventEnvelope[] = (() => {
  const store = new MemoryEventStore();
  store.appendNow('order-1', proposedEvents(3), 'no-stream');
  store.appendNow('order-2', proposedEvents(2), 'no-stream');
  return store.readStreamNow('order-1').concat(store.readStreamNow('order-2'));
})();

/**
 * The PostgreSQL restore behind `ordersource import --to postgres://`: the schema, the store's tables and the
 * events in one transaction, against the real local server.
 */
describeWithPostgres('restoring into a PostgreSQL event store', () => {
  const applicationName = `ordersource_restore_test_${process.pid}`;
  const pool = new Pool({ connectionString: postgresUrl, max: 3, application_name: applicationName });
  pool.on('error', () => undefined);
  const created: string[] = [];
  const schemaNamed = (purpose: string): string => {
    const name = uniqueSchemaName(purpose);
    created.push(name);
    return name;
  };
  const schemaExists = async (schema: string): Promise<boolean> => ((await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount ?? 0) > 0;

  afterAll(async () => {
    const cleanup = new Pool({ connectionString: postgresUrl, max: 1 });
    for (const schema of created) await dropSchema(cleanup, schema);
    await cleanup.end();
    await pool.end();
  });

  it('commits the events into a new store that then reads and appends as one it wrote itself', async () => {
    const schema = schemaNamed('restore_committed');
    const restore = await beginPostgresRestore(pool, { schema });
    if (E.isLeft(restore)) throw new Error(restore.left.message);
    expect(await restore.right.restore(EXPORTED)).toEqual(E.right({ restored: 5 }));
    expect(await restore.right.commit()).toEqual(E.right({ restored: 5 }));
    const store = new PostgresEventStore(pool, { schema });
    expect((await store.readStream('order-1')).map((e) => e.hash)).toEqual(EXPORTED.slice(0, 3).map((e) => e.hash));
    expect(E.isRight(await store.append('order-1', proposedEvents(1), 2))).toBe(true);
    await store.close();
  });

  it('names the stream and revision two events of an import both claim', async () => {
    const restore = await beginPostgresRestore(pool, { schema: schemaNamed('restore_duplicate') });
    if (E.isLeft(restore)) throw new Error(restore.left.message);
    const failed = await restore.right.restore([...EXPORTED.slice(0, 2), EXPORTED[1]!]);
    expect(failed).toEqual(E.left(expect.objectContaining({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/two of them claim one revision of one stream \(Key \(stream_id, revision\)=\(order-1, 1\) already exists\.\)/) })));
  });

  it('leaves no schema it created when it is aborted, fails, or its connection dies', async () => {
    const aborted = schemaNamed('restore_aborted');
    const abortedRestore = await beginPostgresRestore(pool, { schema: aborted });
    if (E.isLeft(abortedRestore)) throw new Error(abortedRestore.left.message);
    await abortedRestore.right.restore(EXPORTED);
    await abortedRestore.right.abort();
    expect(await schemaExists(aborted)).toBe(false);

    const failed = schemaNamed('restore_failed');
    const failedRestore = await beginPostgresRestore(pool, { schema: failed });
    if (E.isLeft(failedRestore)) throw new Error(failedRestore.left.message);
    const twice = [...EXPORTED, ...EXPORTED];
    expect(E.isLeft(await failedRestore.right.restore(twice))).toBe(true);
    expect(await schemaExists(failed)).toBe(false);

    const killed = schemaNamed('restore_killed');
    const killedRestore = await beginPostgresRestore(pool, { schema: killed });
    if (E.isLeft(killedRestore)) throw new Error(killedRestore.left.message);
    await killedRestore.right.restore(EXPORTED);
    const observer = new Pool({ connectionString: postgresUrl, max: 1 });
    await observer.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'", [applicationName]);
    await observer.end();
    expect(E.isLeft(await killedRestore.right.commit())).toBe(true);
    expect(await schemaExists(killed)).toBe(false);
  });

  it('keeps a store that existed, and refuses one that holds events without touching it', async () => {
    const empty = schemaNamed('restore_existing_empty');
    const created = new PostgresEventStore(pool, { schema: empty });
    expect(await created.headPosition()).toBeUndefined();
    await created.close();
    const failedRestore = await beginPostgresRestore(pool, { schema: empty });
    if (E.isLeft(failedRestore)) throw new Error(failedRestore.left.message);
    await failedRestore.right.restore([...EXPORTED, ...EXPORTED]);
    expect(await schemaExists(empty)).toBe(true);
    const emptyStore = new PostgresEventStore(pool, { schema: empty });
    expect(await emptyStore.headPosition()).toBeUndefined();
    await emptyStore.close();

    const holding = schemaNamed('restore_existing_full');
    const full = new PostgresEventStore(pool, { schema: holding });
    await full.append('order-9', proposedEvents(2), 'no-stream');
    await full.close();
    const refused = await beginPostgresRestore(pool, { schema: holding });
    expect(refused).toEqual(E.left(expect.objectContaining({ code: 'STORE_NOT_EMPTY' })));
    const after = new PostgresEventStore(pool, { schema: holding });
    expect(await after.readStream('order-9')).toHaveLength(2);
    await after.close();
  });
});
