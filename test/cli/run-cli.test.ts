import * as E from 'fp-ts/Either';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { join } from 'node:path';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import type { CliContext } from '../../src/cli/cli-context';
import { defaultEventSources, EventSourceRegistry } from '../../src/cli/event-sources';
import { ImportTargetRegistry, openFileTarget } from '../../src/cli/import-targets';
import { ProjectionRegistry } from '../../src/cli/projection-registry';
import { oneLine } from '../../src/cli/cli-error';
import { flattenJson, formatTime, renderTable } from '../../src/cli/text-output';
import { delegatingTo } from '../support/delegating-event-store';
import { proposedEvents } from '../../src/testing/contract/proposed-events';
import { CliFiles, writeCliFiles } from './cli-fixtures';
import { Captured, runCliCaptured } from './in-process-cli';

/** `memory:` — a scheme registered the way `postgres://` will be: one entry in the registry. */
const withMemorySource = (store: MemoryEventStore): EventSourceRegistry =>
  new Map([...defaultEventSources, ['memory:', () => Promise.resolve(E.right({ store, close: () => Promise.resolve() }))]]);

/** File targets at which a file appears once the import has opened: as a second import to the path that finishes first. */
const appearingOnceOpened = (target: string): ImportTargetRegistry =>
  new Map([
    [
      'file:',
      async (url, context) => {
        const opened = await openFileTarget(url, context);
        writeFileSync(target, 'written meanwhile\n');
        return opened;
      },
    ],
  ]);

describe('runCli, in process', () => {
  let files: CliFiles;

  const cli = (argv: readonly string[], overrides: Partial<CliContext> & { readonly tty?: boolean } = {}): Promise<Captured> =>
    runCliCaptured(argv, { cwd: files.dir, ...overrides });

  beforeAll(async () => {
    files = await writeCliFiles();
  });

  it('takes event sources from a registry keyed by URL scheme', async () => {
    const store = new MemoryEventStore();
    store.appendNow('order-1', proposedEvents(3), 'no-stream');
    const result = await cli(['verify', '--source', 'memory:test', '--json'], { sources: withMemorySource(store) });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, eventCount: 3, streams: [{ streamId: 'order-1', status: 'ok', headRevision: 2 }] });
  });

  it('reads absolute file URLs too', async () => {
    const result = await cli(['verify', '--source', `file://${files.events}`]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('shows a progress bar with rate and ETA on a terminal, and nothing when stderr is not one', async () => {
    const store = new MemoryEventStore();
    for (let i = 0; i < 10; i += 1) store.appendNow(`order-${i}`, proposedEvents(1_000), 'no-stream');
    const sources = withMemorySource(store);
    const onTerminal = await cli(['verify', '--source', 'memory:big'], { sources, tty: true });
    expect(onTerminal.code).toBe(0);
    expect(onTerminal.stderr).toMatch(/verifying \[.*\] \d+% \| [\d,]+\/10000 events \| [\d,–]+ events\/s \| ETA /);
    expect(onTerminal.stdout).toMatch(/10 streams, 10000 events: every chain is intact/);

    const inPipe = await cli(['verify', '--source', 'memory:big'], { sources });
    expect(inPipe.stderr).toBe('');
  });

  it('rebuilds a registered projection, with a summary as a table or JSON', async () => {
    const rebuilt: string[] = [];
    const projections: ProjectionRegistry = new Map([
      [
        'order-history',
        {
          description: 'orders by customer',
          rebuild: async (store, readModels, onProgress) => {
            expect(readModels).toBeDefined();
            const page = await store.readAll();
            rebuilt.push(...page.events.map((e) => e.eventId));
            onProgress(page.events.length, page.events.length);
            return E.right({ version: 3, eventsRead: page.events.length, position: 20, collections: { orders: { documents: 1, writes: 4 } } });
          },
        },
      ],
      ['broken', { description: 'fails', rebuild: () => Promise.resolve(E.left({ code: 'PROJECTION_FAILED', message: 'the read model\nis unreachable' })) }],
    ]);
    const table = await cli(['rebuild', 'order-history', '--source', 'file:events.ndjson'], { projections });
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(
      /^PROJECTION   order-history\nversion      3\nread model   memory:\nevents read  21\nelapsed      \d+\.\d{3} s\napply rate   (–|[\d,]+ events\/s)\n\nCOLLECTION  DOCUMENTS  WRITES\norders              1       4\n$/,
    );
    expect(rebuilt).toHaveLength(21);
    const machine = await cli(['rebuild', 'order-history', '--json', '--source', 'file:events.ndjson'], { projections });
    expect(JSON.parse(machine.stdout)).toEqual({
      projection: 'order-history',
      readModel: 'memory:',
      version: 3,
      eventsRead: 21,
      position: 20,
      collections: { orders: { documents: 1, writes: 4 } },
      elapsedMs: expect.any(Number),
      eventsPerSecond: expect.anything(),
    });
    const emptyStore: ProjectionRegistry = new Map([
      ['order-history', { description: 'orders by customer', rebuild: () => Promise.resolve(E.right({ version: 1, eventsRead: 0, position: undefined, collections: {} })) }],
    ]);
    const fromNothing = await cli(['rebuild', 'order-history', '--json', '--source', 'file:events.ndjson'], { projections: emptyStore });
    expect(JSON.parse(fromNothing.stdout)).toEqual({ projection: 'order-history', readModel: 'memory:', version: 1, eventsRead: 0, position: null, collections: {}, elapsedMs: expect.any(Number), eventsPerSecond: expect.anything() });
    expect(await cli(['rebuild', 'order-history', '--read-model', 'mongodb://localhost', '--source', 'file:events.ndjson'], { projections })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ordersource: the read model mongodb://localhost is not supported: known schemes are memory:, postgres:, postgresql:\n',
    });
    expect(await cli(['rebuild', 'broken', '--source', 'file:events.ndjson'], { projections })).toEqual({ code: 1, stdout: '', stderr: 'ordersource: the read model is unreachable\n' });
    expect(await cli(['rebuild', 'orders', '--source', 'file:events.ndjson'], { projections })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ordersource: unknown projection "orders": known projections are order-history, broken\n',
    });
  });

  it('says why a stream has no state, on one line, exit 1', async () => {
    expect(await cli(['audit', 'wishlist-1', '--source', 'file:events.ndjson'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ordersource: stream wishlist-1 belongs to no aggregate whose state can be replayed\n',
    });
    expect(await cli(['timeline', 'order-none', '--source', 'file:events.ndjson'])).toMatchObject({ code: 1, stderr: 'ordersource: stream order-none has no events\n' });
  });

  it('audits deadline streams, and shows a state before its first event', async () => {
    const deadline = await cli(['audit', 'deadline-payment-expiry-20261125-0001', '--source', 'file:events.ndjson']);
    expect(deadline.stdout).toMatch(/\nstatus\s+cancelled\n/);
    const before = await cli(['audit', 'order-20261125-0001', '--at', '2026-11-25T09:00:00+08:00', '--source', 'file:events.ndjson']);
    expect(before.stdout).toBe('STREAM     order-20261125-0001\naggregate  order\nas of      before its first event (its last revision is 9)\n\nFIELD   VALUE\nstatus  none\n');
  });

  it('shows a recorded time that no Date holds as its number, where an altered store has one', async () => {
    const store = new MemoryEventStore();
    store.appendNow('order-1', proposedEvents(2), 'no-stream');
    // As a PostgreSQL row whose recorded_at was changed by hand would be read back.
    const altered = delegatingTo(store, { readStream: async (streamId) => (await store.readStream(streamId)).map((e) => (e.revision === 1 ? { ...e, recordedAt: 9_001_795_597_206_000 } : e)) });
    const sources: EventSourceRegistry = new Map([['memory:', () => Promise.resolve(E.right({ store: altered, close: () => Promise.resolve() }))]]);
    const shown = await cli(['timeline', 'order-1', '--source', 'memory:altered'], { sources });
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout.split('\n')[2]).toMatch(/^\s+1\s+9001795597206000 \(out of range\)\s+TestEvent\s/);
  });

  it('rejects arguments that are not what they should be, exit 2', async () => {
    expect(await cli(['verify', '--stream', 'has space', '--source', 'file:events.ndjson'])).toMatchObject({
      code: 2,
      stderr: 'ordersource: --stream cannot be "has space": expected a stream id (1–256 characters, no whitespace)\n',
    });
    expect(await cli(['audit', 'order-1', '--at', '2026-11-25T09:00:00', '--source', 'file:events.ndjson'])).toMatchObject({ code: 2 });
    expect(await cli(['verify', '--source', 'events.ndjson'])).toMatchObject({ code: 2, stderr: 'ordersource: the source must be a URL such as file:./events.ndjson, not "events.ndjson"\n' });
    expect(await cli(['import', 'events.ndjson'])).toMatchObject({ code: 2, stderr: "ordersource: required option '--to <target>' not specified\n" });
    expect(await cli(['import', 'events.ndjson', '--to', 'esdb://localhost:2113'])).toMatchObject({ code: 2, stderr: 'ordersource: the target esdb://localhost:2113 is not supported: known schemes are file:, postgres:, postgresql:\n' });
    expect(await cli(['timeline', 'a', 'b'])).toMatchObject({ code: 2, stderr: "ordersource: too many arguments for 'timeline'. Expected 1 argument but got 2.\n" });
  });

  it('tells bad usage, exit 2, of a target or read model no scheme names before it finds that what it would read cannot be', async () => {
    expect(await cli(['import', 'nothing.ndjson', '--to', 'http://example.com/x'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ordersource: the target http://example.com/x is not supported: known schemes are file:, postgres:, postgresql:\n',
    });
    const projections: ProjectionRegistry = new Map([['order-history', { description: 'not to be run', rebuild: () => Promise.reject(new Error('not to be run')) }]]);
    expect(await cli(['rebuild', 'order-history', '--source', 'file:nothing.ndjson', '--read-model', 'mongodb://localhost'], { projections })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ordersource: the read model mongodb://localhost is not supported: known schemes are memory:, postgres:, postgresql:\n',
    });
  });

  it('refuses a PostgreSQL URL that names two schemas, exit 2, rather than pick one', async () => {
    // Refused before any connection: the port is one no server listens on.
    const twoSchemas = 'postgres://u:secret@127.0.0.1:1/db?schema=a&sslmode=disable&schema=b';
    const ambiguous = { code: 2, stdout: '', stderr: 'ordersource: postgres://u@127.0.0.1:1/db?schema=a&sslmode=disable&schema=b names schemas "a" and "b": name one\n' };
    expect(await cli(['verify', '--source', twoSchemas])).toEqual(ambiguous);
    expect(await cli(['import', 'events.ndjson', '--to', twoSchemas])).toEqual(ambiguous);
  });

  it('never shows a password a URL carries, in its userinfo or as ?password= or ?sslpassword=, which the driver takes too', async () => {
    // Refused or failed before any server answers: the port is one no server listens on.
    const twoSchemas = 'postgres://u:s3cret@127.0.0.1:1/db?schema=a&password=s3cret&pass%77ord=s3cret&sslmode=disable&sslpassword=s3cret&schema=b';
    expect(await cli(['import', 'events.ndjson', '--to', twoSchemas])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ordersource: postgres://u@127.0.0.1:1/db?schema=a&password=***&pass%77ord=***&sslmode=disable&sslpassword=***&schema=b names schemas "a" and "b": name one\n',
    });
    const unreachable = await cli(['verify', '--source', 'postgres://u@127.0.0.1:1/db?password=s3cret']);
    expect(unreachable).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^ordersource: cannot read the source postgres:\/\/u@127\.0\.0\.1:1\/db\?password=\*\*\*: /) });
    // pg reads this one (a socket named by ?host=); where its userinfo ends cannot be told without parsing it as pg does.
    const unparsed = await cli(['verify', '--source', 'postgres://u:s3cret@/db?host=/tmp&password=s3cret']);
    expect(unparsed).toMatchObject({ code: 2, stderr: expect.stringMatching(/^ordersource: postgres:\/\/\*\*\*@\/db\?host=\/tmp&password=\*\*\* is not a PostgreSQL URL: /) });
    expect(await cli(['verify', '--source', 'postgress://u:s3cret@host/db'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^ordersource: the source postgress:\/\/u@host\/db is not supported: /) });
    // An @ in a query's password is no end of the userinfo; one left in the query, the password's own `?` may be.
    const atInQuery = await cli(['verify', '--source', 'postgres://u:s3cret@/db?password=x@tail']);
    expect(atInQuery).toMatchObject({ code: 2, stderr: expect.stringMatching(/^ordersource: postgres:\/\/\*\*\*@\/db\?password=\*\*\* is not a PostgreSQL URL: /) });
    const questionInPassword = await cli(['verify', '--source', 'postgres://u:s3?cret@/db?host=/tmp']);
    expect(questionInPassword.stderr).not.toContain('s3');
    expect(questionInPassword.stderr).not.toContain('cret');
  });

  it('refuses --schema for a source or target that has no schemas, exit 2, rather than seem to obey it', async () => {
    const noSchemas = (url: string): Captured => ({ code: 2, stdout: '', stderr: `ordersource: --schema "shop" names a PostgreSQL schema: ${url} has no schemas\n` });
    expect(await cli(['verify', '--source', 'file:events.ndjson', '--schema', 'shop'])).toEqual(noSchemas('file:events.ndjson'));
    const projections: ProjectionRegistry = new Map([['order-history', { description: 'not to be run', rebuild: () => Promise.reject(new Error('not to be run')) }]]);
    expect(await cli(['rebuild', 'order-history', '--source', 'file:events.ndjson', '--schema', 'shop'], { projections })).toEqual(noSchemas('file:events.ndjson'));
    expect(await cli(['verify', '--source', 'esdb://localhost:2113?tls=false', '--schema', 'shop'])).toEqual(noSchemas('esdb://localhost:2113?tls=false'));
    expect(await cli(['import', 'events.ndjson', '--to', 'file:schema-ignored.ndjson', '--schema', 'shop'])).toEqual(noSchemas('file:schema-ignored.ndjson'));
    expect(existsSync(join(files.dir, 'schema-ignored.ndjson'))).toBe(false);
  });

  it('refuses export --json without --out, exit 2: the export itself is NDJSON', async () => {
    expect(await cli(['export', '--json', '--source', 'file:events.ndjson'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ordersource: --json prints the summary of an export to --out: without --out, the export is NDJSON\n',
    });
  });

  it('takes --at only as a time that exists, in every ISO form with a zone', async () => {
    const auditAt = (at: string): Promise<Captured> => cli(['audit', 'order-20261125-0001', '--at', at, '--source', 'file:events.ndjson']);
    for (const at of ['2024-02-29T00:00Z', '2026-11-25T09:05Z', '2026-11-30T23:59:59Z', '2026-12-31T23:59:59.999+23:59', '2026-11-25T09:05:00.5-05:30', '0000-01-01T00:00:00Z']) {
      expect(await auditAt(at)).toMatchObject({ code: 0, stderr: '' });
    }
    for (const at of ['2026-11-31T00:00:00Z', '2026-02-30T09:00:00Z', '2026-02-29T00:00Z', '2026-04-31T12:00+08:00', '2026-11-25T24:00:00Z', '2026-11-25T24:00Z', '2026-13-01T00:00Z', '2026-11-25T23:60Z']) {
      expect(await auditAt(at)).toEqual({ code: 2, stdout: '', stderr: `ordersource: --at cannot be "${at}": expected a revision or an ISO time with a zone, e.g. 12 or 2026-11-25T09:05:00Z\n` });
    }
  });

  it('prints help and the version on stdout, exit 0', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: ordersource \[options\] \[command\]/);
    for (const command of ['audit', 'timeline', 'verify', 'export', 'import', 'rebuild']) expect(help.stdout).toMatch(new RegExp(`\\n  ${command} `));
    expect((await cli(['verify', '--help'])).stdout).toMatch(/--stream <id>/);
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version}\n`, stderr: '' });
  });

  it('fails cleanly where files cannot be read or written, exit 1', async () => {
    expect(await cli(['import', 'nothing.ndjson', '--to', 'file:x.ndjson'])).toEqual({ code: 1, stdout: '', stderr: 'ordersource: cannot read nothing.ndjson: no such file\n' });
    expect(await cli(['import', 'events.ndjson', '--to', 'file:events.ndjson'])).toMatchObject({ code: 1, stderr: 'ordersource: the target file:events.ndjson already exists: import into a new file\n' });
    expect(await cli(['export', '--out', 'no-such-dir/out.ndjson', '--source', 'file:events.ndjson'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^ordersource: cannot write .*no-such-dir\/out\.ndjson: .*ENOENT.*\n$/) });
    expect(await cli(['export', '--out', '', '--source', 'file:events.ndjson'])).toMatchObject({ code: 2, stderr: 'ordersource: an empty path names no file\n' });
    expect(await cli(['verify', '--source', 'file:.'])).toMatchObject({ code: 1, stderr: 'ordersource: cannot read the source file:.: not a file\n' });
    expect(existsSync(join(files.dir, 'x.ndjson'))).toBe(false);
    expect(readdirSync(files.dir).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('ends an export quietly, exit 0, when the reader of its output has gone, however early', async () => {
    const closed = Object.assign(new PassThrough(), { isTTY: false });
    // As main does for process.stdout: the broken pipe is the command's to handle.
    closed.on('error', () => undefined);
    closed.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(await cli(['export', '--source', 'file:events.ndjson'], { stdout: closed })).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('fails, exit 1, in one line, when its output cannot be written, rather than leave a script with a report it never got', async () => {
    const full = new Writable({ write: (_chunk, _encoding, callback) => callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })) });
    // As main does for process.stdout: each write's failure is the command's to tell.
    full.on('error', () => undefined);
    const unwritten = { code: 1, stdout: '', stderr: 'ordersource: cannot write the output: ENOSPC: no space left on device, write\n' };
    const projections: ProjectionRegistry = new Map([
      ['order-history', { description: 'orders', rebuild: () => Promise.resolve(E.right({ version: 1, eventsRead: 0, position: -1, collections: {} })) }],
    ]);
    for (const argv of [
      ['verify', '--source', 'file:events.ndjson'],
      ['verify', '--json', '--source', 'file:events.ndjson'],
      ['timeline', 'order-20261125-0001', '--source', 'file:events.ndjson'],
      ['audit', 'order-20261125-0001', '--source', 'file:events.ndjson'],
      ['--help'],
    ]) {
      expect([argv, await cli(argv, { stdout: full, projections })]).toEqual([argv, unwritten]);
    }
    // Their work is done before the summary: a script is told so, since the same command again would be refused.
    const doneButUntold = (done: string): Captured => ({ code: 1, stdout: '', stderr: `ordersource: ${done}, but cannot write the summary: ENOSPC: no space left on device, write\n` });
    expect(await cli(['export', '--out', 'summary-unwritten.ndjson', '--source', 'file:events.ndjson'], { stdout: full })).toEqual(
      doneButUntold('exported 21 events to summary-unwritten.ndjson'),
    );
    expect(await cli(['import', 'events.ndjson', '--to', 'file:import-summary-unwritten.ndjson', '--json'], { stdout: full })).toEqual(
      doneButUntold('imported 21 events into file:import-summary-unwritten.ndjson'),
    );
    expect(readFileSync(join(files.dir, 'import-summary-unwritten.ndjson'), 'utf8')).toBe(readFileSync(files.events, 'utf8'));
    expect(await cli(['rebuild', 'order-history', '--source', 'file:events.ndjson'], { stdout: full, projections })).toEqual(doneButUntold('rebuilt order-history version 1 into memory:'));
    expect(await cli(['export', '--source', 'file:events.ndjson'], { stdout: full })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ordersource: the export could not be written: ENOSPC: no space left on device, write\n',
    });
  });

  it('keeps the exit code of its finding when the reader of its output has gone (| head)', async () => {
    const closed = Object.assign(new PassThrough(), { isTTY: false });
    closed.on('error', () => undefined);
    closed.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(await cli(['verify', '--source', 'file:events.ndjson'], { stdout: closed })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await cli(['verify', '--source', 'file:tampered.ndjson'], { stdout: closed })).toEqual({ code: 1, stdout: '', stderr: '' });
  });

  it('exports to a file with a table summary, replacing what the file held', async () => {
    writeFileSync(join(files.dir, 'copy.ndjson'), 'an older export\n');
    expect(await cli(['export', '--out', 'copy.ndjson', '--source', 'file:events.ndjson'])).toEqual({ code: 0, stdout: 'EXPORTED  TO\n      21  copy.ndjson\n', stderr: '' });
    expect(readFileSync(join(files.dir, 'copy.ndjson'), 'utf8')).toBe(readFileSync(files.events, 'utf8'));
  });
  it('keeps the permissions of the file an export replaces, through a symbolic link too, however the umask would have them', async () => {
    const dir = mkdtempSync(join(files.dir, 'modes-'));
    const exportTo = (out: string): Promise<Captured> => cli(['export', '--out', out, '--source', `file:${files.events}`], { cwd: dir });
    const permissionsOf = (name: string): number => statSync(join(dir, name)).mode & 0o777;
    writeFileSync(join(dir, 'private.ndjson'), 'old\n', { mode: 0o600 });
    symlinkSync('private.ndjson', join(dir, 'link.ndjson'));
    writeFileSync(join(dir, 'shared.ndjson'), 'old\n');
    // Group-writable: a bit the usual umask (022) takes from every new file.
    chmodSync(join(dir, 'shared.ndjson'), 0o664);
    expect(await exportTo('private.ndjson')).toMatchObject({ code: 0, stderr: '' });
    expect(permissionsOf('private.ndjson')).toBe(0o600);
    expect(await exportTo('link.ndjson')).toMatchObject({ code: 0, stderr: '' });
    expect(permissionsOf('private.ndjson')).toBe(0o600);
    expect(await exportTo('shared.ndjson')).toMatchObject({ code: 0, stderr: '' });
    expect(permissionsOf('shared.ndjson')).toBe(0o664);
    expect(readFileSync(join(dir, 'shared.ndjson'), 'utf8')).toBe(readFileSync(files.events, 'utf8'));
  });

  it('exports through a symbolic link into its target, and refuses to replace what is not a file, exit 2', async () => {
    const dir = mkdtempSync(join(files.dir, 'out-'));
    writeFileSync(join(dir, 'real.ndjson'), 'old\n');
    mkdirSync(join(dir, 'links'));
    symlinkSync('../real.ndjson', join(dir, 'links', 'link.ndjson'));
    expect(await cli(['export', '--out', 'links/link.ndjson', '--source', `file:${files.events}`], { cwd: dir })).toEqual({ code: 0, stdout: 'EXPORTED  TO\n      21  links/link.ndjson\n', stderr: '' });
    expect(lstatSync(join(dir, 'links', 'link.ndjson')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real.ndjson'), 'utf8')).toBe(readFileSync(files.events, 'utf8'));

    execFileSync('mkfifo', [join(dir, 'fifo')]);
    symlinkSync('fifo', join(dir, 'to-fifo'));
    symlinkSync('nowhere.ndjson', join(dir, 'dangling'));
    mkdirSync(join(dir, 'folder'));
    const refused = (out: string, why: string): Captured => ({ code: 2, stdout: '', stderr: `ordersource: cannot export to ${out}: ${why}; --out writes a regular file\n` });
    const exportTo = (out: string): Promise<Captured> => cli(['export', '--out', out, '--source', `file:${files.events}`], { cwd: dir });
    expect(await exportTo('fifo')).toEqual(refused('fifo', 'it is a FIFO'));
    expect(await exportTo('to-fifo')).toEqual(refused('to-fifo', `it is a symbolic link to ${join(dir, 'fifo')}, a FIFO`));
    expect(await exportTo('dangling')).toEqual(refused('dangling', 'it is a symbolic link that leads to no file'));
    expect(await exportTo('folder')).toEqual(refused('folder', 'it is a directory'));
    expect(lstatSync(join(dir, 'fifo')).isFIFO()).toBe(true);
    expect(lstatSync(join(dir, 'to-fifo')).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['dangling', 'fifo', 'folder', 'links', 'real.ndjson', 'to-fifo']);
  });

  it('keeps a file that appeared at the path of an import while it ran, and refuses the import as if the file had been there first', async () => {
    const target = join(files.dir, 'appeared.ndjson');
    expect(await cli(['import', 'events.ndjson', '--to', 'file:appeared.ndjson'], { targets: appearingOnceOpened(target) })).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ordersource: the target file:appeared.ndjson already exists: import into a new file\n',
    });
    expect(readFileSync(target, 'utf8')).toBe('written meanwhile\n');
    expect(readdirSync(files.dir).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('imports onto a filesystem without hard links by an exclusive copy, and still keeps a file that appeared meanwhile', async () => {
    // The module object itself, whose functions the CLI looks up as it calls them: an import's namespace is sealed.
    const fsPromises: typeof import('node:fs/promises') = jest.requireActual('node:fs/promises');
    const noHardLinks = jest.spyOn(fsPromises, 'link').mockRejectedValue(Object.assign(new Error('operation not permitted'), { code: 'EPERM' }));
    try {
      expect(await cli(['import', 'events.ndjson', '--to', 'file:copied.ndjson'])).toMatchObject({ code: 0, stderr: '' });
      expect(readFileSync(join(files.dir, 'copied.ndjson'), 'utf8')).toBe(readFileSync(files.events, 'utf8'));
      const target = join(files.dir, 'appeared-too.ndjson');
      expect(await cli(['import', 'events.ndjson', '--to', 'file:appeared-too.ndjson'], { targets: appearingOnceOpened(target) })).toMatchObject({
        code: 1,
        stderr: 'ordersource: the target file:appeared-too.ndjson already exists: import into a new file\n',
      });
      expect(readFileSync(target, 'utf8')).toBe('written meanwhile\n');
      expect(readdirSync(files.dir).filter((name) => name.includes('.partial-'))).toEqual([]);
    } finally {
      noHardLinks.mockRestore();
    }
  });

  it('refuses to import into a symbolic link to nothing, which it would replace', async () => {
    symlinkSync('nowhere.ndjson', join(files.dir, 'dangling-target'));
    expect(await cli(['import', 'events.ndjson', '--to', 'file:dangling-target'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'ordersource: the target file:dangling-target already exists: import into a new file\n',
    });
    expect(lstatSync(join(files.dir, 'dangling-target')).isSymbolicLink()).toBe(true);
  });
});

describe('text output', () => {
  it('aligns columns, numbers to the right, and leaves the last column unpadded', () => {
    expect(renderTable(['NAME', 'COUNT', 'NOTE'], [['a', 5, 'x'], ['longer', 120, '']])).toBe('NAME    COUNT  NOTE\na           5  x\nlonger    120\n');
  });

  it('names the characters of a cell that would break its row or reorder the line, so typed text cannot draw rows', () => {
    const note = 'hi\n  3  OrderRefunded  service-desk\u2028\u202Egnp.exe\u0007';
    expect(renderTable(['REV', 'SUMMARY'], [[1, note]])).toBe('REV  SUMMARY\n  1  hi<U+000A>  3  OrderRefunded  service-desk<U+2028><U+202E>gnp.exe<U+0007>\n');
  });

  it('prints an error on one line, naming the characters of what it quotes that would break or hide it', () => {
    expect(oneLine('cannot read "a\u2028b\u2029c":\n  line 3\tis \uFEFFbad\u001B[2J')).toBe('cannot read "a<U+2028>b<U+2029>c": line 3\tis <U+FEFF>bad<U+001B>[2J');
  });

  it('shows a time to the second in UTC, in a year after 9999 too', () => {
    expect(formatTime(Date.UTC(2026, 10, 25, 9, 5, 7, 999))).toBe('2026-11-25 09:05:07Z');
    expect(formatTime(253_402_300_801_123)).toBe('+010000-01-01 00:00:01Z');
  });

  it('flattens a state into paths and values', () => {
    expect(flattenJson({ a: { b: [1, { c: 'x' }], d: [] }, e: null, f: {}, g: undefined })).toEqual([
      ['a.b[0]', '1'],
      ['a.b[1].c', 'x'],
      ['a.d', '[]'],
      ['e', 'null'],
      ['f', '{}'],
    ]);
  });
});
