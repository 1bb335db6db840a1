import * as E from 'fp-ts/Either';
import { createReadStream, ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { CliError, failure, usageError } from './cli-error';
import { filePathOf } from './url-registry';
import { messageOf } from '../engine/error-message';

/** An NDJSON file being read line by line, with how far the reading has got. */
export interface NdjsonFile {
  readonly lines: AsyncIterable<string>;
  readonly size: number;
  readonly bytesRead: () => number;
  readonly close: () => void;
}

export const reasonOf = (cause: unknown): string => {
  const code = (cause as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  return messageOf(cause);
};

/** A path, or a `file:` URL, relative to `cwd`; an empty one names no file (resolved, it would be `cwd` itself). */
export const localPathOf = (location: string, cwd: string): E.Either<CliError, string> => {
  if (location === '') return E.left(usageError('INVALID_ARGUMENT', 'an empty path names no file'));
  return location.startsWith('file:') ? filePathOf(location, cwd) : E.right(resolve(cwd, location));
};

/** Editors on Windows start UTF-8 files with a byte-order mark; the file's text starts after it. */
async function* withoutByteOrderMark(lines: AsyncIterable<string>): AsyncGenerator<string> {
  let first = true;
  for await (const line of lines) {
    yield first ? line.replace(/^\uFEFF/, '') : line;
    first = false;
  }
}

/** Opens `location` for reading, or says in one line why it cannot be read. */
export const openNdjsonFile = async (location: string, cwd: string): Promise<E.Either<CliError, NdjsonFile>> => {
  const path = localPathOf(location, cwd);
  if (E.isLeft(path)) return path;
  let size: number;
  try {
    const info = await stat(path.right);
    if (!info.isFile()) return E.left(failure('UNREADABLE_FILE', `cannot read ${location}: not a file`));
    size = info.size;
  } catch (cause) {
    return E.left(failure('UNREADABLE_FILE', `cannot read ${location}: ${reasonOf(cause)}`));
  }
  // Opened when the reading starts: lines a stream emits before anyone iterates would be lost, and an
  // import opens its target (a database, maybe) in between.
  let input: ReadStream | undefined;
  const lines: AsyncIterable<string> = {
    [Symbol.asyncIterator]: () => {
      input ??= createReadStream(path.right, { encoding: 'utf8' });
      return withoutByteOrderMark(createInterface({ input, crlfDelay: Infinity }));
    },
  };
  return E.right({ lines, size, bytesRead: () => input?.bytesRead ?? 0, close: () => input?.destroy() });
};
