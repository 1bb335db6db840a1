import { figuresOf } from '../../bench/figures';
import type { JobResult, JobSpec } from '../../bench/jobs';
import { chartPanels } from '../../bench/output/report';
import { renderSvgChart } from '../../bench/output/svg-chart';

const result = (perSecond: number): JobResult => ({
  operations: perSecond,
  seconds: 1,
  cpuSeconds: 1,
  machineCpuSeconds: null,
  latency: null,
  conflictRetries: null,
  details: {},
  repetitions: 1,
  unit: 'commands',
  perSecond,
  perCpuSecond: perSecond,
  peakRssMiB: 100,
});

const w1 = (configuration: string, writers: number, subject: JobSpec['subject']): JobSpec => ({ workload: 'w1', subject, configuration, scale: 1_000, writers });

describe('the throughput chart', () => {
  const runs: [JobSpec, JobResult[]][] = [
    [w1('postgres-1', 1, 'engine'), [result(1_600)]],
    [w1('postgres-8', 8, 'engine'), [result(2_000)]],
    [w1('postgres-8-group', 8, 'engine'), [result(5_600)]],
    [w1('postgres-1', 1, 'baseline'), [result(2_600)]],
    [w1('postgres-8', 8, 'baseline'), [result(6_000)]],
    [w1('postgres-8-group', 8, 'baseline'), [result(6_300)]],
  ];
  const panels = chartPanels(
    figuresOf(
      runs.map(([spec]) => spec),
      new Map(runs),
    ),
  );

  it('sets each configuration beside its own baseline, and says at what concurrency that was measured', () => {
    const [group] = panels[0]?.groups ?? [];
    expect(group?.bars.map((bar) => [bar.label, bar.value, bar.note])).toEqual([
      ['PostgreSQL, 1 writer', 1_600, '0.615× baseline'],
      ['raw pg', 2_600, ''],
      ['PostgreSQL, 8 writers', 2_000, '0.333× baseline'],
      ['raw pg, 8 writers', 6_000, ''],
      ['PostgreSQL, 8 writers, group commit', 5_600, '0.889× baseline'],
      ['raw pg, 8 writers', 6_300, ''],
    ]);
  });

  it('starts the bars after the longest label, so no label runs into a bar', () => {
    const svg = renderSvgChart('title', 'subtitle', panels);
    const labelX = Number(/<text x="(\d+)"[^>]*class="label">PostgreSQL, 8 writers, group commit</.exec(svg)?.[1]);
    const barXs = [...svg.matchAll(/<rect x="(\d+)" y="\d+" width/g)].map((match) => Number(match[1]));
    expect(barXs).toHaveLength(6);
    // 35 characters at 12px: Helvetica's widest run of such text is under 7px a character.
    for (const barX of barXs) expect(barX).toBeGreaterThanOrEqual(labelX + 35 * 7);
  });
});
