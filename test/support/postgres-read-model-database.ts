import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import { writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Pool } from 'pg';

/*
 * Where the PostgreSQL read-model tests find their server, and what they do when it is not there: with
 * CI=true they fail, since CI must never report tests that did not run as passed; elsewhere they are skipped,
 * announced by one line.
 */

const readModelDatabaseUrl: string = process.env['PGURL'] || process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test';

const isCi = (): boolean => ['true', '1'].includes((process.env['CI'] ?? '').toLowerCase());

const withoutPassword = (url: string): string => url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');

/**
 * Why the server cannot be reached, or undefined when it answers. Jest registers tests synchronously, so the
 * connection is tried in a child process that this one waits for.
 */
const unreachable = (url: string): string | undefined => {
  const script = `
    const { Client } = require(process.argv[1]);
    const client = new Client({ connectionString: process.argv[2], connectionTimeoutMillis: 3000 });
    client.connect().then(() => client.query('SELECT 1')).then(() => client.end()).then(
      () => process.exit(0),
      (error) => { process.stderr.write(String(error && error.message || error)); process.exit(1); });`;
  try {
    execFileSync(process.execPath, ['-e', script, require.resolve('pg'), url], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return stderr !== undefined && stderr !== '' ? stderr : error instanceof Error ? error.message : String(error);
  }
};

/**
 * Prints `line` once per Jest run however many test files call it: the first file to create the run's marker
 * file prints. Jest's seed is shared by every worker of a run, and the workers' parent is the run's process.
 */
const announceOnce = (line: string): void => {
  const runProcess = process.send === undefined ? process.pid : process.ppid;
  const marker = join(tmpdir(), `ordersource-postgres-read-model-skip-${runProcess}-${jest.getSeed()}`);
  try {
    writeFileSync(marker, '', { flag: 'wx' });
  } catch {
    return;
  }
  process.stderr.write(`${line}\n`);
};

/** `describe(title, body)` when PostgreSQL answers at `readModelDatabaseUrl`; otherwise a failure (CI) or a skip. */
export const describeWithPostgres = (title: string, body: (url: string) => void): void => {
  const url = readModelDatabaseUrl;
  const problem = unreachable(url);
  if (problem === undefined) {
    describe(title, () => body(url));
    return;
  }
  const reason = `PostgreSQL at ${withoutPassword(url)} cannot be reached (${problem})`;
  if (isCi()) {
    describe(title, () => {
      it('reaches PostgreSQL, which CI=true requires', () => {
        throw new Error(reason);
      });
    });
    return;
  }
  announceOnce(`Skipping the PostgreSQL read-model tests: ${reason}. Set PGURL or DATABASE_URL to run them.`);
  describe.skip(title, () => body(url));
};

/** A schema name no other test uses; the store creates the schema when it opens. */
export const scratchSchemaName = (): string => `ordersource_read_test_${randomBytes(6).toString('hex')}`;

/** The schema-qualified table holding a collection, as the store's bookkeeping records it. */
export const tableOfCollection = async (
  pool: Pool,
  schema: string,
  version: { readonly projection: string; readonly version: number },
  collection: string,
): Promise<{ readonly name: string; readonly qualified: string }> => {
  const result = await pool.query<{ table_name: string }>(`SELECT table_name FROM "${schema}".collections WHERE projection = $1 AND version = $2 AND collection = $3`, [
    version.projection,
    version.version,
    collection,
  ]);
  const name = result.rows[0]?.table_name;
  if (name === undefined) throw new Error(`${version.projection} v${version.version} has no table for ${collection}`);
  return { name, qualified: `"${schema}"."${name}"` };
};
