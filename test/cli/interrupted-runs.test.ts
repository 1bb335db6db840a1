import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import { exportLines } from '../audit/ndjson-lines';
import { proposedEvents } from '../../src/testing/contract/proposed-events';
import { StartedBin, startBin } from './cli-fixtures';

/**
 * Runs that end before their work is done: a reader that stops reading, a user who presses Ctrl-C. The
 * export is large enough (some 20 MB) that each run is still writing when it is interrupted.
 */
describe('the ordersource executable, interrupted', () => {
  let dir: string;

  /** The temporary files `<file>.partial-<pid>` written on the way to `file`. */
  const partialFilesOf = (file: string): string[] => readdirSync(dir).filter((name) => name.startsWith(`${file}.partial-`));

  /** Signals the run as soon as it has started writing its temporary file, so that it is surely mid-way. */
  const interruptWhileWriting = async (run: StartedBin, file: string, signal: NodeJS.Signals): Promise<void> => {
    while (partialFilesOf(file).length === 0) {
      if (run.child.exitCode !== null) throw new Error('the run ended before it wrote anything');
      await sleep(2);
    }
    run.child.kill(signal);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ordersource-cli-interrupted-'));
    const store = new MemoryEventStore();
    for (let i = 0; i < 50; i += 1) store.appendNow(`order-${i}`, proposedEvents(1_000), 'no-stream');
    writeFileSync(join(dir, 'big.ndjson'), `${(await exportLines(store)).join('\n')}\n`);
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ends quietly, exit 0, when the reader of its stdout stops early (| head)', async () => {
    const run = startBin(['export', '--source', 'file:big.ndjson'], { cwd: dir });
    run.child.stdout.once('data', () => run.child.stdout.destroy());
    const result = await run.finished;
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^\{"actor":"tester"/);
  }, 60_000);

  it('removes the file it was exporting to when Ctrl-C stops it, and ends as SIGINT ends a process', async () => {
    const run = startBin(['export', '--source', 'file:big.ndjson', '--out', 'interrupted-export.ndjson'], { cwd: dir });
    await interruptWhileWriting(run, 'interrupted-export.ndjson', 'SIGINT');
    expect(await run.finished).toMatchObject({ code: null, signal: 'SIGINT', stdout: '' });
    expect(partialFilesOf('interrupted-export.ndjson')).toEqual([]);
    expect(existsSync(join(dir, 'interrupted-export.ndjson'))).toBe(false);
  }, 60_000);

  it('removes the file it was exporting to when its terminal closes (SIGHUP)', async () => {
    const run = startBin(['export', '--source', 'file:big.ndjson', '--out', 'hung-up-export.ndjson'], { cwd: dir });
    await interruptWhileWriting(run, 'hung-up-export.ndjson', 'SIGHUP');
    expect(await run.finished).toMatchObject({ code: null, signal: 'SIGHUP', stdout: '' });
    expect(partialFilesOf('hung-up-export.ndjson')).toEqual([]);
    expect(existsSync(join(dir, 'hung-up-export.ndjson'))).toBe(false);
  }, 60_000);

  it('removes the file it was importing into when SIGTERM stops it', async () => {
    const run = startBin(['import', 'big.ndjson', '--to', 'file:interrupted-import.ndjson'], { cwd: dir });
    await interruptWhileWriting(run, 'interrupted-import.ndjson', 'SIGTERM');
    expect(await run.finished).toMatchObject({ code: null, signal: 'SIGTERM', stdout: '' });
    expect(partialFilesOf('interrupted-import.ndjson')).toEqual([]);
    expect(existsSync(join(dir, 'interrupted-import.ndjson'))).toBe(false);
  }, 60_000);
});
