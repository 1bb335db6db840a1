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
 * has what it wanted, so the exit code stays the command's.
 */
export const printed = async (context: CliContext, text: string, exitCode: ExitCode): Promise<CommandResult> => {
  const error = await deliver(context.stdout, text);
  return error === undefined || isClosedPipe(error) ? E.right(exitCode) : E.left(failure('OUTPUT_UNWRITABLE', `cannot write the output: ${error.message}`));
};
