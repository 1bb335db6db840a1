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
    expect(result.unit).toBe('commands');
  });
});
