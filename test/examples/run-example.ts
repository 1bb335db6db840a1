import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export interface ExampleRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs an example file the way its npm script does (ts-node, transpile only), from the repository root. */
export const runExample = (file: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ExampleRun> =>
  new Promise((done) => {
    execFile(
      process.execPath,
      [require.resolve('ts-node/dist/bin'), '--transpile-only', file, ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
  });
