import { configurations } from '../configurations';
import type { Figure } from '../figures';
import type { JobSpec } from '../jobs';
import type { TargetCheck } from '../targets';
import { projectionApplyRunners } from '../workloads/projection-apply';
import { W1_STEPS } from '../workloads/w1-cart-churn';
import { formatInteger, formatPercent, formatRatio, formatShort } from './format';
import type { ChartGroup, ChartPanel } from './svg-chart';
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

/** Everything a bench run produced: what latest.json holds. */
export interface BenchReport {
  readonly generatedAt: string;
  readonly command: string;
  readonly kind: 'full' | 'smoke';
  readonly runsPerFigure: number;
  readonly environment: Environment;
  readonly figures: readonly Figure[];
  readonly targets: readonly TargetCheck[];
  readonly projectionApply: { readonly status: 'measured' | 'pending'; readonly note: string };
}

const PROJECTION_PENDING =
  'pending: projections land from another branch; register a runner in bench/workloads/projection-apply.ts and the row appears';

export const projectionApplyStatus = (): BenchReport['projectionApply'] =>
  projectionApplyRunners.length === 0
    ? { status: 'pending', note: PROJECTION_PENDING }
    : { status: 'measured', note: `runners: ${projectionApplyRunners.map((r) => r.name).join(', ')}` };

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
  }
};

const scaleText = (spec: JobSpec): string => {
  if (spec.workload === 'w2' || spec.workload === 'w2-hot') return `${formatInteger(spec.scale)} orders`;
  if (spec.workload === 'w1') return `${formatInteger(spec.scale)} carts`;
  if (spec.workload === 'projection-apply') return `W2 store, ${formatInteger(spec.scale)} orders`;
  return `${formatInteger(spec.scale)} carts, ${formatInteger(spec.scale * (W1_STEPS.length + 1))} events`;
};

const unitText = (figure: Figure): string => (figure.unit === 'events' ? 'events/s' : 'cmd/s');

export const figureTable = (figures: readonly Figure[]): Table => ({
  headers: ['workload', 'scale', 'writers', 'measured on', 'median', 'min – max', 'vs baseline', 'per CPU-s', 'vs baseline', 'p50 µs', 'p95 µs', 'p99 µs', 'peak RSS MiB', 'conflict retries'],
  align: ['left', 'left', 'right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  rows: figures.map((f) => [
    workloadTitle(f.spec),
    scaleText(f.spec),
    String(f.spec.writers),
    f.label,
    `${formatInteger(f.perSecond.median)} ${unitText(f)}`,
    `${formatInteger(f.perSecond.min)} – ${formatInteger(f.perSecond.max)}`,
    f.baselineRatio === null ? (f.spec.subject === 'baseline' ? 'baseline' : '—') : formatRatio(f.baselineRatio),
    formatInteger(f.perCpuSecond.median),
    f.cpuBaselineRatio === null ? (f.spec.subject === 'baseline' ? 'baseline' : '—') : formatRatio(f.cpuBaselineRatio),
    f.latencyMicros === null ? '—' : formatShort(f.latencyMicros.p50),
    f.latencyMicros === null ? '—' : formatShort(f.latencyMicros.p95),
    f.latencyMicros === null ? '—' : formatShort(f.latencyMicros.p99),
    formatInteger(f.peakRssMiB),
    f.conflictRetries === null ? '—' : `${formatInteger(f.conflictRetries.median)} (${formatPercent(f.conflictRetryRate ?? 0)})`,
  ]),
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

const targetLines = (report: BenchReport): string[] => {
  if (report.kind === 'smoke') return ['Targets are judged on full runs only (npm run bench).'];
  return [
    'Targets (2-core machine, ratios measured in the same run):',
    ...report.targets.map((t) => `  ${t.met ? 'met   ' : 'MISSED'}  ${t.target}: ${t.measured}`),
  ];
};

const environmentLine = (report: BenchReport): string => {
  const e = report.environment;
  return (
    `node ${e.node} · ${e.platform} · ${e.cpus} × ${e.cpuModel} · ${e.memoryGiB.toFixed(1)} GiB · commit ${e.commit ?? 'unknown'} · ` +
    `load average ${e.loadAverage.atStart.toFixed(1)} at the start, ${e.loadAverage.atEnd.toFixed(1)} at the end`
  );
};

const headline = (report: BenchReport): string =>
  `ordersource bench (${report.kind} run): ${report.runsPerFigure} fresh-process run(s) per figure, median with min – max`;

export const renderTextReport = (report: BenchReport): string =>
  [
    headline(report),
    environmentLine(report),
    '',
    renderText(figureTable(report.figures)),
    '',
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
    renderMarkdown(figureTable(report.figures)),
    '',
    ...scalingLines(report.figures).map((line) => `${line}.`),
    '',
    `Projection apply: ${report.projectionApply.note}.`,
    '',
    ...targetLines(report).map((line) => (line.startsWith('  ') ? `- ${line.trim()}` : line)),
    '',
    `![Throughput per configuration and scale, beside the plain baseline](${chartFile})`,
    '',
    'How each figure is measured: [bench/README.md](../README.md).',
    '',
  ].join('\n');

/** One chart group per measurement (workload and scale), engine bars first, then the baseline. */
export const chartPanels = (figures: readonly Figure[]): ChartPanel[] => {
  const groupsOf = (unit: Figure['unit']): ChartGroup[] => {
    const groups: { key: string; title: string; figures: Figure[] }[] = [];
    for (const figure of figures.filter((f) => f.unit === unit)) {
      const key = `${figure.spec.workload}|${figure.spec.scale}|${figure.spec.projection ?? ''}`;
      let group = groups.find((g) => g.key === key);
      if (group === undefined) {
        group = { key, title: `${workloadTitle(figure.spec)}, ${scaleText(figure.spec)}`, figures: [] };
        groups.push(group);
      }
      group.figures.push(figure);
    }
    return groups.map((group) => ({
      title: group.title,
      bars: [...group.figures]
        .sort((a, b) => Number(a.spec.subject === 'baseline') - Number(b.spec.subject === 'baseline'))
        .map((f) => ({
          label: f.label,
          value: f.perSecond.median,
          baseline: f.spec.subject === 'baseline',
          note: f.baselineRatio === null ? '' : `${formatRatio(f.baselineRatio)} baseline`,
          colourIndex: Math.max(0, configurations.findIndex((c) => c.name === f.spec.configuration)),
        })),
    }));
  };
  return [
    { title: 'Commands', unit: 'commands/s, median', groups: groupsOf('commands') },
    { title: 'Replay and projections', unit: 'events/s, median', groups: groupsOf('events') },
  ];
};
