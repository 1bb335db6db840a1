/**
 * `npm run bench` (full) and `npm run bench:smoke` (also `ordersource bench` in a checkout): runs every job
 * of the plan, or the part `--workload` and `--configuration` select, in fresh child processes, `runs`
 * times each, shows a progress bar while it runs, then prints the table and writes the JSON, the SVG chart
 * and (a whole full run) the committed report. Exits non-zero if any run failed, e.g. a command was refused.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import { figuresOf } from './figures';
import { chartPanels, BenchReport, Environment, projectionApplyStatus, renderMarkdownReport, renderTextReport, SkippedConfiguration, skippedLines } from './output/report';
import { renderSvgChart } from './output/svg-chart';
import { configurations, StoreConfiguration } from './configurations';
import { WORKLOADS, type ChildMessage, type JobResult, type JobSpec, type Workload } from './jobs';
import { BenchPlan, benchPlan, type PlanFilter } from './plan';
import { postgresUnreachable } from './postgres/bench-postgres';
import { checkTargets } from './targets';
import { POSTGRES_READ_MODELS } from './workloads/projection-apply';

const MIN_FULL_RUNS = 3;
/** Source directory of the bench (this file is compiled to bench/build/bench/main.js). */
const BENCH_DIR = path.resolve(__dirname, '..', '..');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const REPORT_DIR = path.join(BENCH_DIR, 'report');
/** --expose-gc lets a run start its clock on a collected heap; the largest W1 store wants more than the default heap. */
const CHILD_NODE_OPTIONS = ['--expose-gc', '--max-old-space-size=8192'];

const describeJob = (spec: JobSpec): string =>
  `${spec.workload} ${spec.configuration} ${spec.subject === 'baseline' ? 'baseline' : 'engine'} ×${spec.scale.toLocaleString('en-US')}`;

/** The job child running now, if any: a signal to the harness is passed on to it. */
let runningChild: ChildProcess | undefined;

/**
 * A signal to the harness alone (a supervisor's `kill`) would leave its job child running on, orphaned: the
 * child gets the signal too, drops what it made on shared servers and ends; then so does the harness.
 */
const interruptChildrenOnSignals = (): void => {
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // Listeners stay on: Ctrl-C under `ordersource bench` reaches the harness twice (from the terminal, and
    // passed on by the CLI), and a second signal with none would end it before its job had undone its work.
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      const child = runningChild;
      const end = (): void => {
        process.removeAllListeners(signal);
        process.kill(process.pid, signal);
      };
      if (child === undefined || child.exitCode !== null) end();
      else child.once('exit', end).kill(signal);
    });
  }
};

/** Runs one job in a fresh node process and resolves with what it measured, or rejects with why it failed. */
const runInChild = (spec: JobSpec, onProgress: (fraction: number) => void): Promise<JobResult> =>
  new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'child.js'), [JSON.stringify(spec)], { execArgv: CHILD_NODE_OPTIONS, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    runningChild = child;
    let outcome: { result: JobResult } | { failure: string } | undefined;
    child.on('message', (raw) => {
      // Sent by child.ts, which only ever sends ChildMessage values.
      const message = raw as ChildMessage;
      if (message.kind === 'progress') onProgress(message.total === 0 ? 0 : message.done / message.total);
      else if (message.kind === 'result') outcome = { result: message.result };
      else outcome = { failure: message.message };
    });
    child.on('error', (error) => reject(error));
    child.on('exit', (code, signal) => {
      if (outcome !== undefined && 'result' in outcome && code === 0) resolve(outcome.result);
      else if (outcome !== undefined && 'failure' in outcome) reject(new Error(`${describeJob(spec)}: ${outcome.failure}`));
      else reject(new Error(`${describeJob(spec)}: the child process ended (${signal ?? `exit code ${String(code)}`}) without a result`));
    });
  });

const gitCommit = (): string | null => {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: BENCH_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: BENCH_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return dirty ? `${commit}-dirty` : commit;
  } catch {
    return null;
  }
};

const environment = (loadAtStart: number): Environment => ({
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
  cpus: os.cpus().length,
  memoryGiB: os.totalmem() / 2 ** 30,
  commit: gitCommit(),
  loadAverage: { atStart: loadAtStart, atEnd: os.loadavg()[0] ?? 0 },
});

const parseRuns = (value: string): number => {
  const runs = Number(value);
  if (!Number.isInteger(runs) || runs < MIN_FULL_RUNS) throw new InvalidArgumentError(`a full run takes the median of at least ${MIN_FULL_RUNS} runs`);
  return runs;
};

/** A comma-separated list of names, each one of `known`; repeating the option adds to the list. */
const namesFrom =
  <Name extends string>(what: string, known: readonly Name[]) =>
  (value: string, previous: readonly Name[] | undefined): readonly Name[] => {
    const names = value.split(',').map((name) => name.trim());
    const unknown = names.filter((name) => !(known as readonly string[]).includes(name));
    if (unknown.length > 0) throw new InvalidArgumentError(`no ${what} is named ${unknown.join(', ')}; there are ${known.join(', ')}`);
    return [...(previous ?? []), ...(names as Name[])];
  };

/** What produced a report, as a reader would run it again. */
const commandLine = (smoke: boolean, args: readonly string[]): string => {
  const rest = args.filter((arg) => arg !== '--smoke');
  return `npm run ${smoke ? 'bench:smoke' : 'bench'}${rest.length === 0 ? '' : ` -- ${rest.join(' ')}`}`;
};

interface BenchOptions {
  readonly smoke: boolean;
  readonly runs: number;
  readonly workload?: readonly Workload[];
  readonly configuration?: readonly string[];
  readonly out?: string;
}

/**
 * The configurations whose server cannot be reached, with why. Outside CI their rows are skipped and the
 * report says so; under `CI=true` (as `.ci/run` sets) the run fails instead, as the PostgreSQL test suites
 * do, so that a CI run never passes without the rows it is meant to check.
 */
const unavailableConfigurations = async (plan: BenchPlan): Promise<SkippedConfiguration[]> => {
  const planned = configurations.filter((c) => plan.jobs.some((job) => job.configuration === c.name));
  const reasons = new Map<NonNullable<StoreConfiguration['unavailable']>, Promise<string | undefined>>();
  const skipped: SkippedConfiguration[] = [];
  for (const configuration of planned) {
    const { unavailable } = configuration;
    if (unavailable === undefined) continue;
    // Configurations of one server share their check, so it is asked once.
    let reason = reasons.get(unavailable);
    if (reason === undefined) {
      reason = unavailable();
      reasons.set(unavailable, reason);
    }
    const why = await reason;
    if (why !== undefined) skipped.push({ configuration: configuration.name, label: configuration.label, writers: configuration.writers, reason: why });
  }
  // The PostgreSQL read models' row runs on the in-memory configuration but needs the PostgreSQL server.
  if (plan.jobs.some((job) => job.projection === POSTGRES_READ_MODELS)) {
    const why = await postgresUnreachable();
    if (why !== undefined) skipped.push({ configuration: 'memory', projection: POSTGRES_READ_MODELS, label: `projection apply on ${POSTGRES_READ_MODELS}`, writers: 1, reason: why });
  }
  if (skipped.length > 0 && process.env['CI'] === 'true') {
    throw new Error(`${skippedLines(skipped).join('\n')}\nCI=true requires every configuration`);
  }
  return skipped;
};

const main = async (): Promise<void> => {
  const configurationNames = configurations.map((c) => c.name);
  const options = new Command()
    .name('bench')
    .description('Measures the engine on the reference workloads (bench/bench-workload.md) beside their baselines.')
    .option('--smoke', 'tiny scales, one run each: checks that every path still runs end to end', false)
    .option('--runs <count>', `fresh-process runs per figure in a full run (at least ${MIN_FULL_RUNS})`, parseRuns, MIN_FULL_RUNS)
    .option('--workload <names>', `only these workloads, comma-separated: ${WORKLOADS.join(', ')}`, namesFrom('workload', WORKLOADS))
    .option('--configuration <names>', `only on these stores, comma-separated: ${configurationNames.join(', ')}`, namesFrom('configuration', configurationNames))
    .option('--out <dir>', `write the JSON and the chart (and a full run's report) here instead of bench/results (and bench/report)`)
    .parse()
    .opts<BenchOptions>();
  const filter: PlanFilter = { ...(options.workload === undefined ? {} : { workloads: options.workload }), ...(options.configuration === undefined ? {} : { configurations: options.configuration }) };
  if (options.smoke && process.argv.slice(2).some((arg) => arg === '--runs' || arg.startsWith('--runs='))) {
    throw new Error('--runs is for full runs: a smoke run runs each job once');
  }
  const planned = options.smoke ? benchPlan('smoke', 1, filter) : benchPlan('full', options.runs, filter);
  if (planned.jobs.length === 0) throw new Error('no job matches --workload and --configuration together (a store measures only some workloads: see bench/README.md)');
  const skipped = await unavailableConfigurations(planned);
  const isSkipped = (job: JobSpec): boolean => skipped.some((s) => s.configuration === job.configuration && (s.projection === undefined || s.projection === job.projection));
  const plan: BenchPlan = { ...planned, jobs: planned.jobs.filter((job) => !isSkipped(job)) };
  // Nothing measured would still overwrite the last results with empty ones.
  if (plan.jobs.length === 0) throw new Error(`nothing left to run:\n${skippedLines(skipped).join('\n')}`);
  const command = commandLine(options.smoke, process.argv.slice(2));
  const resultsDir = options.out === undefined ? RESULTS_DIR : path.resolve(options.out);
  // The committed report is the whole plan's: a part of it goes to --out, or nowhere.
  const partial = options.workload !== undefined || options.configuration !== undefined;
  const reportDir = options.out === undefined ? (partial ? undefined : REPORT_DIR) : resultsDir;
  // Before the first job, not after the last: a run's figures must not be lost to a directory that cannot be made.
  mkdirSync(resultsDir, { recursive: true });
  accessSync(resultsDir, constants.W_OK);
  interruptChildrenOnSignals();

  const loadAtStart = os.loadavg()[0] ?? 0;
  const results = new Map<JobSpec, JobResult[]>(plan.jobs.map((job) => [job, []]));
  const total = plan.runs * plan.jobs.length;
  const bar = new SingleBar({ format: '{bar} {percentage}% | run {completed}/{runs} | {job}', hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  bar.start(total * 100, 0, { completed: 0, runs: total, job: '' });
  let completed = 0;
  try {
    // Run-major: every job once, then every job again, so that drift on the machine spreads over all figures.
    for (let run = 1; run <= plan.runs; run += 1) {
      for (const job of plan.jobs) {
        const label = `${describeJob(job)} (run ${run}/${plan.runs})`;
        bar.update(completed * 100, { completed, job: label });
        const result = await runInChild(job, (fraction) => bar.update(completed * 100 + Math.min(99, Math.floor(fraction * 100)), { job: label }));
        results.get(job)?.push(result);
        completed += 1;
      }
    }
  } finally {
    bar.update(completed * 100, { completed });
    bar.stop();
  }

  const figures = figuresOf(plan.jobs, results);
  const measuredOn = environment(loadAtStart);
  const report: BenchReport = {
    generatedAt: new Date().toISOString(),
    command,
    kind: plan.kind,
    runsPerFigure: plan.runs,
    environment: measuredOn,
    figures,
    targets: plan.kind === 'full' ? checkTargets(figures, measuredOn.cpus) : [],
    projectionApply: projectionApplyStatus(figures),
    skipped,
  };
  const name = plan.kind === 'full' ? 'latest' : 'smoke';
  const chart = renderSvgChart(
    `ordersource throughput (${plan.kind} run)`,
    `${report.environment.cpus} × ${report.environment.cpuModel}, node ${report.environment.node}, commit ${report.environment.commit ?? 'unknown'}; grey: baseline`,
    chartPanels(figures),
  );
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(resultsDir, `${name}-throughput.svg`), chart);
  const written = [path.join(resultsDir, `${name}.json`), path.join(resultsDir, `${name}-throughput.svg`)];
  if (plan.kind === 'full' && reportDir !== undefined) {
    mkdirSync(reportDir, { recursive: true });
    writeFileSync(path.join(reportDir, 'throughput.svg'), chart);
    writeFileSync(path.join(reportDir, 'latest.md'), renderMarkdownReport(report, 'throughput.svg'));
    written.push(path.join(reportDir, 'latest.md'), path.join(reportDir, 'throughput.svg'));
  }
  process.stdout.write(`${renderTextReport(report)}\n\nWritten: ${written.map((file) => path.relative(process.cwd(), file)).join(', ')}\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`\nbench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
