import * as E from 'fp-ts/Either';
import { importNdjson } from '../../engine/audit/ndjson';
import { decodeOptions, ImportCommandOptions, schemasNotTaken } from '../cli-arguments';
import { CommandResult, CliContext, printed, progressOf } from '../cli-context';
import { EXIT_OK, failure, failureOf, usageError } from '../cli-error';
import { targetOpenerFor } from '../import-targets';
import { openNdjsonFile } from '../ndjson-file';
import { json, renderTable } from '../text-output';
import { displayUrl } from '../url-registry';

/**
 * `import <file> --to <target>`: every line of an NDJSON export, decoded and checked, into a new target,
 * keeping ids, revisions, timestamps and hashes as they are. A bad line stops the import and leaves the
 * target as it was.
 */
export const importCommand = async (context: CliContext, fileArgument: unknown, rawOptions: unknown): Promise<CommandResult> => {
  const options = decodeOptions(ImportCommandOptions, rawOptions);
  if (E.isLeft(options)) return options;
  const noSchemas = schemasNotTaken('import', options.right);
  if (E.isLeft(noSchemas)) return noSchemas;
  if (typeof fileArgument !== 'string' || fileArgument === '') return E.left(usageError('INVALID_ARGUMENT', 'the file to import is missing'));
  // A target no scheme names is bad usage (exit 2), whether or not the file can be read.
  const openTarget = targetOpenerFor(context.targets, options.right.to);
  if (E.isLeft(openTarget)) return openTarget;
  const file = await openNdjsonFile(fileArgument, context.cwd);
  if (E.isLeft(file)) return file;
  const { lines, size, bytesRead, close } = file.right;
  const { schema } = options.right;
  const target = await openTarget.right(options.right.to, { cwd: context.cwd, ...(schema === undefined ? {} : { schema }) });
  if (E.isLeft(target)) {
    close();
    return target;
  }
  const progress = progressOf(context)(`importing ${fileArgument}`, 'bytes');
  const imported = await importNdjson(lines, target.right.restorer, { onProgress: () => progress.update(bytesRead(), size) });
  progress.stop();
  close();
  if (E.isLeft(imported)) {
    await target.right.abort();
    return E.left(failure(imported.left.code, `cannot import ${fileArgument}: ${imported.left.message}`));
  }
  const committed = await target.right.commit();
  if (E.isLeft(committed)) return E.left(failureOf(committed.left));
  const summary = { events: imported.right.events, lines: imported.right.lines, from: fileArgument, to: target.right.shownAs ?? displayUrl(options.right.to) };
  const table = renderTable(['IMPORTED', 'FROM', 'TO'], [[summary.events, summary.from, summary.to]]);
  return printed(context, options.right.json === true ? json(summary) : table, EXIT_OK, `imported ${summary.events} events into ${summary.to}`);
};
