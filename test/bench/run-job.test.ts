import { runJob } from '../../bench/run-job';

/**
 * A measurement is taken warm: the job runs once untimed in its process, then again for the figures, and its
 * progress covers both passes, the warm-up as the first half.
 */
describe('runJob', () => {
  it('runs the job twice and times the second pass, reporting both as one progress', async () => {
    const reports: { done: number; total: number }[] = [];
    const result = await runJob({ workload: 'w1', subject: 'baseline', configuration: 'memory', scale: 20, writers: 1 }, (done, total) => reports.push({ done, total }));

    // The plain W1 pass reports 200 commands after its timed pass and 400 after its latency pass.
    expect(reports).toEqual([
      { done: 200, total: 800 },
      { done: 400, total: 800 },
      { done: 600, total: 800 },
      { done: 800, total: 800 },
    ]);
    expect(result.operations).toBe(200);
    expect(result.repetitions).toBe(1);
    expect(result.unit).toBe('commands');
  });

  // A pass of 20 carts takes well under a millisecond: a minimum of 0.2 s needs repeats even on a machine so
  // loaded that one pass takes a hundred times as long.
  it('repeats a pass on fresh data until its timed parts reach the minimum, and adds the repetitions up', async () => {
    const result = await runJob({ workload: 'w1', subject: 'baseline', configuration: 'memory', scale: 20, writers: 1, minimumSeconds: 0.2 }, () => undefined);

    expect(result.repetitions).toBeGreaterThan(1);
    // Every repetition is a whole W1 run of 20 carts: 200 step commands each, counted once per repetition.
    expect(result.operations).toBe(200 * result.repetitions);
    expect(result.seconds).toBeGreaterThanOrEqual(0.2);
    expect(result.perSecond).toBeCloseTo(result.operations / result.seconds);
    // One run's details: the streams of one map, not of every repetition.
    expect(result.details['streams']).toBe(20);
    expect(result.latency).not.toBeNull();
  });

  it('runs the guarantees job once per pass whatever the minimum: it reports costs, not a rate over its clock', async () => {
    const result = await runJob({ workload: 'guarantees', subject: 'engine', configuration: 'memory', scale: 5, writers: 1, minimumSeconds: 60 }, () => undefined);

    expect(result.repetitions).toBe(1);
  });
});
