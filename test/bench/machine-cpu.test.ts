import { machineCpuSecondsBetween, parseProcStat } from '../../bench/measure/machine-cpu';

const procStat = (aggregate: string, cores: number): string =>
  [`cpu  ${aggregate} 0 0`, ...Array.from({ length: cores }, (_, i) => `cpu${i} 1 2 3 4 5 6 7 8 0 0`), 'intr 12345 0 0', 'ctxt 987', 'btime 1700000000'].join('\n');

describe('parseProcStat', () => {
  it('counts every tick but idle and iowait as busy, and counts the cores', () => {
    // user nice system idle iowait irq softirq steal
    expect(parseProcStat(procStat('100 10 50 800 40 5 3 2', 2))).toEqual({ busyTicks: 170, totalTicks: 1010, cores: 2 });
  });

  it('reads nothing from text without an aggregate cpu line or with unreadable ticks', () => {
    expect(parseProcStat('intr 1 2 3\nctxt 4')).toBeNull();
    expect(parseProcStat(procStat('100 10 x 800 40 5 3 2', 2))).toBeNull();
    expect(parseProcStat('cpu  1 2 3')).toBeNull();
  });
});

describe('machineCpuSecondsBetween', () => {
  it('gives the busy share of the ticks that passed, times the cores and the seconds', () => {
    const before = { busyTicks: 1_000, totalTicks: 10_000, cores: 2 };
    const after = { busyTicks: 1_150, totalTicks: 10_200, cores: 2 };
    // 150 of 200 ticks busy on 2 cores for 2 s: 1.5 cores' worth, 3 CPU-seconds.
    expect(machineCpuSecondsBetween(before, after, 2)).toBeCloseTo(3, 10);
  });

  it('is null when a sample is missing or no tick passed', () => {
    const sample = { busyTicks: 1_000, totalTicks: 10_000, cores: 2 };
    expect(machineCpuSecondsBetween(null, sample, 1)).toBeNull();
    expect(machineCpuSecondsBetween(sample, null, 1)).toBeNull();
    expect(machineCpuSecondsBetween(sample, sample, 1)).toBeNull();
  });
});
