/**
 * One measurement in a fresh process: `node child.js '<JobSpec as JSON>'`, forked by main.ts with an IPC
 * channel. It sends progress, then its result or why it failed, and exits.
 */
import type { ChildMessage, JobSpec } from './jobs';
import { undoInterruptedWork } from './interruption';
import { runJob } from './run-job';

const tell = (message: ChildMessage): Promise<void> =>
  new Promise((resolve) => {
    if (process.send === undefined) {
      process.stdout.write(`${JSON.stringify(message)}\n`);
      resolve();
    } else {
      process.send(message, () => resolve());
    }
  });

const main = async (): Promise<void> => {
  // The parent wrote this argument itself, from a JobSpec.
  const spec = JSON.parse(process.argv[2] ?? 'null') as JobSpec;
  let lastReport = 0;
  const result = await runJob(spec, (done, total) => {
    const now = performance.now();
    if (now - lastReport < 100 && done < total) return;
    lastReport = now;
    void tell({ kind: 'progress', done, total });
  });
  await tell({ kind: 'result', result });
};

/**
 * Interrupted (Ctrl-C reaches the whole process group; the harness passes its signals on; a parent that died
 * closes the IPC channel), the job drops what it made on shared servers before it ends: nothing else would.
 */
let ending = false;
// Listeners stay on: Ctrl-C reaches the child twice (from the terminal, and passed on by the harness), and
// a second signal with none would end it before its undo.
const endInterrupted = (exitCode: number) => () => {
  if (ending) return;
  ending = true;
  void undoInterruptedWork().finally(() => process.exit(exitCode));
};
process.on('SIGINT', endInterrupted(130));
process.on('SIGTERM', endInterrupted(143));
process.on('disconnect', endInterrupted(1));

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    await tell({ kind: 'failure', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
