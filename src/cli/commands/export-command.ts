import * as E from 'fp-ts/Either';
import type { Writable } from 'node:stream';
import { exportNdjson, ExportSummary } from '../../engine/audit/ndjson';
import { decodeOptions, ExportCommandOptions, schemasNotTaken } from '../cli-arguments';
import { CommandResult, CliContext, printed, progressOf, withSource } from '../cli-context';
import { CliError, EXIT_OK, failureOf, usageError } from '../cli-error';
import { localPathOf } from '../ndjson-file';
import { finalPathOf, openPartialFile } from '../partial-file';
import { isClosedPipe, json, renderTable, writeTo } from '../text-output';

type Exported = E.Either<{ readonly code: string; readonly message: string }, ExportSummary>;

const cannotWrite = (path: string, cause: Error): Exported => E.left({ code: 'NDJSON_WRITE_FAILED', message: `cannot write ${path}: ${cause.message}` });

/** Exports into a file that appears, complete, only once the export has succeeded. */
const exportToFile = async (path: string, run: (sink: (chunk: string) => Promise<void>) => Promise<Exported>): Promise<Exported> => {
  const file = await openPartialFile(path, 'replace');
  if (E.isLeft(file)) return cannotWrite(path, file.left);
  const exported = await run(file.right.write);
  if (E.isLeft(exported)) {
    await file.right.abort();
    return exported;
  }
  const committed = await file.right.commit();
  return E.isLeft(committed) ? cannotWrite(path, committed.left) : exported;
};

/** Exports to stdout until its reader has all it wants: a closed pipe ends the export early, and quietly. */
const exportToStdout = async (stdout: Writable, run: (sink: (chunk: string) => Promise<void>) => Promise<Exported>): Promise<Exported | 'reader closed the pipe'> => {
  let pipeClosed = false;
  const write = writeTo(stdout);
  const exported = await run((chunk) =>
    write(chunk).catch((error: unknown) => {
      pipeClosed = isClosedPipe(error);
      throw error;
    }),
  );
  return pipeClosed ? 'reader closed the pipe' : exported;
};

/** The file `--out` names, where the export is renamed into place: the target of a symbolic link, and never anything but a file. */
const outPathOf = async (out: string, cwd: string): Promise<E.Either<CliError, string>> => {
  const path = localPathOf(out, cwd);
  if (E.isLeft(path)) return path;
  const finalPath = await finalPathOf(path.right);
  return E.isLeft(finalPath) ? E.left(usageError('INVALID_ARGUMENT', `cannot export to ${out}: ${finalPath.left}; --out writes a regular file`)) : finalPath;
};

/** `export [--out <file>]`: every event as NDJSON in global order, to a file or to stdout. */
export const exportCommand = async (context: CliContext, rawOptions: unknown): Promise<CommandResult> => {
  const options = decodeOptions(ExportCommandOptions, rawOptions);
  if (E.isLeft(options)) return options;
  const noSchemas = schemasNotTaken('export', options.right);
  if (E.isLeft(noSchemas)) return noSchemas;
  const { out } = options.right;
  // Without --out the export itself is the output, NDJSON: there is no summary to print as JSON.
  if (out === undefined && options.right.json === true) return E.left(usageError('INVALID_ARGUMENT', '--json prints the summary of an export to --out: without --out, the export is NDJSON'));
  const path = out === undefined ? undefined : await outPathOf(out, context.cwd);
  if (path !== undefined && E.isLeft(path)) return path;
  return withSource(context, options.right, async (store) => {
    const progress = progressOf(context)('exporting', 'events');
    const run = (sink: (chunk: string) => Promise<void>): Promise<Exported> => exportNdjson(store, sink, { onProgress: progress.update });
    const exported = path === undefined ? await exportToStdout(context.stdout, run) : await exportToFile(path.right, run);
    progress.stop();
    if (exported === 'reader closed the pipe') return E.right(EXIT_OK);
    if (E.isLeft(exported)) return E.left(failureOf(exported.left));
    if (out === undefined) return E.right(EXIT_OK);
    const summary = { events: exported.right.events, out };
    const table = renderTable(['EXPORTED', 'TO'], [[summary.events, out]]);
    return printed(context, options.right.json === true ? json(summary) : table, EXIT_OK, `exported ${summary.events} events to ${out}`);
  });
};
