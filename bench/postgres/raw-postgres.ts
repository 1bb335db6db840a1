import { escapeIdentifier, Pool } from 'pg';
import { BenchFailure } from '../failure';
import type { Measurement, Progress } from '../jobs';
import { LatencyRecorder } from '../measure/latency';
import { collectGarbage } from '../measure/process-memory';
import { startStopwatch } from '../measure/stopwatch';
import { w1OpenCommand, w1StepCommand, W1_STEPS, w1CartId } from '../workloads/w1-cart-churn';
import { JourneyWrite, runW2Writes } from '../workloads/w2-order-lifecycle';
import { forEachConcurrently } from '../workloads/writers';
import { benchPostgresUrl, countRowsInPositionPages, dropSchema, freshSchemaName } from './bench-postgres';

/**
 * The raw PostgreSQL baseline of bench-workload.md: what the `pg` driver alone does with the same commands.
 * Each command becomes one row of a table shaped like an event store's (a global position, the stream id,
 * the revision, unique together as the store's are, the type and the data as json), written by one
 * autocommit INSERT, a prepared statement as the adapter's are, over as many connections as the engine has
 * writers. No decision, envelope, hash or expected-revision check: the driver and the server's commit only.
 */
interface RawRow {
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly data: string;
}

const openRow = (cart: number): RawRow => {
  const command = w1OpenCommand(cart);
  return { streamId: w1CartId(cart), revision: 0, type: command.type, data: JSON.stringify(command.data) };
};

const stepRow = (cart: number, stepIndex: number): RawRow => {
  const command = w1StepCommand(cart, W1_STEPS[stepIndex] as (typeof W1_STEPS)[number]);
  return { streamId: w1CartId(cart), revision: stepIndex + 1, type: command.type, data: JSON.stringify(command.data) };
};

/** Every row W1 writes at `carts` carts, step-major as W1 sends them, the opening rows first. */
const w1Rows = (carts: number): RawRow[] => {
  const rows = Array.from({ length: carts }, (_, cart) => openRow(cart));
  for (let stepIndex = 0; stepIndex < W1_STEPS.length; stepIndex += 1) for (let cart = 0; cart < carts; cart += 1) rows.push(stepRow(cart, stepIndex));
  return rows;
};

interface RawTable {
  readonly pool: Pool;
  readonly table: string;
  /** One autocommit INSERT of one row, a named prepared statement as the adapter's are. */
  readonly insertRow: (row: RawRow) => Promise<unknown>;
  /** One autocommit INSERT of several rows. */
  readonly insertRows: (rows: readonly RawRow[]) => Promise<unknown>;
  readonly dispose: () => Promise<void>;
}

const openRawTable = async (connections: number): Promise<RawTable> => {
  const schema = freshSchemaName('raw');
  const pool = new Pool({ connectionString: benchPostgresUrl, max: connections });
  const table = `${escapeIdentifier(schema)}.raw_events`;
  try {
    await pool.query(`CREATE SCHEMA ${escapeIdentifier(schema)}`);
    await pool.query(
      `CREATE TABLE ${table} (
         position bigserial PRIMARY KEY,
         stream_id text NOT NULL,
         revision bigint NOT NULL,
         type text NOT NULL,
         data json NOT NULL,
         UNIQUE (stream_id, revision)
       )`,
    );
  } catch (error) {
    await pool.end();
    await dropSchema(schema).catch(() => undefined);
    throw error;
  }
  const oneRow = { name: 'bench-raw-insert', text: `INSERT INTO ${table} (stream_id, revision, type, data) VALUES ($1, $2, $3, $4)` };
  const manyRows = {
    name: 'bench-raw-insert-many',
    text: `INSERT INTO ${table} (stream_id, revision, type, data) SELECT * FROM unnest($1::text[], $2::int8[], $3::text[], $4::json[])`,
  };
  return {
    pool,
    table,
    insertRow: (row) => pool.query({ ...oneRow, values: [row.streamId, row.revision, row.type, row.data] }),
    insertRows: (rows) => pool.query({ ...manyRows, values: [rows.map((r) => r.streamId), rows.map((r) => r.revision), rows.map((r) => r.type), rows.map((r) => r.data)] }),
    dispose: async () => {
      await pool.end();
      await dropSchema(schema);
    },
  };
};

const BULK_CHUNK = 8_192;

/** Untimed filling, many rows per statement. */
const bulkInsert = async (raw: RawTable, rows: readonly RawRow[]): Promise<void> => {
  for (let from = 0; from < rows.length; from += BULK_CHUNK) await raw.insertRows(rows.slice(from, from + BULK_CHUNK));
};

const countRows = async ({ pool, table }: RawTable): Promise<number> => Number((await pool.query<{ rows: string }>(`SELECT count(*) AS rows FROM ${table}`)).rows[0]?.rows);

const REPORT_EVERY = 256;

/**
 * W1 as raw INSERTs: the opening row of every cart first (untimed, as the engine's opening commands are),
 * then the ten steps step-major, one INSERT per command, `writers` at a time.
 */
export const runW1RawPostgres = async (carts: number, writers: number, progress: Progress): Promise<Measurement> => {
  const raw = await openRawTable(writers);
  try {
    await bulkInsert(raw, Array.from({ length: carts }, (_, cart) => openRow(cart)));
    const steps = W1_STEPS.map((_, stepIndex) => Array.from({ length: carts }, (__, cart) => stepRow(cart, stepIndex)));
    const total = carts * W1_STEPS.length;
    const latency = new LatencyRecorder(total);
    let done = 0;
    collectGarbage();
    const stopwatch = startStopwatch();
    for (const rows of steps) {
      await forEachConcurrently(rows.length, writers, async (index) => {
        const row = rows[index] as RawRow;
        const sent = performance.now();
        await raw.insertRow(row);
        latency.record(performance.now() - sent);
        done += 1;
        if (done % REPORT_EVERY === 0) progress(done, total);
      });
    }
    const elapsed = stopwatch.stop();
    progress(total, total);
    const stored = await countRows(raw);
    if (stored !== carts * (W1_STEPS.length + 1)) throw new BenchFailure(`the raw table holds ${stored} rows, W1 wrote ${carts * (W1_STEPS.length + 1)}`);
    return { operations: total, ...elapsed, latency: latency.recorded(), conflictRetries: null, details: { rows: stored } };
  } finally {
    await raw.dispose();
  }
};

/**
 * W2 as raw INSERTs (see `runW2Writes`): each write of the plain journey (a command's events, host's or
 * process manager's, or a deadline's) is one autocommit INSERT of its rows, revisions counted per stream in
 * plan order.
 */
export const runW2RawPostgres = async (orders: number, writers: number, hot: boolean, progress: Progress): Promise<Measurement> => {
  const raw = await openRawTable(writers);
  try {
    const revisions = new Map<string, number>();
    const rowsOf = (write: JourneyWrite): RawRow[] =>
      write.map(({ streamId, type, data }) => {
        const revision = revisions.get(streamId) ?? 0;
        revisions.set(streamId, revision + 1);
        return { streamId, revision, type, data: JSON.stringify(data) };
      });
    const insert = (rows: readonly RawRow[]): Promise<unknown> => {
      const [only] = rows;
      return rows.length === 1 && only !== undefined ? raw.insertRow(only) : raw.insertRows(rows);
    };
    const measured = await runW2Writes(orders, writers, hot, rowsOf, insert, progress);
    const stored = await countRows(raw);
    if (stored !== measured.details['events']) throw new BenchFailure(`the raw table holds ${stored} rows, W2 wrote ${measured.details['events'] ?? 0}`);
    return measured;
  } finally {
    await raw.dispose();
  }
};

/**
 * Replay as raw reads: the W1 rows at `carts` carts, bulk-inserted (untimed), read back in position order in
 * pages of the store's default size, the driver parsing each row's json; nothing is validated or folded.
 */
export const runReplayRawPostgres = async (carts: number, progress: Progress): Promise<Measurement> => {
  const raw = await openRawTable(1);
  try {
    const rows = w1Rows(carts);
    await bulkInsert(raw, rows);
    await raw.pool.query(`VACUUM ANALYZE ${raw.table}`);
    progress(1, 2);
    const page = { name: 'bench-raw-page', text: `SELECT position, stream_id, revision, type, data FROM ${raw.table} WHERE position > $1 ORDER BY position LIMIT $2` };
    collectGarbage();
    const stopwatch = startStopwatch();
    const read = await countRowsInPositionPages(
      async (after, limit) => (await raw.pool.query<{ position: string }>({ ...page, values: [after, limit] })).rows,
      (row) => Number(row.position),
    );
    const elapsed = stopwatch.stop();
    progress(2, 2);
    if (read !== rows.length) throw new BenchFailure(`raw replay read ${read} rows of ${rows.length}`);
    return { operations: read, ...elapsed, latency: null, conflictRetries: null, details: { rows: read } };
  } finally {
    await raw.dispose();
  }
};
