import { randomBytes } from 'node:crypto';
import * as E from 'fp-ts/Either';
import { Client, escapeIdentifier, Pool } from 'pg';
import { EVENT_COLUMNS, EVENT_ROW_TYPES } from '../../src/adapters/event-store/postgres/event-row';
import { PostgresEventStore, READ_ALL_PAGE_SIZE } from '../../src/adapters/event-store/postgres/postgres-event-store';
import { beginPostgresRestore } from '../../src/adapters/event-store/postgres/postgres-restore';
import type { EventEnvelope } from '../../src/engine/event-store/envelope';
import type { RestoredStore } from '../configurations';
import { BenchFailure } from '../failure';
import { undoIfInterrupted } from '../interruption';
import { collectGarbage } from '../measure/process-memory';
import { startStopwatch, type Elapsed } from '../measure/stopwatch';

/** The server the PostgreSQL rows run on; the default names the `postgres` user, as the test suites do (pg otherwise takes `$USER`, which may be unset). */
const serverUrl = process.env['ORDERSOURCE_BENCH_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * The name every connection of this job gives the server, so that an interrupted job can end those still at
 * work before it drops what they made: a `CREATE SCHEMA` under way would otherwise commit after the drop.
 */
const JOB_APPLICATION_NAME = `ordersource_bench_${process.pid}`;

/** The server's URL for the job's own connections, named as above; a libpq `key=value` string is left as it is. */
export const benchPostgresUrl = /^postgres(ql)?:\/\//.test(serverUrl)
  ? `${serverUrl}${serverUrl.includes('?') ? '&' : '?'}application_name=${JOB_APPLICATION_NAME}`
  : serverUrl;

/** The URL without its password, for messages. */
export const displayedPostgresUrl = (): string => {
  try {
    const parsed = new URL(serverUrl);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(an unparsable ORDERSOURCE_BENCH_POSTGRES_URL)';
  }
};

/** How long a connection to the bench's server may take before the server counts as unreachable. */
export const CONNECTION_TIMEOUT_MS = 3_000;

/** The schemas this process named and has not dropped yet, each with how to stop undoing it on an interruption. */
const undropped = new Map<string, () => void>();

/**
 * A schema no other run uses: every run starts on empty tables, and runs on a shared server never meet.
 * Until `dropSchema` drops it, an interrupted job drops it on its way out.
 */
export const freshSchemaName = (purpose: string): string => {
  const schema = `ordersource_bench_${purpose}_${process.pid}_${randomBytes(4).toString('hex')}`;
  undropped.set(schema, undoIfInterrupted(() => dropSchema(schema, { endingJobConnections: true })));
  return schema;
};

/** Drops `schema`, over a connection of its own that is not the job's (see `JOB_APPLICATION_NAME`). */
export const dropSchema = async (schema: string, { endingJobConnections = false } = {}): Promise<void> => {
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: CONNECTION_TIMEOUT_MS });
  await client.connect();
  try {
    // Only those running a statement: an idle one ended would raise an error event its pool may not listen for.
    if (endingJobConnections) {
      await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND state = 'active'`, [JOB_APPLICATION_NAME]);
    }
    await client.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(schema)} CASCADE`);
    undropped.get(schema)?.();
    undropped.delete(schema);
  } finally {
    await client.end();
  }
};

/** The adapter's store in a schema of its own, which closing drops: a bench run leaves nothing behind. */
class DisposablePostgresStore extends PostgresEventStore {
  constructor(
    private readonly schemaName: string,
    options: { readonly groupCommit: boolean },
  ) {
    super(benchPostgresUrl, { schema: schemaName, groupCommit: options.groupCommit });
  }

  override async close(): Promise<void> {
    await super.close();
    await dropSchema(this.schemaName);
  }
}

export const openBenchPostgresStore = async (options: { readonly groupCommit: boolean }): Promise<PostgresEventStore> => {
  const store = new DisposablePostgresStore(freshSchemaName('store'), options);
  const migrated = await store.migrate();
  if (E.isLeft(migrated)) {
    await store.close().catch(() => undefined);
    throw new BenchFailure(`PostgreSQL at ${displayedPostgresUrl()}: ${migrated.left.message}`);
  }
  return store;
};

const RESTORE_CHUNK = 8_192;

/**
 * Reads rows in position order, a page of the event store's `readAll` size at a time, until a page comes back
 * short, and says how many it read: `readPage` gives the rows after a position, at most `limit` of them.
 */
export const countRowsInPositionPages = async <R>(
  readPage: (after: number, limit: number) => Promise<readonly R[]>,
  positionOf: (row: R) => number,
): Promise<number> => {
  let rows = 0;
  let after = -1;
  for (;;) {
    const page = await readPage(after, READ_ALL_PAGE_SIZE);
    rows += page.length;
    const last = page[page.length - 1];
    if (last === undefined || page.length < READ_ALL_PAGE_SIZE) return rows;
    after = positionOf(last);
  }
};

/**
 * node-postgres alone reading a store's event rows in position order: the statement of the store's `readAll`
 * page without its head row and filter, the same columns, page size and type parsers, rows as arrays; then
 * nothing, where replay checks, decodes and folds each row.
 */
const timeDriverReadingAllRows = async (schema: string): Promise<{ readonly rows: number } & Elapsed> => {
  const client = new Client({ connectionString: benchPostgresUrl });
  await client.connect();
  try {
    const page = {
      name: 'bench-driver-page',
      text: `SELECT ${EVENT_COLUMNS} FROM ${escapeIdentifier(schema)}.events WHERE position > $1 ORDER BY position LIMIT $2`,
      rowMode: 'array',
      types: EVENT_ROW_TYPES,
    } as const;
    collectGarbage();
    const stopwatch = startStopwatch();
    const rows = await countRowsInPositionPages(
      async (after, limit) => (await client.query<unknown[]>({ ...page, values: [after, limit] })).rows,
      (row) => Number(row[0]),
    );
    return { rows, ...stopwatch.stop() };
  } finally {
    await client.end();
  }
};

/** A fresh store holding `events` exactly as given, through the adapter's lossless restore. */
export const restoreBenchPostgresStore = async (events: readonly EventEnvelope[]): Promise<RestoredStore> => {
  const schema = freshSchemaName('replay');
  const pool = new Pool({ connectionString: benchPostgresUrl, max: 1 });
  try {
    const begun = await beginPostgresRestore(pool, { schema });
    if (E.isLeft(begun)) throw new BenchFailure(`the replay store could not be restored: ${begun.left.message}`);
    for (let from = 0; from < events.length; from += RESTORE_CHUNK) {
      const restored = await begun.right.restore(events.slice(from, from + RESTORE_CHUNK));
      if (E.isLeft(restored)) throw new BenchFailure(`the replay store could not be restored: ${restored.left.message}`);
    }
    const committed = await begun.right.commit();
    if (E.isLeft(committed)) throw new BenchFailure(`the replay store could not be restored: ${committed.left.message}`);
  } catch (error) {
    await pool.end();
    await dropSchema(schema).catch(() => undefined);
    throw error;
  }
  await pool.end();
  // Fresh statistics, as a store that has been in service for a while would have them.
  const client = new Client({ connectionString: benchPostgresUrl });
  await client.connect();
  await client.query(`VACUUM ANALYZE ${escapeIdentifier(schema)}.events`).finally(() => client.end());
  return { store: new DisposablePostgresStore(schema, { groupCommit: false }), timeDriverReadingAllRows: () => timeDriverReadingAllRows(schema) };
};

/** Why PostgreSQL cannot be reached, or undefined when it can: asked once per bench run, before any job. */
export const postgresUnreachable = async (): Promise<string | undefined> => {
  const client = new Client({ connectionString: benchPostgresUrl, connectionTimeoutMillis: CONNECTION_TIMEOUT_MS });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${displayedPostgresUrl()} is unreachable (${error instanceof Error ? error.message : String(error)}); set ORDERSOURCE_BENCH_POSTGRES_URL`;
  } finally {
    await client.end().catch(() => undefined);
  }
};
