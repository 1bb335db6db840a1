import * as E from 'fp-ts/Either';
import type { Pool } from 'pg';
import { advisoryLockKey, qualifiedName, quoteIdentifier } from './sql-names';
import { withTransaction } from './transaction';

/*
 * The bookkeeping tables of a read-model schema. Documents live in one table per collection of each
 * projection version (see `collection-tables.ts`); these tables say which exist and how far each version got:
 *
 * - versions: one row per prepared projection version, with its checkpoint (null before its first batch);
 * - collections: the table of each collection of a version and its declared indexes;
 * - active_versions: the version readers use, per projection;
 * - migrations: which of the steps below have run.
 */

interface Migration {
  readonly id: number;
  readonly statements: (schema: string) => readonly string[];
}

const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    statements: (schema) => [
      `CREATE TABLE ${qualifiedName(schema, 'versions')} (
         projection text COLLATE "C" NOT NULL,
         version bigint NOT NULL,
         checkpoint bigint,
         PRIMARY KEY (projection, version))`,
      `CREATE TABLE ${qualifiedName(schema, 'collections')} (
         projection text COLLATE "C" NOT NULL,
         version bigint NOT NULL,
         collection text COLLATE "C" NOT NULL,
         table_name text NOT NULL UNIQUE,
         definition jsonb NOT NULL,
         PRIMARY KEY (projection, version, collection),
         FOREIGN KEY (projection, version) REFERENCES ${qualifiedName(schema, 'versions')})`,
      `CREATE TABLE ${qualifiedName(schema, 'active_versions')} (
         projection text COLLATE "C" PRIMARY KEY,
         version bigint NOT NULL)`,
    ],
  },
];

/**
 * What makes the server unfit, if anything: statistics on expressions (which keep the planner on the
 * indexes) came with PostgreSQL 14, and `COLLATE "C"` orders strings by code point only on UTF-8.
 */
export const serverProblem = async (pool: Pool): Promise<string | undefined> => {
  const result = await pool.query<{ version: unknown; encoding: unknown }>(
    "SELECT current_setting('server_version_num')::int AS version, pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database()",
  );
  const { version, encoding } = result.rows[0] ?? {};
  if (typeof version !== 'number' || version < 140000) return `the read-model store needs PostgreSQL 14 or later; the server is version ${String(version)}`;
  if (encoding !== 'UTF8') return `the read-model store needs a UTF8 database; this one is ${String(encoding)}`;
  return undefined;
};

/**
 * Brings `schema` up to the latest migration. Every store runs it when it opens; the advisory lock makes
 * stores that start together take turns, and the ones after the first find nothing left to do. Existence is
 * looked up rather than left to `IF NOT EXISTS`, which still asks for the CREATE privilege.
 */
export const migrate = async (pool: Pool, schema: string): Promise<void> => {
  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey('ordersource read model', 'migrate', schema)]);
    const found = await client.query<{ schema_found: boolean; ledger_found: boolean }>(
      'SELECT to_regnamespace($1) IS NOT NULL AS schema_found, to_regclass($2) IS NOT NULL AS ledger_found',
      [quoteIdentifier(schema), qualifiedName(schema, 'migrations')],
    );
    const { schema_found: schemaFound, ledger_found: ledgerFound } = found.rows[0] ?? { schema_found: false, ledger_found: false };
    if (!schemaFound) await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    if (!ledgerFound) {
      await client.query(`CREATE TABLE ${qualifiedName(schema, 'migrations')} (id integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    }
    const applied = await client.query<{ id: unknown }>(`SELECT id FROM ${qualifiedName(schema, 'migrations')}`);
    const done = new Set(applied.rows.map((row) => row.id));
    for (const migration of MIGRATIONS) {
      if (done.has(migration.id)) continue;
      for (const statement of migration.statements(schema)) await client.query(statement);
      await client.query(`INSERT INTO ${qualifiedName(schema, 'migrations')} (id) VALUES ($1)`, [migration.id]);
    }
    return E.right(undefined);
  });
};
