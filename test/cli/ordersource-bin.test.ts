import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { orderHistoryProjection } from '../../src/projections/order-history/projection';
import { BinRun, CliFiles, runBin, runBinWithOutputOn, writeCliFiles } from './cli-fixtures';

/**
 * The real executable, spawned as a user would spawn it. Each run costs a process start, so the runs are
 * made in `beforeAll`, a few at a time, and each test reads its own.
 */
const ORDER = 'order-20261125-0001';
const BYTE_ORDER_MARK = '\uFEFF';

const scenarios = {
  verifyTable: ['verify', '--source', 'file:events.ndjson'],
  verifyJson: ['verify', '--json', '--source', 'file:./events.ndjson'],
  verifyTampered: ['verify', '--source', 'file:tampered.ndjson'],
  verifyTamperedJson: ['verify', '--source', 'file:tampered.ndjson', '--json', '--stream', ORDER, '--stream', 'cart-alice-cart'],
  auditFromEnv: ['audit', ORDER, '--at', '2'],
  auditAtTimeJson: ['audit', 'cart-alice-cart', '--at', '2026-11-25T09:03:30Z', '--json', '--source', 'file:events.ndjson'],
  timeline: ['timeline', ORDER, '--source', 'file:events.ndjson'],
  timelineJson: ['timeline', ORDER, '--json', '--source', 'file:events.ndjson'],
  exportStdout: ['export', '--source', 'file:events.ndjson'],
  exportFile: ['export', '--source', 'file:events.ndjson', '--out', 'exported.ndjson', '--json'],
  importFile: ['import', 'events.ndjson', '--to', 'file:imported.ndjson'],
  importBroken: ['import', 'broken.ndjson', '--to', 'file:never.ndjson'],
  badAt: ['audit', ORDER, '--at', 'yesterday', '--source', 'file:events.ndjson'],
  atNoSuchDay: ['audit', ORDER, '--at', '2026-11-31T00:00:00Z', '--source', 'file:events.ndjson'],
  atNoSuchHour: ['audit', ORDER, '--at', '2026-11-25T24:00:00Z', '--source', 'file:events.ndjson'],
  sourceNamingNoFile: ['verify', '--source', 'file:'],
  sourceOnAnotherHost: ['verify', '--source', 'file://host/events.ndjson'],
  verifyWithByteOrderMark: ['verify', '--source', 'file:bom.ndjson'],
  importWithByteOrderMark: ['import', 'bom.ndjson', '--to', 'file:imported-from-bom.ndjson'],
  verifyByteOrderMarkInside: ['verify', '--source', 'file:bom-inside.ndjson'],
  unknownOption: ['verify', '--source', 'file:events.ndjson', '--colour'],
  noCommand: [],
  unreadableSource: ['verify', '--source', 'file:missing.ndjson'],
  noSource: ['timeline', ORDER],
  unsupportedSource: ['verify', '--source', 'mongodb://localhost/events'],
  unknownProjection: ['rebuild', 'orders', '--source', 'file:events.ndjson'],
  rebuildOrderHistory: ['rebuild', 'order-history', '--source', 'file:events.ndjson'],
  rebuildOrderHistoryJson: ['rebuild', 'order-history', '--json', '--read-model', 'memory:', '--source', 'file:events.ndjson'],
  rebuildLogisticsJson: ['rebuild', 'logistics', '--json', '--source', 'file:events.ndjson'],
  rebuildAnalyticsJson: ['rebuild', 'analytics', '--json', '--source', 'file:events.ndjson'],
  rebuildBroken: ['rebuild', 'analytics', '--json', '--source', 'file:broken.ndjson'],
  version: ['--version'],
  help: ['--help'],
  helpCommand: ['help'],
  helpCommandOfCommand: ['help', 'verify'],
  helpOfUnknownCommand: ['help', 'nosuch'],
} as const satisfies Record<string, readonly string[]>;

type Scenario = keyof typeof scenarios;

describe('the ordersource executable', () => {
  let files: CliFiles;
  const runs = new Map<Scenario, BinRun>();
  const run = (scenario: Scenario): BinRun => {
    const result = runs.get(scenario);
    if (result === undefined) throw new Error(`${scenario} did not run`);
    return result;
  };
  const expectOneLineError = (result: BinRun, exitCode: number, message: RegExp): void => {
    expect(result.code).toBe(exitCode);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^ordersource: [^\n]+\n$/);
    expect(result.stderr).toMatch(message);
  };

  beforeAll(async () => {
    files = await writeCliFiles();
    writeFileSync(join(files.dir, 'bom.ndjson'), `${BYTE_ORDER_MARK}${readFileSync(files.events, 'utf8')}`);
    writeFileSync(join(files.dir, 'bom-inside.ndjson'), `${files.lines.map((line, i) => (i === 2 ? `${BYTE_ORDER_MARK}${line}` : line)).join('\n')}\n`);
    const names = Object.keys(scenarios) as Scenario[];
    // The first run alone transpiles the sources into the CLI's cache; the others then start fast, a few at a time.
    for (let i = 0; i < names.length; i += i === 0 ? 1 : 4) {
      await Promise.all(
        names.slice(i, i === 0 ? 1 : i + 4).map(async (name) => {
          const env = name === 'auditFromEnv' ? { ORDERSOURCE_SOURCE: 'file:events.ndjson' } : undefined;
          runs.set(name, await runBin(scenarios[name], { cwd: files.dir, ...(env === undefined ? {} : { env }) }));
        }),
      );
    }
  }, 600_000);

  it('verifies an intact export: a table for people, exit 0, nothing on stderr', () => {
    const result = run('verifyTable');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([
      'STREAM                                 EVENTS  STATUS  FIRST PROBLEM',
      'cart-alice-cart                             5  ok',
      `${ORDER}                        10  ok`,
    ]);
    expect(result.stdout).toMatch(/\n5 streams, 21 events: every chain is intact\n$/);
  });

  it('verifies as JSON for machines', () => {
    const result = run('verifyJson');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(result.stdout) as { ok: boolean; eventCount: number; streams: { status: string }[] };
    expect(report.ok).toBe(true);
    expect(report.eventCount).toBe(files.lines.length);
    expect(report.streams.map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('fails verification of a file with one byte changed, naming the event', () => {
    const result = run('verifyTampered');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const orderRow = result.stdout.split('\n').find((line) => line.startsWith(ORDER));
    expect(orderRow).toMatch(/^order-20261125-0001\s+10\s+altered\s+event 00000000-0000-4000-8000-00000000000e \(revision 3 of order-20261125-0001\) no longer matches its hash \(expected [0-9a-f]{12}…, found [0-9a-f]{12}…\)$/);
    expect(result.stdout).toMatch(/\n5 streams, 21 events: 1 of 5 streams failed verification\n$/);
  });

  it('fails verification of the named streams as JSON, with the finding in full', () => {
    const result = run('verifyTamperedJson');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { ok: boolean; streams: unknown[] };
    expect(report.ok).toBe(false);
    expect(report.streams).toEqual([
      {
        status: 'tampered',
        streamId: ORDER,
        eventCount: 10,
        finding: expect.objectContaining({ kind: 'altered', revision: 3, eventId: '00000000-0000-4000-8000-00000000000e', expected: expect.stringMatching(/^[0-9a-f]{64}$/) }),
      },
      expect.objectContaining({ status: 'ok', streamId: 'cart-alice-cart', headRevision: 4 }),
    ]);
  });

  it('shows the state of a stream at a revision, the source taken from ORDERSOURCE_SOURCE', () => {
    const result = run('auditFromEnv');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^STREAM\s+order-20261125-0001\naggregate\s+order\nas of\s+revision 2 of 9, recorded 2026-11-25 09:07:00Z\n\nFIELD\s+VALUE\nstatus\s+shipped\n/);
    expect(result.stdout).toMatch(/\nshipment\.trackingNumber\s+SF1234567890\n/);
    expect(result.stdout).toMatch(/\namountRefunded\s+0\n/);
  });

  it('shows the state of a stream at a time as JSON', () => {
    const result = run('auditAtTimeJson');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const replayed = JSON.parse(result.stdout) as { revision: number; state: { lines: { sku: string; quantity: number }[] } };
    expect(replayed.revision).toBe(2);
    expect(replayed.state.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ['tea-oolong', 2],
      ['cup-celadon', 1],
    ]);
  });

  it('prints a timeline table and its JSON', () => {
    const table = run('timeline');
    expect(table).toMatchObject({ code: 0, stderr: '' });
    const rows = table.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^REV\s+RECORDED\s+EVENT\s+ACTOR\s+COMMAND\s+CORRELATION\s+CAUSATION\s+SUMMARY$/);
    expect(rows).toHaveLength(11);
    expect(rows[3]).toMatch(/^\s+2\s+2026-11-25 09:07:00Z\s+OrderShipped\s+warehouse\s+cmd-7\s+journey-alice\s+cmd-7\s+shipped with SF-Express, tracking SF1234567890$/);

    const machine = run('timelineJson');
    const parsed = JSON.parse(machine.stdout) as { streamId: string; events: { revision: number; type: string; actor: string; summary: string }[] };
    expect(parsed.streamId).toBe(ORDER);
    expect(parsed.events[2]).toMatchObject({ revision: 2, type: 'OrderShipped', actor: 'warehouse', summary: 'shipped with SF-Express, tracking SF1234567890' });
  });

  it('exports to stdout byte for byte what the file holds', () => {
    const result = run('exportStdout');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(readFileSync(files.events, 'utf8'));
  });

  it('exports to a file and says so', () => {
    const result = run('exportFile');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ events: files.lines.length, out: 'exported.ndjson' });
    expect(readFileSync(join(files.dir, 'exported.ndjson'), 'utf8')).toBe(readFileSync(files.events, 'utf8'));
  });

  it('imports an export into a new file, losslessly', () => {
    const result = run('importFile');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe('IMPORTED  FROM           TO\n      21  events.ndjson  file:imported.ndjson\n');
    expect(readFileSync(join(files.dir, 'imported.ndjson'), 'utf8')).toBe(readFileSync(files.events, 'utf8'));
  });

  it('refuses a file with a bad line, naming the line, and leaves no target behind', () => {
    expectOneLineError(run('importBroken'), 1, /^ordersource: cannot import broken\.ndjson: line 3 is not a stored event: not JSON/);
    expect(existsSync(join(files.dir, 'never.ndjson'))).toBe(false);
  });

  it('gives usage errors on one line with exit code 2', () => {
    expectOneLineError(run('badAt'), 2, /--at cannot be "yesterday": expected a revision or an ISO time with a zone/);
    expectOneLineError(run('unknownOption'), 2, /unknown option '--colour'/);
    expectOneLineError(run('noCommand'), 2, /no command given/);
    expectOneLineError(run('noSource'), 2, /no event source: pass --source file:\.\/events\.ndjson or set ORDERSOURCE_SOURCE/);
    expectOneLineError(run('unsupportedSource'), 2, /the source mongodb:\/\/localhost\/events is not supported: known schemes are file:, postgres:, postgresql:, esdb:, esdb\+discover:$/m);
    expectOneLineError(run('unknownProjection'), 2, /unknown projection "orders": known projections are order-history, logistics, analytics$/m);
  });

  it('refuses an --at date or hour that does not exist, rather than rolling it over to the next one', () => {
    expectOneLineError(run('atNoSuchDay'), 2, /--at cannot be "2026-11-31T00:00:00Z": expected a revision or an ISO time with a zone/);
    expectOneLineError(run('atNoSuchHour'), 2, /--at cannot be "2026-11-25T24:00:00Z": expected a revision or an ISO time with a zone/);
  });

  it('gives a usage error, exit 2, for a file: URL that names no file it can read', () => {
    expectOneLineError(run('sourceNamingNoFile'), 2, /^ordersource: file: names no file\n$/);
    expectOneLineError(run('sourceOnAnotherHost'), 2, /^ordersource: file:\/\/host\/events\.ndjson is not a file URL: /);
  });

  it('reads a file that starts with a byte-order mark as the file after it', () => {
    expect(run('verifyWithByteOrderMark')).toMatchObject({ code: 0, stderr: '' });
    expect(run('verifyWithByteOrderMark').stdout).toMatch(/\n5 streams, 21 events: every chain is intact\n$/);
    expect(run('importWithByteOrderMark')).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(join(files.dir, 'imported-from-bom.ndjson'), 'utf8')).toBe(readFileSync(files.events, 'utf8'));
  });

  it('names a byte-order mark inside the file, in a line that shows it', () => {
    const result = run('verifyByteOrderMarkInside');
    expectOneLineError(result, 1, /^ordersource: cannot read the source file:bom-inside\.ndjson: line 3 is not a stored event: not JSON \(.*<U\+FEFF>\{"actor"/);
    expect(result.stderr).not.toContain(BYTE_ORDER_MARK);
  });

  it('rebuilds each built-in projection into memory, reporting events read, documents per collection, time and rate', () => {
    const table = run('rebuildOrderHistory');
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(
      /^PROJECTION   order-history\nversion      2\nread model   memory:\nevents read  13\nelapsed      \d+\.\d{3} s\napply rate   [\d,]+ events\/s\n\nCOLLECTION  DOCUMENTS  WRITES\norders              1       1\ntimeline           13      13\n$/,
    );
    type Report = { projection: string; readModel: string; version: number; eventsRead: number; position: number; collections: Record<string, { documents: number; writes: number }>; elapsedMs: number; eventsPerSecond: number };
    const report = (scenario: Scenario): Report => {
      const result = run(scenario);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      return JSON.parse(result.stdout) as Report;
    };
    const orderHistory = report('rebuildOrderHistoryJson');
    expect(orderHistory).toMatchObject({ projection: 'order-history', readModel: 'memory:', version: orderHistoryProjection.version, eventsRead: 13, position: files.lines.length - 1 });
    expect(orderHistory.collections).toEqual({ orders: { documents: 1, writes: 1 }, timeline: { documents: 13, writes: 13 } });
    expect(orderHistory.elapsedMs).toEqual(expect.any(Number));
    expect(orderHistory.eventsPerSecond).toBeGreaterThan(0);
    const logistics = report('rebuildLogisticsJson');
    expect(logistics).toMatchObject({ projection: 'logistics', eventsRead: 6, position: files.lines.length - 1 });
    expect(logistics.collections).toEqual({
      orders: { documents: 1, writes: 1 },
      'awaiting-shipment': { documents: 0, writes: 1 },
      shipments: { documents: 1, writes: 1 },
      'shipment-statuses': { documents: 3, writes: 3 },
      carriers: { documents: 1, writes: 1 },
    });
    const analytics = report('rebuildAnalyticsJson');
    expect(analytics).toMatchObject({ projection: 'analytics', eventsRead: 5 });
    expect(Object.entries(analytics.collections).map(([name, c]) => [name, c.documents])).toEqual([
      ['carts', 1],
      ['checkouts', 1],
      ['orders', 1],
      ['sales', 2],
      ['funnel', 2],
      ['products', 2],
      ['customers', 1],
      ['co-purchases', 2],
    ]);
  });

  it('fails a rebuild on one line, exit 1, when the source cannot be read', () => {
    expectOneLineError(run('rebuildBroken'), 1, /^ordersource: cannot read the source file:broken\.ndjson: line 3 is not a stored event/);
  });

  it("prints package.json's version, and help that names the sources and read models and shows a schemas module", () => {
    const packageJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    expect(run('version')).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
    const help = run('help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/\nEvent sources \(--source, or \$ORDERSOURCE_SOURCE\):\n  file:\.\/events\.ndjson\s+an NDJSON export.*\n  postgres:\/\/user@host:5432\/db\s+a PostgreSQL event store.*\n  esdb:\/\/host:2113\?tls=false\s+an EventStoreDB node.*\n/);
    expect(help.stdout).toMatch(/\nRead models \(rebuild --read-model\):\n  memory:\s+in memory, for this run only.*\n  postgres:\/\/\S+\s+PostgreSQL read models, kept.*\n\n/);
    expect(help.stdout).toMatch(/\nEvent schemas \(--schemas, or \$ORDERSOURCE_SCHEMAS; audit, timeline and rebuild\):[^]*\n  exports\.schemas = eventSchemas\(\{\n[^]*take no --schemas\.\n$/);
  });

  it('prints help for the help command too, exit 0', () => {
    expect(run('helpCommand')).toEqual({ code: 0, stdout: run('help').stdout, stderr: '' });
    expect(run('helpCommandOfCommand')).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Usage: ordersource verify \[options\]\n/), stderr: '' });
    expectOneLineError(run('helpOfUnknownCommand'), 2, /^ordersource: unknown command "nosuch": run ordersource --help to see them\n$/);
  });

  // /dev/full, on Linux, fails every write as a full disk does.
  (existsSync('/dev/full') ? it : it.skip)('fails on one line, exit 1, when its output cannot be written', async () => {
    for (const args of [
      ['verify', '--json', '--source', 'file:events.ndjson'],
      ['timeline', ORDER, '--source', 'file:events.ndjson'],
      ['export', '--source', 'file:events.ndjson'],
    ]) {
      const result = await runBinWithOutputOn('stdout', '/dev/full', args, { cwd: files.dir });
      expect([args, result]).toEqual([args, { code: 1, stdout: '', stderr: expect.stringMatching(/^ordersource: [^\n]*ENOSPC: no space left on device, write\n$/) }]);
    }
  }, 60_000);

  (existsSync('/dev/full') ? it : it.skip)('exits as it would have, 2 for bad usage and 1 for a failure, when its error cannot be written', async () => {
    const exitCodeOf = async (args: readonly string[]): Promise<number | null> => (await runBinWithOutputOn('stderr', '/dev/full', args, { cwd: files.dir })).code;
    expect(await exitCodeOf(['bogus'])).toBe(2);
    expect(await exitCodeOf(['verify', '--source', 'file:events.ndjson', '--schema', 'shop'])).toBe(2);
    expect(await exitCodeOf(['verify', '--source', 'file:missing.ndjson'])).toBe(1);
  }, 60_000);

  it('fails on one line with exit code 1 when the source cannot be read', () => {
    expectOneLineError(run('unreadableSource'), 1, /^ordersource: cannot read the source file:missing\.ndjson: no such file\n$/);
  });
});
