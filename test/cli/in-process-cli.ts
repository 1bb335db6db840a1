import { PassThrough } from 'node:stream';
import type { CliContext } from '../../src/cli/cli-context';
import { defaultEventSources } from '../../src/cli/event-sources';
import { defaultImportTargets } from '../../src/cli/import-targets';
import { runCli } from '../../src/cli/main';
import { noProjections } from '../../src/cli/projection-registry';
import { defaultReadModels } from '../../src/cli/read-models';

export interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const capture = (isTTY: boolean): { stream: PassThrough & { isTTY: boolean; columns: number }; text: () => string } => {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { stream, text: () => text };
};

/**
 * `runCli` in this process, with the default registries, no projections, nothing from the environment and
 * what it writes captured, unless `overrides` say otherwise; `tty` makes its stderr a terminal.
 */
export const runCliCaptured = async (argv: readonly string[], overrides: Partial<CliContext> & { readonly tty?: boolean } = {}): Promise<Captured> => {
  const { tty = false, ...context } = overrides;
  const stdout = capture(false);
  const stderr = capture(tty);
  const code = await runCli(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env: {},
    cwd: process.cwd(),
    sources: defaultEventSources,
    targets: defaultImportTargets,
    projections: noProjections,
    readModels: defaultReadModels,
    ...context,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
};
