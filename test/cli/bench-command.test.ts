import * as E from 'fp-ts/Either';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { defaultEventSources } from '../../src/cli/event-sources';
import { benchCommand } from '../../src/cli/commands/bench-command';
import { defaultImportTargets } from '../../src/cli/import-targets';
import { noProjections } from '../../src/cli/projection-registry';
import { defaultReadModels } from '../../src/cli/read-models';
import { BinRun, runBin } from './cli-fixtures';

/**
 * `ordersource bench` through the real executable, on a part of the smoke plan small enough for a test (the
 * harness itself is checked end to end by `npm run bench:smoke`), and the answer of a package without the
 * bench sources.
 */
describe('ordersource bench', () => {
  const out = mkdtempSync(join(tmpdir(), 'ordersource-bench-'));
  let smokeW1: BinRun;
  let unknownWorkload: BinRun;

  beforeAll(async () => {
    // The first run compiles the harness; the second then finds it built.
    smokeW1 = await runBin(['bench', '--smoke', '--workload', 'w1', '--workload', 'replay', '--configuration', 'memory', '--out', 'results'], { cwd: out });
    unknownWorkload = await runBin(['bench', '--smoke', '--workload', 'w1,w9'], { cwd: out });
  }, 600_000);

  it('runs only the selected workloads (the option repeated) on the selected store, prints the table and writes the results under --out', () => {
    expect(smokeW1.code).toBe(0);
    const rows = smokeW1.stdout.split('\n').filter((line) => line.startsWith('W1 cart churn'));
    expect(rows).toEqual([expect.stringMatching(/^W1 cart churn\s+200 carts\s+1\s+in-memory\s/), expect.stringMatching(/^W1 cart churn\s+200 carts\s+1\s+plain Map\s/)]);
    expect(smokeW1.stdout).toMatch(/^Replay \(W1 store\)\s+200 carts/m);
    expect(smokeW1.stdout).not.toMatch(/W2|EventStoreDB/);
    expect(readdirSync(join(out, 'results')).sort()).toEqual(['smoke-throughput.svg', 'smoke.json']);
    const report = JSON.parse(readFileSync(join(out, 'results', 'smoke.json'), 'utf8')) as {
      command: string;
      figures: { spec: { workload: string; configuration: string; subject: string }; baselineRatio: number | null }[];
    };
    expect(report.command).toBe('npm run bench:smoke -- --workload w1,replay --configuration memory --out results');
    expect(report.figures.map((f) => `${f.spec.workload} ${f.spec.configuration} ${f.spec.subject}`).sort()).toEqual([
      'replay memory baseline',
      'replay memory engine',
      'w1 memory baseline',
      'w1 memory engine',
    ]);
    expect(report.figures[0]?.baselineRatio).toBeGreaterThan(0);
  });

  it('refuses a workload it does not know, naming the ones it has, and exits 1', () => {
    expect(unknownWorkload.code).toBe(1);
    expect(unknownWorkload.stdout).toBe('');
    expect(unknownWorkload.stderr).toMatch(/no workload is named w9; there are w1, w2, w2-hot, replay, projection-apply/);
    expect(unknownWorkload.stderr).toMatch(/\nordersource: the bench exited with code 1: see its output above\n$/);
  });

  it('says where to run it when the package holds no bench, as an installed one does, and exits 1', async () => {
    const installed = mkdtempSync(join(tmpdir(), 'ordersource-installed-'));
    const silent = new PassThrough();
    const context = {
      stdout: silent,
      stderr: silent,
      env: {},
      cwd: installed,
      sources: defaultEventSources,
      targets: defaultImportTargets,
      projections: noProjections,
      readModels: defaultReadModels,
    };
    for (const checkout of [installed, undefined]) {
      const result = await benchCommand(context, { smoke: true }, checkout);
      expect(result).toEqual(E.left(expect.objectContaining({ code: 'BENCH_NOT_AVAILABLE', exitCode: 1 })));
      expect(E.isLeft(result) && result.left.message).toMatch(/clone of the ordersource repository.*npm run bench/);
    }
  });
});
