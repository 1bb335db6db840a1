import { isLeft } from 'fp-ts/Either';
import * as t from 'io-ts';
import type { Pool, PoolClient } from 'pg';
import { checkOutClient, giveBackClient } from '../../postgres/pooled-client';
import { createAppendFunction } from './append-function';
import { STREAM_REVISION_KEY } from './postgres-errors';
import type { StoreSchema } from './store-schema';

interface Migration {
  readonly version: number;
  readonly statements: (schema: StoreSchema) => readonly string[];
}

/** Applied in order, each once per schema; a new version appends to this list and never edits one. */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: (s) => [
      // One row: the last global position handed out. Appends reserve positions by updating it, and that
      // row lock, held until commit, is what keeps `$all` readers from skipping a late commit.
      `CREATE TABLE ${s.globalPosition} (
         singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
         last_position bigint NOT NULL CHECK (last_position >= -1)
       )`,
      `INSERT INTO ${s.globalPosition} (singleton, last_position) VALUES (true, -1)`,
      // Each stream's head: appends check and move it with a conditional UPDATE, and read the previous
      // link of the hash chain from it.
      `CREATE TABLE ${s.streams} (
         stream_id text PRIMARY KEY,
         last_revision bigint NOT NULL CHECK (last_revision >= 0),
         last_hash text NOT NULL
       )`,
      // `data` is json, not jsonb: it keeps the text the store was given, and accepts every string JSON can
      // hold (jsonb refuses \u0000).
      `CREATE TABLE ${s.events} (
         position bigint PRIMARY KEY,
         stream_id text NOT NULL,
         revision bigint NOT NULL CHECK (revision >= 0),
         event_id text NOT NULL,
         type text NOT NULL,
         schema_version integer NOT NULL,
         data json NOT NULL,
         occurred_at bigint NOT NULL,
         recorded_at bigint NOT NULL,
         command_id text NOT NULL,
         correlation_id text NOT NULL,
         causation_id text NOT NULL,
         actor text NOT NULL,
         previous_hash text NOT NULL,
         hash text NOT NULL,
         CONSTRAINT ${STREAM_REVISION_KEY} UNIQUE (stream_id, revision)
       )`,
    ],
  },
  {
    version: 2,
    // Appends call one function instead of sending their statement, so that its plan is made once.
    statements: (s) => [createAppendFunction(s)],
  },
];

const AppliedVersions = t.readonlyArray(t.type({ version: t.Int }));

/**
 * Creates the schema and applies the migrations it lacks, inside the transaction `client` has begun: they
 * are undone with it. `CREATE ... IF NOT EXISTS` is not safe against a concurrent creator (both may pass the
 * check), so processes starting together queue on an advisory lock named after the schema, held until the
 * transaction ends.
 */
export const applyMigrations = async (client: PoolClient, schema: StoreSchema): Promise<void> => {
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`ordersource:migration:${schema.name}`]);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema.quotedName}`);
  await client.query(`CREATE TABLE IF NOT EXISTS ${schema.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied = AppliedVersions.decode((await client.query(`SELECT version FROM ${schema.migrations}`)).rows);
  if (isLeft(applied)) throw new Error(`${schema.migrations} holds rows that are not migration versions`);
  const done = new Set<number>(applied.right.map((row) => row.version));
  for (const migration of MIGRATIONS) {
    if (done.has(migration.version)) continue;
    for (const statement of migration.statements(schema)) await client.query(statement);
    await client.query(`INSERT INTO ${schema.migrations} (version) VALUES ($1)`, [migration.version]);
  }
};

/**
 * Whether every migration has been applied, read without a lock or DDL. PostgreSQL checks the right to
 * create even for `CREATE ... IF NOT EXISTS` of what exists, so a role that may only read (an auditor's)
 * could not open a store that needs nothing done.
 */
const upToDate = async (client: PoolClient, schema: StoreSchema): Promise<boolean> => {
  let rows: unknown;
  try {
    rows = (await client.query(`SELECT version FROM ${schema.migrations}`)).rows;
  } catch {
    // No such table yet (or no right to read it): the migration itself will say what is wrong.
    return false;
  }
  const applied = AppliedVersions.decode(rows);
  return !isLeft(applied) && MIGRATIONS.every((migration) => applied.right.some((row) => row.version === migration.version));
};

/** Creates the schema and applies the migrations it lacks, in a transaction of their own; nothing when it lacks none. */
export const migrateSchema = async (pool: Pool, schema: StoreSchema): Promise<void> => {
  const client = await checkOutClient(pool);
  let failure: unknown;
  try {
    if (await upToDate(client, schema)) return;
    await client.query('BEGIN');
    await applyMigrations(client, schema);
    await client.query('COMMIT');
  } catch (error) {
    failure = error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A client that failed mid-transaction is not trusted back into the pool.
    giveBackClient(client, failure !== undefined);
  }
};
