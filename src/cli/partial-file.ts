import * as E from 'fp-ts/Either';
import { constants as fsConstants, createWriteStream, rmSync, Stats, WriteStream } from 'node:fs';
import { chmod, copyFile, link, lstat, realpath, rename, rm, stat } from 'node:fs/promises';
import { types } from 'node:util';
import { writeTo } from './text-output';

/**
 * A file written under a temporary name beside its final path and put into place by `commit`, so
 * that readers never see half a file and a failed write leaves nothing behind.
 */
export interface PartialFile {
  readonly write: (chunk: string) => Promise<void>;
  readonly commit: () => Promise<E.Either<Error, void>>;
  readonly abort: () => Promise<void>;
}

/**
 * How `commit` puts the file at its path. `replace` renames it over whatever is there. `create` links it
 * there, which fails (EEXIST) if anything is, then removes the temporary name: checking beforehand would
 * still let a file that appeared while this one was written be replaced.
 */
export type Placement = 'replace' | 'create';

/**
 * A thrown value as an Error, its `code` kept. `instanceof Error` is not the test: an error from another
 * realm (node's own, seen from a vm context such as jest's) fails it, and would lose its code.
 */
const errorOf = (thrown: unknown): Error => (types.isNativeError(thrown) ? thrown : new Error(String(thrown)));

/** A filesystem error's code (EEXIST, EPERM…), or '' for anything else thrown. */
const codeOf = (thrown: unknown): string => {
  const code: unknown = types.isNativeError(thrown) ? (thrown as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' ? code : '';
};

/** The temporary files being written now, named so that a process ended by a signal can remove them first. */
const unfinished = new Set<string>();

/** Removes every temporary file still being written, at once: the process is about to end. */
export const removeUnfinishedFiles = (): void => {
  for (const partial of unfinished) rmSync(partial, { force: true });
  unfinished.clear();
};

const ended = (stream: WriteStream): Promise<Error | undefined> =>
  new Promise((resolve) => {
    if (stream.destroyed) resolve(stream.errored ?? new Error('the file was closed before it was complete'));
    else stream.once('error', resolve).end(() => resolve(undefined));
  });

const kindOf = (found: Stats): string => {
  if (found.isDirectory()) return 'a directory';
  if (found.isFIFO()) return 'a FIFO';
  if (found.isCharacterDevice() || found.isBlockDevice()) return 'a device';
  if (found.isSocket()) return 'a socket';
  return 'not a regular file';
};

/**
 * The path a file meant for `path` is renamed into place at, or why nothing may be: the rename replaces
 * whatever is there. A symbolic link leads to its target, which gets the data while the link stays; a FIFO,
 * a device or a directory would be replaced by a regular file, its reader given nothing, so it is refused.
 */
export const finalPathOf = async (path: string): Promise<E.Either<string, string>> => {
  let found: Stats;
  try {
    found = await lstat(path);
  } catch {
    // Nothing there (or nothing that can be looked at): creating the file beside it says why, if it cannot.
    return E.right(path);
  }
  if (!found.isSymbolicLink()) return found.isFile() ? E.right(path) : E.left(`it is ${kindOf(found)}`);
  let target: string;
  let reached: Stats;
  try {
    target = await realpath(path);
    reached = await stat(target);
  } catch {
    return E.left('it is a symbolic link that leads to no file');
  }
  return reached.isFile() ? E.right(target) : E.left(`it is a symbolic link to ${target}, ${kindOf(reached)}`);
};

/** The read, write and execute bits of the file at `path`, or undefined when there is none to replace. */
const permissionsOf = async (path: string): Promise<number | undefined> =>
  stat(path).then(
    (found) => (found.isFile() ? found.mode & 0o777 : undefined),
    () => undefined,
  );

/**
 * The file replacing an existing one gets its permissions: created with them, so that a private file's
 * data is never readable by more people while it is written, then set to them exactly, since the umask
 * may have taken some away. Its owner is not copied: only root could give a file to another user.
 */
export const openPartialFile = async (path: string, placement: Placement): Promise<E.Either<Error, PartialFile>> => {
  const partial = `${path}.partial-${process.pid}`;
  const permissions = await permissionsOf(path);
  // Named before it is created: a signal may come between the creation and the 'open' event.
  unfinished.add(partial);
  const stream = createWriteStream(partial, { flags: 'wx', encoding: 'utf8', ...(permissions === undefined ? {} : { mode: permissions }) });
  const opened = await new Promise<Error | undefined>((resolve) => {
    stream.once('open', () => resolve(undefined));
    stream.once('error', resolve);
  });
  if (opened !== undefined) {
    unfinished.delete(partial);
    return E.left(opened);
  }
  const abort = async (): Promise<void> => {
    stream.destroy();
    await rm(partial, { force: true });
    unfinished.delete(partial);
  };
  if (permissions !== undefined) {
    try {
      await chmod(partial, permissions);
    } catch (cause) {
      await abort();
      return E.left(errorOf(cause));
    }
  }
  return E.right({
    write: writeTo(stream),
    commit: async () => {
      const failed = await ended(stream);
      if (failed !== undefined) {
        await abort();
        return E.left(failed);
      }
      try {
        if (placement === 'replace') await rename(partial, path);
        else await placeUnlessTaken(partial, path);
        unfinished.delete(partial);
        return E.right(undefined);
      } catch (cause) {
        await abort();
        return E.left(errorOf(cause));
      }
    },
    abort,
  });
};

/** Filesystems without hard links (FAT, some FUSE mounts) refuse `link` with one of these. */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Puts the finished file at `path` only if nothing is there: `link` fails on a file that appeared there
 * meanwhile, where `rename` would replace it. Where a filesystem has no hard links, an exclusive copy of the
 * file does the same.
 */
const placeUnlessTaken = async (partial: string, path: string): Promise<void> => {
  try {
    await link(partial, path);
  } catch (cause) {
    if (!NO_HARD_LINKS.has(codeOf(cause))) throw cause;
    await copyFile(partial, path, fsConstants.COPYFILE_EXCL);
  }
  await rm(partial);
};
