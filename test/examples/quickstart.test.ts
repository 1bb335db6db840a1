import * as E from 'fp-ts/Either';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyStore } from '../../src/engine/audit/verify';
import { importLines } from '../audit/ndjson-lines';
import { runExample } from './run-example';

describe('npm run demo (examples/quickstart.ts)', () => {
  let run: Awaited<ReturnType<typeof runExample>>;

  beforeAll(async () => {
    run = await runExample('examples/quickstart.ts');
  });

  it('exits cleanly with nothing on stderr', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it("prints the order's timeline in stream order, with who caused each event", () => {
    const rows = run.stdout
      .split('\n')
      .filter((line) => /^\s*\d+\s+\d{4}-\d{2}-\d{2} /.test(line))
      .map((line) => line.trim().split(/\s{2,}/));
    expect(rows.map(([revision, , type, actor]) => [revision, type, actor])).toEqual([
      ['0', 'OrderPlaced', 'process-manager'],
      ['1', 'OrderPaid', 'process-manager'],
      ['2', 'OrderShipped', 'warehouse'],
      ['3', 'OrderTrackingUpdated', 'carrier-feed'],
      ['4', 'OrderTrackingUpdated', 'carrier-feed'],
      ['5', 'OrderDelivered', 'carrier-feed'],
      ['6', 'OrderCompleted', 'system'],
      ['7', 'OrderReviewed', 'alice'],
      ['8', 'AfterSalesRequested', 'alice'],
      ['9', 'AfterSalesApproved', 'service-desk'],
      ['10', 'OrderRefunded', 'process-manager'],
    ]);
    expect(run.stdout).toContain('Timeline of order-20261125-0001');
    expect(run.stdout).toMatch(/2\s+2026-11-25 09:10:00\s+OrderShipped\s+warehouse\s+cmd-10/);
  });

  it('prints the final state: completed and reviewed, paid in full, the chipped cup refunded', () => {
    const finalState = run.stdout.slice(run.stdout.indexOf('Final state'));
    const field = (name: string): string | undefined => new RegExp(`^  ${name}\\s+(.+)$`, 'm').exec(finalState)?.[1];
    expect(field('status')).toBe('completed, reviewed');
    expect(field('lines')).toBe('3 × Oolong tea 250 g; 1 × Celadon cup');
    expect(field('total due')).toBe('224.00 CNY');
    expect(field('paid')).toBe('224.00 CNY');
    expect(field('refunded')).toBe('40.48 CNY');
    expect(field('shipment')).toBe('SF-Express SF1234567890');
    expect(field('after-sales')).toBe('as-1 refund refunded');
    expect(field('still in cart')).toBe('Cast-iron kettle');
  });

  it('writes every event with --export, for the README\'s audit session: 25 events whose chains verify', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ordersource-demo-'));
    try {
      const file = join(directory, 'events.ndjson');
      const exported = await runExample('examples/quickstart.ts', ['--export', file]);
      expect(exported).toMatchObject({ code: 0, stderr: '' });
      expect(exported.stdout).toContain(`25 events written to ${file}`);
      const store = await importLines(readFileSync(file, 'utf8').trimEnd().split('\n'));
      expect(await verifyStore(store)).toEqual(E.right(expect.objectContaining({ ok: true, eventCount: 25 })));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
