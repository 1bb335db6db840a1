import * as E from 'fp-ts/Either';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { exportNdjson, ExportSummary } from '../../engine/audit/ndjson';
import { decodeOptions, ExportOptions } from '../cli-arguments';
import { CommandResult, CliContext, progressOf, withSource } from '../cli-context';
import { EXIT_OK, failureOf } from '../cli-error';
import { localPathOf } from '../ndjson-file';
import { json, renderTable, writeTo } from '../text-output';

type Exported = E.Either<{ readonly code: string; readonly message: string }, ExportSummary>;

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/** Writes beside `path` and renames into place once complete, so a failed export leaves no half file. */
const exportToFile = async (path: string, run: (sink: (chunk: string) => Promise<void>) => Promise<Exported>): Promise<Exported> => {
  const partial = `${path}.partial-${process.pid}`;
  const stream = createWriteStream(partial, { encoding: 'utf8' });
  const exported = await run(writeTo(stream));
  const closed = await new Promise<Error | undefined>((resolve) => {
    if (stream.destroyed) resolve(stream.errored ?? new Error('the file was closed'));
    else stream.end(() => resolve(undefined));
  });
  if (E.isRight(exported) && closed === undefined) {
    try {
      await rename(partial, path);
      return exported;
    } catch (cause) {
      await rm(partial, { force: true });
      return E.left({ code: 'NDJSON_WRITE_FAILED', message: `cannot write ${path}: ${messageOf(cause)}` });
    }
  }
  await rm(partial, { force: true });
  return E.isLeft(exported) ? exported : E.left({ code: 'NDJSON_WRITE_FAILED', message: `cannot write ${path}: ${messageOf(closed)}` });
};

/** `export [--out <file>]`: every event as NDJSON in global order, to a file or to stdout. */
export const exportCommand = async (context: CliContext, rawOptions: unknown): Promise<CommandResult> => {
  const options = decodeOptions(ExportOptions, rawOptions);
  if (E.isLeft(options)) return options;
  const { out } = options.right;
  const path = out === undefined ? undefined : localPathOf(out, context.cwd);
  if (path !== undefined && E.isLeft(path)) return path;
  return withSource(context, options.right.source, async (store) => {
    const progress = progressOf(context)('exporting', 'events');
    const run = (sink: (chunk: string) => Promise<void>): Promise<Exported> => exportNdjson(store, sink, { onProgress: progress.update });
    const exported = path === undefined ? await run(writeTo(context.stdout)) : await exportToFile(path.right, run);
    progress.stop();
    if (E.isLeft(exported)) return E.left(failureOf(exported.left));
    if (out !== undefined) {
      const summary = { events: exported.right.events, out };
      context.stdout.write(options.right.json === true ? json(summary) : renderTable(['EXPORTED', 'TO'], [[summary.events, out]]));
    }
    return E.right(EXIT_OK);
  });
};
