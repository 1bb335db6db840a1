import { configurations } from '../configurations';
import { baselineOf, type Figure } from '../figures';
import type { JobSpec } from '../jobs';
import { FULL_MINIMUM_SECONDS } from '../plan';
import type { TargetCheck } from '../targets';
import { projectionApplyRunners } from '../workloads/projection-apply';
import { spreadOf } from '../measure/statistics';
import { GUARANTEES } from '../workloads/guarantee-costs';
import { W1_STEPS } from '../workloads/w1-cart-churn';
import { formatInteger, formatPercent, formatRatio, formatShort } from './format';
import type { ChartBar, ChartGroup, ChartPanel } from './svg-chart';
import { renderMarkdown, renderText, Table } from './table';

export interface Environment {
  readonly node: string;
  readonly platform: string;
  readonly cpuModel: string;
  readonly cpus: number;
  readonly memoryGiB: number;
  /** The 1-minute load average when the run began and when it ended: above the CPU count, wall-clock figures include waiting for a core. */
  readonly loadAverage: { readonly atStart: number; readonly atEnd: number };
  /** The commit measured, with `-dirty` when the work tree had changes; null outside a git checkout. */
  readonly commit: string | null;
}

/** A configuration the run left out, and why (its server could not be reached). */
export interface SkippedConfiguration {
  readonly configuration: string;
  /** Set when only the configuration's job of this projection runner is skipped (its read models' server is down). */
  readonly projection?: string;
  readonly label: string;
  readonly writers: number;
  readonly reason: string;
}

/** Everything a bench run produced: what latest.json holds. */
export interface BenchReport {
  readonly generatedAt: string;
  readonly command: string;
  readonly kind: 'full' | 'smoke';
  readonly runsPerFigure: number;
  readonly environment: Environment;
  readonly figures: readonly Figure[];
  readonly targets: readonly TargetCheck[];
  readonly projectionApply: { readonly status: 'measured' | 'not-measured'; readonly note: string };
  readonly skipped: readonly SkippedConfiguration[];
}

/** The projection runners that have figures in this run: a filtered or skipped one is not claimed as measured. */
export const projectionApplyStatus = (figures: readonly Figure[]): BenchReport['projectionApply'] => {
  const measured = projectionApplyRunners.filter((runner) => figures.some((figure) => figure.spec.workload === 'projection-apply' && figure.spec.projection === runner.name));
  return measured.length === 0
    ? { status: 'not-measured', note: 'not measured in this run' }
    : { status: 'measured', note: `runners: ${measured.map((runner) => runner.name).join(', ')}` };
};

const workloadTitle = (spec: JobSpec): string => {
  switch (spec.workload) {
    case 'w1':
      return 'W1 cart churn';
    case 'w2':
      return 'W2 order lifecycle';
    case 'w2-hot':
      return 'W2 hot streams';
    case 'replay':
      return 'Replay (W1 store)';
    case 'projection-apply':
      return `Projection apply, 3 together (${spec.projection ?? ''})`;
    case 'guarantees':
      return 'Guarantees, each alone';
  }
};

const scaleText = (spec: JobSpec): string => {
  if (spec.workload === 'w2' || spec.workload === 'w2-hot') return `${formatInteger(spec.scale)} orders`;
  if (spec.workload === 'w1') return `${formatInteger(spec.scale)} carts`;
  if (spec.workload === 'projection-apply') return `W2 store, ${formatInteger(spec.scale)} orders`;
  return `${formatInteger(spec.scale)} carts, ${formatInteger(spec.scale * (W1_STEPS.length + 1))} events`;
};

const unitText = (figure: Figure): string => (figure.unit === 'events' ? 'events/s' : 'cmd/s');

/** Throughput figures: every figure but the guarantees' costs, which have a table of their own. */
const throughputFigures = (figures: readonly Figure[]): Figure[] => figures.filter((f) => f.spec.workload !== 'guarantees');

/**
 * Each guarantee's cost, measured alone, per W1 command and as a share of an in-memory W1 command at the same
 * scale (per CPU-second, since the guarantees are timed in CPU time), so a missed target says what it pays for.
 */
export const guaranteeTable = (figures: readonly Figure[]): Table | null => {
  const costs = figures.find((f) => f.spec.workload === 'guarantees');
  if (costs === undefined) return null;
  const w1 = figures.find((f) => f.spec.subject === 'engine' && f.spec.workload === 'w1' && f.spec.configuration === costs.spec.configuration && f.spec.scale === costs.spec.scale);
  const commandNanoseconds = w1 === undefined ? null : 1e9 / w1.perCpuSecond.median;
  const medianOf = (key: string): number => spreadOf(costs.runs.map((run) => run.details[key] ?? 0)).median;
  return {
    headers: ['guarantee', 'ns per W1 command', `share of a W1 command (${formatInteger(costs.spec.scale)} carts)`],
    align: ['left', 'right', 'right'],
    rows: [
      ...GUARANTEES.map(({ key, label }) => [label, formatInteger(medianOf(key)), commandNanoseconds === null ? '—' : formatPercent(medianOf(key) / commandNanoseconds)]),
      ['a whole W1 command through the engine (CPU time)', commandNanoseconds === null ? '—' : formatInteger(commandNanoseconds), commandNanoseconds === null ? '—' : '100%'],
    ],
  };
};

const guaranteeLines = (figures: readonly Figure[], render: (table: Table) => string): string[] => {
  const table = guaranteeTable(figures);
  if (table === null) return [];
  return [
    'What each guarantee costs, measured alone on the W1 run’s own commands and events (CPU time, best of 3 passes); stored-event decoding is paid per event when a stream is not cached and on replay:',
    render(table),
    '',
  ];
};

const HEADERS = ['workload', 'scale', 'writers', 'measured on', 'median', 'min – max', 'vs baseline', 'per CPU-s', 'vs baseline', 'machine CPU µs/op', 'p50 µs', 'p95 µs', 'p99 µs', 'peak RSS MiB', 'conflict retries'];

/** One row per skipped configuration where its figures would have been; `skippedLines` say why. */
const skippedRows = (skipped: readonly SkippedConfiguration[]): string[][] =>
  skipped.map((s) => ['all', '—', String(s.writers), s.label, 'skipped (below)', ...HEADERS.slice(5).map(() => '')]);

/** Why configurations were skipped, one line per reason. */
export const skippedLines = (skipped: readonly SkippedConfiguration[]): string[] => {
  const byReason = new Map<string, string[]>();
  for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.label]);
  return [...byReason].map(([reason, labels]) => `Skipped (${labels.join('; ')}): ${reason}`);
};

export const figureTable = (figures: readonly Figure[], skipped: readonly SkippedConfiguration[] = []): Table => ({
  headers: HEADERS,
  align: ['left', 'left', 'right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  rows: throughputFigures(figures).map((f) => [
    workloadTitle(f.spec),
    scaleText(f.spec),
    String(f.spec.writers),
    f.label,
    `${formatInteger(f.perSecond.median)} ${unitText(f)}`,
    `${formatInteger(f.perSecond.min)} – ${formatInteger(f.perSecond.max)}`,
    f.baselineRatio === null ? (f.spec.subject === 'baseline' ? 'baseline' : '—') : formatRatio(f.baselineRatio),
    formatInteger(f.perCpuSecond.median),
    f.cpuBaselineRatio === null ? (f.spec.subject === 'baseline' ? 'baseline' : '—') : formatRatio(f.cpuBaselineRatio),
    f.machineCpuMicros === null ? '—' : formatShort(f.machineCpuMicros.median),
    f.latencyMicros === null ? '—' : formatShort(f.latencyMicros.p50),
    f.latencyMicros === null ? '—' : formatShort(f.latencyMicros.p95),
    f.latencyMicros === null ? '—' : formatShort(f.latencyMicros.p99),
    formatInteger(f.peakRssMiB),
    f.conflictRetries === null ? '—' : `${formatInteger(f.conflictRetries.median)} (${formatPercent(f.conflictRetryRate ?? 0)})`,
  ]).concat(skippedRows(skipped)),
});

/** W1 throughput at each scale against the 10,000-cart figure, per configuration: it should stay flat. */
const scalingLines = (figures: readonly Figure[]): string[] =>
  configurations.flatMap((configuration) => {
    const w1 = figures.filter((f) => f.spec.subject === 'engine' && f.spec.workload === 'w1' && f.spec.configuration === configuration.name);
    const reference = w1.find((f) => f.spec.scale === 10_000);
    if (reference === undefined || w1.length < 2) return [];
    const others = w1.filter((f) => f !== reference).map((f) => `${formatInteger(f.spec.scale)} carts ${formatRatio(f.perSecond.median / reference.perSecond.median)}`);
    return [`W1 scaling on ${configuration.label}, median against 10,000 carts: ${others.join(' · ')}`];
  });

/** The notes of the configurations measured, e.g. that a server store's figures are client-side only. */
const configurationNotes = (figures: readonly Figure[]): string[] =>
  configurations.flatMap((configuration) =>
    configuration.note !== undefined && figures.some((f) => f.spec.configuration === configuration.name) ? [`${configuration.label}: ${configuration.note}`, ''] : [],
  );

const targetLines = (report: BenchReport): string[] => {
  if (report.kind === 'smoke') return ['Targets are judged on full runs only (npm run bench).'];
  if (report.targets.length === 0) return ['Targets: this run measured none of the figures they are set on.'];
  return [
    'Targets (2-core machine, ratios measured in the same run):',
    ...report.targets.map((t) => `  ${t.met ? 'met   ' : 'MISSED'}  ${t.target}: ${t.measured}${roundsText(t)}`),
  ];
};

/** Each round's own figure and in how many rounds the target held, where the run had more than one round. */
const roundsText = (check: TargetCheck): string => {
  if (check.rounds.length < 2) return '';
  const met = check.rounds.filter((round) => round.met).length;
  return `; round by round: ${check.rounds.map((round) => round.measured).join(', ')}, met in ${met} of ${check.rounds.length}`;
};

const environmentLine = (report: BenchReport): string => {
  const e = report.environment;
  return (
    `node ${e.node} · ${e.platform} · ${e.cpus} × ${e.cpuModel} · ${e.memoryGiB.toFixed(1)} GiB · commit ${e.commit ?? 'unknown'} · ` +
    `load average ${e.loadAverage.atStart.toFixed(1)} at the start, ${e.loadAverage.atEnd.toFixed(1)} at the end`
  );
};

/** What the machine CPU column means, with the ceiling it sets on this machine. */
const machineCpuLine = (report: BenchReport): string =>
  `machine CPU µs/op: CPU time of every process on the machine per operation over the timed part, a local PostgreSQL server's included. ` +
  `At that cost the machine's ${report.environment.cpus} cores cannot do more than ${report.environment.cpus} × 1,000,000 / it operations a second, however well client and server overlap.`;

const headline = (report: BenchReport): string => {
  const pass = report.kind === 'full' ? `its second pass (warm), which repeats the workload until it has run ${FULL_MINIMUM_SECONDS} s` : 'its second pass (warm)';
  return `ordersource bench (${report.kind} run): ${report.runsPerFigure} fresh-process run(s) per figure, each timed on ${pass}, median with min – max`;
};

export const renderTextReport = (report: BenchReport): string =>
  [
    headline(report),
    environmentLine(report),
    '',
    renderText(figureTable(report.figures, report.skipped)),
    '',
    machineCpuLine(report),
    '',
    ...configurationNotes(report.figures),
    ...guaranteeLines(report.figures, renderText),
    ...skippedLines(report.skipped),
    ...scalingLines(report.figures),
    `Projection apply: ${report.projectionApply.note}`,
    '',
    ...targetLines(report),
  ].join('\n');

export const renderMarkdownReport = (report: BenchReport, chartFile: string): string =>
  [
    '# Latest full bench run',
    '',
    `Produced by \`${report.command}\` on ${report.generatedAt}. ${headline(report)}.`,
    '',
    `Machine: ${environmentLine(report)}.`,
    '',
    renderMarkdown(figureTable(report.figures, report.skipped)),
    '',
    machineCpuLine(report),
    '',
    ...configurationNotes(report.figures),
    ...guaranteeLines(report.figures, renderMarkdown),
    ...skippedLines(report.skipped).map((line) => `${line}.`),
    ...scalingLines(report.figures).map((line) => `${line}.`),
    '',
    `Projection apply: ${report.projectionApply.note}.`,
    '',
    ...targetLines(report).map((line) => (line.startsWith('  ') ? `- ${line.trim()}` : line)),
    '',
    `![Throughput per configuration and scale, beside its baseline](${chartFile})`,
    '',
    'How each figure is measured: [bench/README.md](../README.md).',
    '',
  ].join('\n');

/**
 * One chart group per measurement (workload and scale), each engine bar followed by its own baseline: a
 * group may hold several configurations, each with a baseline of its own kind and concurrency.
 */
export const chartPanels = (figures: readonly Figure[]): ChartPanel[] => {
  const barOf = (f: Figure): ChartBar => {
    const baseline = f.spec.subject === 'baseline';
    return {
      label: baseline && f.spec.writers > 1 ? `${f.label}, ${f.spec.writers} writers` : f.label,
      value: f.perSecond.median,
      baseline,
      note: f.baselineRatio === null ? '' : `${formatRatio(f.baselineRatio)} baseline`,
      colourIndex: Math.max(0, configurations.findIndex((c) => c.name === f.spec.configuration)),
    };
  };
  const pairedBars = (group: readonly Figure[]): ChartBar[] => {
    const engines = group.filter((f) => f.spec.subject !== 'baseline');
    const paired = engines.flatMap((engine) => {
      const baseline = baselineOf(group, engine);
      return baseline === undefined ? [engine] : [engine, baseline];
    });
    const unpaired = group.filter((f) => !paired.includes(f));
    return [...paired, ...unpaired].map(barOf);
  };
  const groupsOf = (unit: Figure['unit']): ChartGroup[] => {
    const groups: { key: string; title: string; figures: Figure[] }[] = [];
    for (const figure of throughputFigures(figures).filter((f) => f.unit === unit)) {
      const key = `${figure.spec.workload}|${figure.spec.scale}|${figure.spec.projection ?? ''}`;
      let group = groups.find((g) => g.key === key);
      if (group === undefined) {
        group = { key, title: `${workloadTitle(figure.spec)}, ${scaleText(figure.spec)}`, figures: [] };
        groups.push(group);
      }
      group.figures.push(figure);
    }
    return groups.map((group) => ({ title: group.title, bars: pairedBars(group.figures) }));
  };
  return [
    { title: 'Commands', unit: 'commands/s, median', groups: groupsOf('commands') },
    { title: 'Replay and projections', unit: 'events/s, median', groups: groupsOf('events') },
  ];
};
