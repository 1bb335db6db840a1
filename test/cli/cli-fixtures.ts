import { ChildProcessByStdio, spawn, StdioOptions } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { exportLines } from '../audit/ndjson-lines';
import { runShoppingJourney } from '../fixtures/shopping-journey';

export const BIN = join(__dirname, '..', '..', 'bin', 'ordersource.js');

export interface CliFiles {
  readonly dir: string;
  /** The shopping journey's export, untouched. */
  readonly events: string;
  /** The same with one byte changed in the order's tracking update. */
  readonly tampered: string;
  /** The same with line 3 no longer JSON. */
  readonly broken: string;
  readonly lines: readonly string[];
}

/** A temporary directory holding the journey's export, a tampered copy and a broken one. */
export const writeCliFiles = async (): Promise<CliFiles> => {
  const dir = mkdtempSync(join(tmpdir(), 'ordersource-cli-'));
  const lines = await exportLines((await runShoppingJourney()).store);
  const write = (name: string, content: readonly string[]): string => {
    writeFileSync(join(dir, name), `${content.join('\n')}\n`);
    return join(dir, name);
  };
  const tampered = lines.map((line) => line.replace('Left Hangzhou sorting centre', 'Left Hangzhoe sorting centre'));
  const broken = lines.map((line, i) => (i === 2 ? line.slice(0, 30) : line));
  return { dir, events: write('events.ndjson', lines), tampered: write('tampered.ndjson', tampered), broken: write('broken.ndjson', broken), lines };
};

export interface BinRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface BinOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** A run still going, for a test that acts on it (signals it, closes its stdout) before it ends. */
export interface StartedBin {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly finished: Promise<BinRun & { readonly signal: NodeJS.Signals | null }>;
}

/** The environment a run gets: this one, the CLI run from its sources, and a source only when the test names one. */
const binEnvironment = (options: BinOptions): Record<string, string | undefined> => {
  const env: Record<string, string | undefined> = { ...process.env, ORDERSOURCE_CLI: 'source', ...options.env };
  if (options.env?.['ORDERSOURCE_SOURCE'] === undefined) delete env['ORDERSOURCE_SOURCE'];
  return env;
};

/** Starts the real `ordersource` executable, from the TypeScript sources, with pipes (not a terminal) for its output. */
export const startBin = (args: readonly string[], options: BinOptions): StartedBin => {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: binEnvironment(options), stdio: ['ignore', 'pipe', 'pipe'] });
  const finished = new Promise<BinRun & { readonly signal: NodeJS.Signals | null }>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, finished };
};

/** Runs the real `ordersource` executable to its end. */
export const runBin = async (args: readonly string[], options: BinOptions): Promise<BinRun> => {
  const { code, stdout, stderr } = await startBin(args, options).finished;
  return { code, stdout, stderr };
};

/** Runs the real `ordersource` executable with one of its outputs on `device` (/dev/full: every write fails, ENOSPC), the other captured. */
export const runBinWithOutputOn = (output: 'stdout' | 'stderr', device: string, args: readonly string[], options: BinOptions): Promise<BinRun> => {
  const onDevice = openSync(device, 'w');
  const stdio: StdioOptions = output === 'stdout' ? ['ignore', onDevice, 'pipe'] : ['ignore', 'pipe', onDevice];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: binEnvironment(options), stdio });
  closeSync(onDevice);
  return new Promise((resolve, reject) => {
    let captured = '';
    // A pipe, as stdio says: typed as maybe none only because the other output is not one.
    (output === 'stdout' ? child.stderr : child.stdout)?.setEncoding('utf8').on('data', (chunk: string) => (captured += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve(output === 'stdout' ? { code, stdout: '', stderr: captured } : { code, stdout: captured, stderr: '' }));
  });
};
