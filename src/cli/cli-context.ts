import * as E from 'fp-ts/Either';
import type { Writable } from 'node:stream';
import type { EventStore } from '../engine/event-store/event-store';
import { CliError, ExitCode, failure } from './cli-error';
import { EventSourceRegistry, openSource } from './event-sources';
import type { ImportTargetRegistry } from './import-targets';
import { ProgressFactory, progressOn } from './progress';
import type { ProjectionRegistry } from './projection-registry';
import type { ReadModelRegistry } from './read-models';
import { deliver, isClosedPipe } from './text-output';

/** Everything a command touches outside itself, so the CLI runs the same in a terminal and in a test. */
export interface CliContext {
  readonly stdout: Writable;
  readonly stderr: Writable & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly sources: EventSourceRegistry;
  readonly targets: ImportTargetRegistry;
  readonly projections: ProjectionRegistry;
  readonly readModels: ReadModelRegistry;
}

/** What a command ends with: how the process exits, or why it could not do its work. */
export type CommandResult = E.Either<CliError, ExitCode>;

export const SOURCE_ENV = 'ORDERSOURCE_SOURCE';

export const progressOf = (context: CliContext): ProgressFactory => progressOn(context.stderr);

/** Opens the source named by `--source` (or the environment), runs `use` on its store, and closes it. */
export const withSource = async (
  context: CliContext,
  location: { readonly source?: string; readonly schema?: string },
  use: (store: EventStore) => Promise<CommandResult>,
): Promise<CommandResult> => {
  const { source, schema } = location;
  const sourceContext = { cwd: context.cwd, progress: progressOf(context), ...(schema === undefined ? {} : { schema }) };
  const opened = await openSource(context.sources, source ?? context.env[SOURCE_ENV], sourceContext);
  if (E.isLeft(opened)) return opened;
  try {
    return await use(opened.right.store);
  } finally {
    await opened.right.close();
  }
};

/**
 * Prints a command's result on stdout and ends with `exitCode`, or fails if the result could not be written
 * (a full disk): a script must not go on with a report it never got. A reader that stopped early (`| head`)
 * has what it wanted, so the exit code stays the command's. `done` says what the command changed before its
 * summary (`imported 21 events into …`): the failure says it too, since running the command again would not
 * do it again but be refused.
 */
export const printed = async (context: CliContext, text: string, exitCode: ExitCode, done?: string): Promise<CommandResult> => {
  const error = await deliver(context.stdout, text);
  if (error === undefined || isClosedPipe(error)) return E.right(exitCode);
  return E.left(failure('OUTPUT_UNWRITABLE', done === undefined ? `cannot write the output: ${error.message}` : `${done}, but cannot write the summary: ${error.message}`));
};
