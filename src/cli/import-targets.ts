import * as E from 'fp-ts/Either';
import { createWriteStream, WriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import type { EnvelopeRestorer } from '../engine/audit/ndjson';
import { ndjsonLineOf } from '../engine/audit/ndjson';
import { CliError, failure } from './cli-error';
import { writeTo } from './text-output';
import { filePathOf, handlerFor } from './url-registry';

/** Where an import goes: it takes envelopes as they are, then is committed whole or dropped. */
export interface OpenedTarget {
  readonly restorer: EnvelopeRestorer;
  readonly commit: () => Promise<E.Either<CliError, void>>;
  readonly abort: () => Promise<void>;
}

export type ImportTargetOpener = (url: string, cwd: string) => Promise<E.Either<CliError, OpenedTarget>>;

export type ImportTargetRegistry = ReadonlyMap<string, ImportTargetOpener>;

const exists = async (path: string): Promise<boolean> =>
  stat(path).then(
    () => true,
    () => false,
  );

const messageOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

const closed = (stream: WriteStream): Promise<void> =>
  new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });

/**
 * `file:` — a new NDJSON file holding the imported events, written beside it under a temporary name and
 * renamed into place only when every line was good, so a failed import leaves nothing behind. An existing
 * file is never overwritten.
 */
export const openFileTarget: ImportTargetOpener = async (url, cwd) => {
  const path = filePathOf(url, cwd);
  if (E.isLeft(path)) return path;
  if (await exists(path.right)) return E.left(failure('TARGET_EXISTS', `the target ${url} already exists: import into a new file`));
  const partial = `${path.right}.partial-${process.pid}`;
  const stream = createWriteStream(partial, { flags: 'wx', encoding: 'utf8' });
  const opened = await new Promise<E.Either<CliError, void>>((resolve) => {
    stream.once('open', () => resolve(E.right(undefined)));
    stream.once('error', (cause) => resolve(E.left(failure('TARGET_UNWRITABLE', `cannot write the target ${url}: ${messageOf(cause)}`))));
  });
  if (E.isLeft(opened)) return opened;
  const write = writeTo(stream);
  return E.right({
    restorer: {
      restore: async (envelopes) => {
        try {
          await write(envelopes.map(ndjsonLineOf).join(''));
          return E.right(undefined);
        } catch (cause) {
          return E.left({ code: 'STORE_UNAVAILABLE', message: `cannot write the target ${url}: ${messageOf(cause)}` });
        }
      },
    },
    commit: async () => {
      try {
        await closed(stream);
        await rename(partial, path.right);
        return E.right(undefined);
      } catch (cause) {
        await rm(partial, { force: true });
        return E.left(failure('TARGET_UNWRITABLE', `cannot write the target ${url}: ${messageOf(cause)}`));
      }
    },
    abort: async () => {
      stream.destroy();
      await rm(partial, { force: true });
    },
  });
};

export const defaultImportTargets: ImportTargetRegistry = new Map([['file:', openFileTarget]]);

export const openTarget = async (registry: ImportTargetRegistry, url: string, cwd: string): Promise<E.Either<CliError, OpenedTarget>> => {
  const opener = handlerFor(registry, url, 'the target');
  return E.isLeft(opener) ? opener : opener.right(url, cwd);
};
