import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { escapeIdentifier, Pool } from 'pg';

/** Where the PostgreSQL-backed suites connect: `PGURL`, else `DATABASE_URL`, else the local test database. */
export const postgresUrl = process.env['PGURL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

type Reachability = { readonly reachable: true } | { readonly reachable: false; readonly reason: string };

/** The URL without its password, for messages. */
const displayUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(an unparsable connection string)';
  }
};

/**
 * Jest decides whether a suite runs while it collects tests, which cannot wait for a promise, so the
 * connection attempt runs synchronously in a child process.
 */
const probe = (url: string): Reachability => {
  const script = `
    const { Client } = require(${JSON.stringify(require.resolve('pg'))});
    const client = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
    client.connect().then(() => client.query('SELECT 1')).then(() => client.end()).then(
      () => process.exit(0),
      (error) => { process.stderr.write(String((error && error.message) || error)); process.exit(1); },
    );`;
  const result = spawnSync(process.execPath, ['-e', script, url], { encoding: 'utf8', timeout: 10_000 });
  if (result.status === 0) return { reachable: true };
  return { reachable: false, reason: result.error?.message ?? (result.stderr.trim() || `probe exited with ${String(result.status)}`) };
};

let reachability: Reachability | undefined;

/**
 * `describe` for a suite that needs PostgreSQL. When the server cannot be reached, the suite fails under
 * `CI=true` (a CI run must never pass without it) and is otherwise skipped, with one line on stderr that says
 * so, for local development without PostgreSQL.
 */
export const describeWithPostgres = (name: string, body: () => void): void => {
  reachability ??= probe(postgresUrl);
  if (reachability.reachable) {
    describe(name, body);
    return;
  }
  const why = `PostgreSQL at ${displayUrl(postgresUrl)} is unreachable (${reachability.reason})`;
  if (process.env['CI'] === 'true') {
    describe(name, () => {
      it('reaches PostgreSQL', () => {
        throw new Error(`${why}; CI=true requires it`);
      });
    });
    return;
  }
  process.stderr.write(`[postgres] skipping "${name}": ${why}. Set PGURL or DATABASE_URL to run it.\n`);
  describe.skip(name, body);
};

/** A schema name no other test run uses, so runs on a shared server never see each other's tables. */
export const uniqueSchemaName = (purpose: string): string => `test_${purpose}_${process.pid}_${randomBytes(4).toString('hex')}`;

export const dropSchema = async (pool: Pool, schema: string): Promise<void> => {
  await pool.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(schema)} CASCADE`);
};
