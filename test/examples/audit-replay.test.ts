import * as E from 'fp-ts/Either';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALICE_ORDER_ID, runAliceJourney } from '../../examples/alice-journey';
import { main } from '../../examples/audit-replay';
import { createEngine, exportNdjson, manualClock, MemoryEventStore, sequentialIds } from '../../src';
import { runExample } from './run-example';

const lineStartingWith = (output: string, prefix: string): string | undefined => output.split('\n').find((line) => line.startsWith(prefix));

/** Runs the example's main in this process and collects what it prints. */
const audit = async (args: readonly string[]): Promise<{ outcome: E.Either<string, boolean>; output: string }> => {
  const lines: string[] = [];
  const outcome = await main(args, (line) => lines.push(line));
  return { outcome, output: lines.join('\n') };
};

describe('npm run example:audit (examples/audit-replay.ts)', () => {
  describe("on Alice's journey", () => {
    let run: Awaited<ReturnType<typeof runExample>>;

    beforeAll(async () => {
      run = await runExample('examples/audit-replay.ts');
    });

    it('exits cleanly', () => {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
    });

    it("prints the order's timeline with a summary of each event", () => {
      expect(run.stdout).toContain(`Timeline of order-${ALICE_ORDER_ID}`);
      expect(run.stdout).toMatch(/ 2 {2}2026-11-25 09:10:00 {2}OrderShipped +warehouse +shipped with SF-Express, tracking SF1234567890/);
      expect(run.stdout).toMatch(/10 {2}2026-11-25 09:17:00 {2}OrderRefunded +process-manager +refunded 40\.48 CNY \(as-1\)/);
    });

    it('prints the state when it shipped, before the refund, and the state now', () => {
      expect(lineStartingWith(run.stdout, 'State at revision')).toBe(
        'State at revision 2 (recorded 2026-11-25 09:10:00): status shipped, total 224.00 CNY, paid 224.00 CNY, refunded 0.00 CNY',
      );
      expect(lineStartingWith(run.stdout, 'State now')).toBe('State now, at revision 10: status completed, total 224.00 CNY, paid 224.00 CNY, refunded 40.48 CNY');
    });

    it('finds the hash chains intact and the rebuilt read model equal to the live one', () => {
      expect(lineStartingWith(run.stdout, 'Hash chains:')).toBe('Hash chains: intact (25 events in 5 streams)');
      expect(run.stdout).toContain('Rebuilt order-history v3 from the first event beside the live v2; readers now use v3');
      expect(lineStartingWith(run.stdout, 'Compared')).toMatch(/^Compared [1-9]\d* documents: all equal$/);
    });
  });

  describe('on an NDJSON export', () => {
    let directory: string;
    let exported: string;

    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'audit-replay-'));
      exported = join(directory, 'events.ndjson');
      const store = new MemoryEventStore();
      const clock = manualClock(Date.parse('2026-11-25T09:00:00Z'));
      const engine = createEngine({ eventStore: store, clock: clock.now, newId: sequentialIds() });
      await runAliceJourney(engine, clock);
      await engine.close();
      const chunks: string[] = [];
      const written = await exportNdjson(store, async (chunk) => {
        chunks.push(chunk);
      });
      expect(E.isRight(written)).toBe(true);
      await writeFile(exported, chunks.join(''));
    });
    afterAll(() => rm(directory, { recursive: true, force: true }));

    it('audits the events it loads from the file', async () => {
      const { outcome, output } = await audit([exported, ALICE_ORDER_ID]);
      expect(outcome).toEqual(E.right(true));
      expect(output).toContain(`Loaded 25 events from ${exported}`);
      expect(lineStartingWith(output, 'Hash chains:')).toBe('Hash chains: intact (25 events in 5 streams)');
      expect(lineStartingWith(output, 'Compared')).toMatch(/documents: all equal$/);
    });

    it('reports a broken chain, and fails, when an event was altered in the file', async () => {
      const lines = (await readFile(exported, 'utf8')).split('\n');
      const shipped = lines.findIndex((line) => line.includes('"type":"OrderShipped"'));
      expect(shipped).toBeGreaterThanOrEqual(0);
      lines[shipped] = (lines[shipped] ?? '').replace('SF1234567890', 'SF0000000000');
      const tampered = join(directory, 'tampered.ndjson');
      await writeFile(tampered, lines.join('\n'));
      const { outcome, output } = await audit([tampered]);
      expect(outcome).toEqual(E.right(false));
      expect(lineStartingWith(output, 'Hash chains:')).toBe('Hash chains: BROKEN (25 events in 5 streams)');
      expect(output).toContain(`  order-${ALICE_ORDER_ID}: `);
    });

    it('says why when the file cannot be read', async () => {
      const { outcome } = await audit([join(directory, 'missing.ndjson')]);
      expect(E.isLeft(outcome) && outcome.left).toMatch(/^cannot load .*missing\.ndjson/);
    });
  });
});
