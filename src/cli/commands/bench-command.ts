import { spawn, type StdioOptions } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import * as E from 'fp-ts/Either';
import { BenchCommandOptions, decodeOptions } from '../cli-arguments';
import type { CliContext, CommandResult } from '../cli-context';
import { EXIT_OK, failure } from '../cli-error';

/** The harness's entry and build configuration, relative to a checkout of the repository. */
const BENCH_ENTRY = join('bench', 'main.ts');
const BENCH_TSCONFIG = join('bench', 'tsconfig.json');
/** The checkout's own TypeScript, a development dependency: the version the bench is written for. */
const CHECKOUT_TSC = join('node_modules', 'typescript', 'bin', 'tsc');
/** Where `tsc -p bench/tsconfig.json` compiles to, and the entry there. */
const BENCH_BUILD_DIR = join('bench', 'build');
const COMPILED_ENTRY = join(BENCH_BUILD_DIR, 'bench', 'main.js');

const NOT_IN_PACKAGE =
  'the bench runs from a clone of the ordersource repository, not from the installed package (which ships no bench/): ' +
  'clone it, run npm ci, then npm run bench (or npx ordersource bench) there';

/**
 * The process's own stdout or stderr is handed to the harness as it is, so that it writes straight to the
 * terminal (progress bar included) or file; any other stream gets a pipe.
 */
const childStdio = (stream: Writable): number | 'pipe' => {
  const fd: unknown = (stream as { readonly fd?: unknown }).fd;
  return typeof fd === 'number' ? fd : 'pipe';
};

/** How a child ended: its exit code, or the signal that ended it. */
type Ended = { readonly code: number } | { readonly signal: NodeJS.Signals };

/** Runs `node <args>` in `cwd` with the command's output streams and resolves with how it ended. */
const runNode = (context: CliContext, args: readonly string[], cwd: string): Promise<Ended> =>
  new Promise((resolve, reject) => {
    const stdio: StdioOptions = ['ignore', childStdio(context.stdout), childStdio(context.stderr)];
    const child = spawn(process.execPath, [...args], { cwd, stdio });
    // A signal to this process alone (a supervisor's `kill`) is passed on, so the harness stops its job and
    // drops what the job made, rather than running on detached.
    const passOn = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    process.on('SIGINT', passOn);
    process.on('SIGTERM', passOn);
    child.stdout?.pipe(context.stdout, { end: false });
    child.stderr?.pipe(context.stderr, { end: false });
    const stopPassingOn = (): void => {
      process.off('SIGINT', passOn);
      process.off('SIGTERM', passOn);
    };
    child.once('error', (error) => {
      stopPassingOn();
      reject(error);
    });
    child.once('close', (code, signal) => {
      stopPassingOn();
      resolve(signal === null ? { code: code ?? 0 } : { signal });
    });
  });

/** The harness's own options, from the ones this command was given. */
const harnessArguments = (options: BenchCommandOptions): string[] => [
  ...(options.smoke === true ? ['--smoke'] : []),
  ...(options.runs === undefined ? [] : ['--runs', options.runs]),
  ...(options.workload === undefined ? [] : ['--workload', options.workload.join(',')]),
  ...(options.configuration === undefined ? [] : ['--configuration', options.configuration.join(',')]),
  ...(options.out === undefined ? [] : ['--out', options.out]),
];

/**
 * `bench [--smoke] [--runs N] [--workload names] [--configuration names] [--out dir]`: compiles the bench
 * harness of the checkout this CLI runs from and runs it, as `npm run bench` does. An installed package has
 * no bench: the command says where to run it instead. `checkout` is the package's directory, undefined if
 * it cannot be found.
 */
export const benchCommand = async (context: CliContext, rawOptions: unknown, checkout: string | undefined): Promise<CommandResult> => {
  const options = decodeOptions(BenchCommandOptions, rawOptions);
  if (E.isLeft(options)) return options;
  if (checkout === undefined || !existsSync(join(checkout, BENCH_ENTRY)) || !existsSync(join(checkout, BENCH_TSCONFIG))) {
    return E.left(failure('BENCH_NOT_AVAILABLE', NOT_IN_PACKAGE));
  }
  const compiler = join(checkout, CHECKOUT_TSC);
  if (!existsSync(compiler)) {
    return E.left(failure('BENCH_NOT_AVAILABLE', `the bench is compiled with the checkout's TypeScript, which ${checkout} does not have yet: run npm ci there first`));
  }
  // tsc never removes what an earlier build compiled from files since moved or deleted, and a stale module
  // in the build once broke the EventStoreDB rows of a full run: every run compiles into an empty directory.
  rmSync(join(checkout, BENCH_BUILD_DIR), { recursive: true, force: true });
  const compiled = await runNode(context, [compiler, '-p', BENCH_TSCONFIG], checkout);
  if (!('code' in compiled) || compiled.code !== 0) return E.left(failure('BENCH_BUILD_FAILED', `tsc -p ${BENCH_TSCONFIG} failed in ${checkout} (its errors are above)`));
  // The harness runs where the command was given, so that a relative --out means what the user meant.
  const ran = await runNode(context, [join(checkout, COMPILED_ENTRY), ...harnessArguments(options.right)], context.cwd);
  if ('signal' in ran) {
    // Ended by a signal (interrupted, its job's work undone): this process ends by the same one, so that a
    // shell or supervisor sees the status it would have seen from the harness.
    process.kill(process.pid, ran.signal);
    return E.left(failure('BENCH_INTERRUPTED', `the bench was ended by ${ran.signal}`));
  }
  return ran.code === 0 ? E.right(EXIT_OK) : E.left(failure('BENCH_FAILED', `the bench exited with code ${ran.code}: see its output above`));
};
