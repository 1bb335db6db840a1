import * as E from 'fp-ts/Either';
import { escapeIdentifier, Pool } from 'pg';
import { PostgresEventStore } from '../../src/adapters/event-store/postgres/postgres-event-store';
import { migrateSchema } from '../../src/adapters/event-store/postgres/schema-migration';
import { storeSchema } from '../../src/adapters/event-store/postgres/store-schema';
import { dropSchema, describeWithPostgres, postgresUrl, uniqueSchemaName } from '../support/postgres-server';
import { proposedEvents } from '../../src/testing/contract/proposed-events';
import { BinRun, CliFiles, runBin, writeCliFiles } from './cli-fixtures';

const ORDER = 'order-20261125-0001';

/**
 * The real executable over the real local PostgreSQL: an export imported with `import --to postgres://`,
 * then read back with every command through `--source postgres://`.
 */
describeWithPostgres('the ordersource executable over PostgreSQL', () => {
  let files: CliFiles;
  let pool: Pool;
  const imported = uniqueSchemaName('cli_imported');
  const rolledBack = uniqueSchemaName('cli_rolled_back');
  const appended = uniqueSchemaName('cli_appended');
  const readModels = uniqueSchemaName('cli_read_models');
  const bin = (args: readonly string[], env?: Readonly<Record<string, string>>): Promise<BinRun> =>
    runBin(args, { cwd: files.dir, ...(env === undefined ? {} : { env }) });
  const fromImported = ['--source', postgresUrl, '--schema', imported];
  const withSchema = (schema: string): string => `${postgresUrl}${postgresUrl.includes('?') ? '&' : '?'}schema=${schema}`;
  /** A URL as the CLI shows it: without its password. */
  const shown = (url: string): string => {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  };

  beforeAll(async () => {
    files = await writeCliFiles();
    pool = new Pool({ connectionString: postgresUrl, max: 2 });
  }, 120_000);

  afterAll(async () => {
    for (const schema of [imported, rolledBack, appended, readModels]) await dropSchema(pool, schema);
    await pool.end();
  });

  it('imports an export into an empty PostgreSQL store, which then verifies, and exports byte for byte', async () => {
    const importRun = await bin(['import', 'events.ndjson', '--to', postgresUrl, '--schema', imported, '--json']);
    expect(importRun).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(importRun.stdout)).toEqual({ events: 21, lines: 21, from: 'events.ndjson', to: shown(withSchema(imported)) });

    const verified = await bin(['verify', ...fromImported]);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toMatch(/\n5 streams, 21 events: every chain is intact\n$/);

    const exported = await bin(['export', ...fromImported]);
    expect(exported).toMatchObject({ code: 0, stderr: '' });
    expect(exported.stdout).toBe(`${files.lines.join('\n')}\n`);
  }, 120_000);

  it('shows timelines and states from PostgreSQL as from the file, the source also taken from ORDERSOURCE_SOURCE', async () => {
    const fromFile = await bin(['timeline', ORDER, '--json', '--source', 'file:events.ndjson']);
    const fromPostgres = await bin(['timeline', ORDER, '--json', ...fromImported]);
    expect(fromPostgres).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(fromPostgres.stdout)).toEqual(JSON.parse(fromFile.stdout));

    const auditFile = await bin(['audit', ORDER, '--at', '2', '--json', '--source', 'file:events.ndjson']);
    const auditPostgres = await bin(['audit', ORDER, '--at', '2', '--json', '--schema', imported], { ORDERSOURCE_SOURCE: postgresUrl });
    expect(auditPostgres).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(auditPostgres.stdout)).toEqual(JSON.parse(auditFile.stdout));
    expect(JSON.parse(auditPostgres.stdout)).toMatchObject({ revision: 2, state: { status: 'shipped' } });
  }, 120_000);

  it('rebuilds a projection from PostgreSQL', async () => {
    const rebuilt = await bin(['rebuild', 'order-history', '--json', ...fromImported]);
    expect(rebuilt).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ projection: 'order-history', eventsRead: 13, position: 20, collections: { orders: { documents: 1 }, timeline: { documents: 13 } } });
  }, 120_000);

  it('rebuilds into PostgreSQL read models, which keep the documents, and refuses to rebuild the active version', async () => {
    const target = withSchema(readModels);
    const rebuilt = await bin(['rebuild', 'logistics', '--json', '--read-model', target, ...fromImported]);
    expect(rebuilt).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ projection: 'logistics', position: 20 });
    const kept = await pool.query<{ count: string }>(`SELECT count(*) FROM information_schema.tables WHERE table_schema = $1`, [readModels]);
    expect(Number(kept.rows[0]?.count)).toBeGreaterThan(0);
    const again = await bin(['rebuild', 'logistics', '--json', '--read-model', target, ...fromImported]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/VERSION_IS_ACTIVE|active/);
  }, 120_000);

  it('leaves no read-model schema behind when the source it would rebuild from cannot be read', async () => {
    const unused = uniqueSchemaName('cli_unused_read_models');
    const target = withSchema(unused);
    try {
      const failed = await bin(['rebuild', 'logistics', '--read-model', target, '--source', postgresUrl, '--schema', uniqueSchemaName('cli_missing')]);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/holds no ordersource event store/);
      const created = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [unused]);
      expect(created.rowCount).toBe(0);
    } finally {
      await dropSchema(pool, unused);
    }
  }, 120_000);

  it('refuses to import into a store that holds events, and leaves nothing of an import that failed', async () => {
    const again = await bin(['import', 'events.ndjson', '--to', postgresUrl, '--schema', imported]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^ordersource: cannot import into postgres:\/\/\S+: the event store in schema \S+ already holds events \(up to position 20\): restore into an empty one\n$/);

    const broken = await bin(['import', 'broken.ndjson', '--to', postgresUrl, '--schema', rolledBack]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^ordersource: cannot import broken\.ndjson: line 3 is not a stored event/);
    const created = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [rolledBack]);
    expect(created.rowCount).toBe(0);
  }, 120_000);

  it('keeps a schema that existed before an import that failed, and the store in it', async () => {
    const empty = uniqueSchemaName('cli_empty_before');
    const emptyStore = uniqueSchemaName('cli_empty_store_before');
    try {
      await pool.query(`CREATE SCHEMA ${escapeIdentifier(empty)}`);
      await migrateSchema(pool, storeSchema(emptyStore));
      for (const schema of [empty, emptyStore]) {
        expect(await bin(['import', 'broken.ndjson', '--to', postgresUrl, '--schema', schema])).toMatchObject({ code: 1, stderr: expect.stringMatching(/line 3 is not a stored event/) });
      }
      const kept = await pool.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[]) ORDER BY nspname', [[empty, emptyStore]]);
      expect(kept.rows.map((row) => row.nspname)).toEqual([empty, emptyStore].sort());
      const position = await pool.query<{ last_position: string }>(`SELECT last_position FROM ${escapeIdentifier(emptyStore)}.global_position`);
      expect(position.rows).toEqual([{ last_position: '-1' }]);
    } finally {
      await dropSchema(pool, empty);
      await dropSchema(pool, emptyStore);
    }
  }, 120_000);

  it('continues the chains of a restored store: appends after an import still verify', async () => {
    const store = new PostgresEventStore(pool, { schema: imported });
    const appendedAfter = await store.append('cart-alice-cart', proposedEvents(1), 4);
    await store.close();
    expect(E.isRight(appendedAfter)).toBe(true);
    const verified = await bin(['verify', '--json', '--stream', 'cart-alice-cart', ...fromImported]);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, streams: [{ streamId: 'cart-alice-cart', status: 'ok', headRevision: 5 }] });
  }, 120_000);

  it('reads a store the PostgreSQL event store wrote itself, and finds an event altered in the table', async () => {
    const store = new PostgresEventStore(pool, { schema: appended });
    expect(E.isRight(await store.append('order-1', proposedEvents(3), 'no-stream'))).toBe(true);
    await store.close();
    expect(await bin(['verify', '--source', postgresUrl, '--schema', appended])).toMatchObject({ code: 0, stdout: expect.stringMatching(/\n1 stream, 3 events: every chain is intact\n$/) });

    await pool.query(`UPDATE ${escapeIdentifier(appended)}.events SET data = '{"i":7}' WHERE stream_id = 'order-1' AND revision = 1`);
    const tampered = await bin(['verify', '--json', '--source', postgresUrl, '--schema', appended]);
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout)).toMatchObject({ ok: false, streams: [{ streamId: 'order-1', status: 'tampered', finding: { kind: 'altered', revision: 1 } }] });
  }, 120_000);

  it("takes the schema from a URL's ?schema=, as --read-model does, and refuses a --schema that names another", async () => {
    const viaUrl = uniqueSchemaName('cli_via_url');
    try {
      const importRun = await bin(['import', 'events.ndjson', '--to', withSchema(viaUrl)]);
      expect(importRun).toMatchObject({ code: 0, stderr: '' });
      const landed = await pool.query<{ count: string }>(`SELECT count(*) FROM ${escapeIdentifier(viaUrl)}.events`);
      expect(landed.rows).toEqual([{ count: '21' }]);
      expect(await bin(['verify', '--source', withSchema(viaUrl)])).toMatchObject({ code: 0, stdout: expect.stringMatching(/\n5 streams, 21 events: every chain is intact\n$/) });
      expect(await bin(['verify', '--source', withSchema(viaUrl), '--schema', viaUrl])).toMatchObject({ code: 0 });

      const missing = await bin(['verify', '--source', withSchema(uniqueSchemaName('cli_missing'))]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/holds no ordersource event store/);
      const disagreeing = await bin(['verify', '--source', withSchema(viaUrl), '--schema', imported]);
      expect(disagreeing.code).toBe(2);
      expect(disagreeing.stderr).toMatch(/names schema .* and --schema .*: name one/);
      const tooLong = await bin(['verify', '--source', postgresUrl, '--schema', 's'.repeat(64)]);
      expect(tooLong).toMatchObject({ code: 2, stderr: expect.stringMatching(/PostgreSQL keeps only the first 63/) });
      for (const args of [['verify', '--source', 'postgres://[bad'], ['rebuild', 'logistics', '--source', withSchema(viaUrl), '--read-model', 'postgres://[bad']]) {
        expect(await bin(args)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^ordersource: postgres:\/\/\[bad is not a PostgreSQL URL: /) });
      }
    } finally {
      await dropSchema(pool, viaUrl);
    }
  }, 120_000);

  it('says where an import went, in the schema --schema named, and never with the password its URL carries', async () => {
    const schema = uniqueSchemaName('cli_password');
    const withPassword = new URL(postgresUrl);
    // The server trusts this client (or knows its own password): the one given is only there to be hidden.
    if (withPassword.password === '') withPassword.password = 'not-for-show';
    try {
      const importRun = await bin(['import', 'events.ndjson', '--to', withPassword.toString(), '--schema', schema]);
      expect(importRun).toEqual({ code: 0, stdout: `IMPORTED  FROM           TO\n      21  events.ndjson  ${shown(withSchema(schema))}\n`, stderr: '' });
      expect(importRun.stdout).not.toContain(withPassword.password);
    } finally {
      await dropSchema(pool, schema);
    }
  }, 120_000);

  it('shows a password given as ?password= as ***, in the summaries of an import and of a rebuild into read models', async () => {
    const schema = uniqueSchemaName('cli_query_password');
    const readModelSchema = uniqueSchemaName('cli_query_password_read');
    const inQuery = new URL(postgresUrl);
    // The driver takes ?password= over the userinfo's: the one given works, or the server trusts this client.
    const password = inQuery.password === '' ? 'not-for-show' : decodeURIComponent(inQuery.password);
    inQuery.password = '';
    inQuery.searchParams.append('password', password);
    const redacted = inQuery.toString().replace(/([?&])password=[^&]*/, '$1password=***');
    try {
      const importRun = await bin(['import', 'events.ndjson', '--to', inQuery.toString(), '--schema', schema, '--json']);
      expect(importRun).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(importRun.stdout)).toEqual({ events: 21, lines: 21, from: 'events.ndjson', to: `${redacted}&schema=${schema}` });
      const rebuilt = await bin(['rebuild', 'analytics', '--json', '--source', 'file:events.ndjson', '--read-model', `${inQuery.toString()}&schema=${readModelSchema}`]);
      expect(rebuilt).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(rebuilt.stdout)).toMatchObject({ readModel: `${redacted}&schema=${readModelSchema}` });
      expect(`${importRun.stdout}${rebuilt.stdout}`).not.toContain(password);
    } finally {
      await dropSchema(pool, schema);
      await dropSchema(pool, readModelSchema);
    }
  }, 120_000);

  it('refuses a schema that holds no event store, without creating one', async () => {
    const missing = uniqueSchemaName('cli_missing');
    const result = await bin(['verify', '--source', postgresUrl, '--schema', missing]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`ordersource: cannot read the source ${postgresUrl}: schema "${missing}" holds no ordersource event store (name another with ?schema= or --schema)\n`);
    const created = await pool.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [missing]);
    expect(created.rows).toEqual([]);
    const moduleMeant = await bin(['audit', 'cart-1', '--source', postgresUrl, '--schema', './schemas.js']);
    expect(moduleMeant.stderr).toBe(
      `ordersource: cannot read the source ${postgresUrl}: schema "./schemas.js" holds no ordersource event store (name another with ?schema= or --schema; --schemas, with an s, takes a module of event schemas)\n`,
    );
  }, 120_000);
});
