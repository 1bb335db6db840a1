import * as E from 'fp-ts/Either';
import { lstat } from 'node:fs/promises';
import type { EnvelopeRestorer } from '../engine/audit/ndjson';
import { ndjsonLineOf } from '../engine/audit/ndjson';
import { CliError, failure } from './cli-error';
import { openPartialFile } from './partial-file';
import { openPostgresTarget } from './postgres-locations';
import { filePathOf, handlerFor, schemaNotTaken } from './url-registry';
import { messageOf } from '../engine/error-message';

/** Where an import goes: it takes envelopes as they are, then is committed whole or dropped. */
export interface OpenedTarget {
  /**
   * Where the events go, as the import's summary shows it: with what the URL leaves to defaults or options
   * (a schema), and no password. The URL without its password when not given.
   */
  readonly shownAs?: string;
  readonly restorer: EnvelopeRestorer;
  readonly commit: () => Promise<E.Either<CliError, void>>;
  readonly abort: () => Promise<void>;
}

export interface TargetContext {
  readonly cwd: string;
  /** `--schema`: where a database keeps the store, for the schemes that have schemas. */
  readonly schema?: string;
}

export type ImportTargetOpener = (url: string, context: TargetContext) => Promise<E.Either<CliError, OpenedTarget>>;

export type ImportTargetRegistry = ReadonlyMap<string, ImportTargetOpener>;

/** Whether anything is at `path`, a symbolic link to nothing included, which the commit would refuse to replace. */
const exists = async (path: string): Promise<boolean> =>
  lstat(path).then(
    () => true,
    () => false,
  );

/**
 * `file:` — a new NDJSON file holding the imported events, put into place only when every line was
 * good, so a failed import leaves nothing behind. An existing file is never overwritten, even one that
 * appeared during the import.
 */
export const openFileTarget: ImportTargetOpener = async (url, { cwd, schema }) => {
  const schemaless = schemaNotTaken(url, schema);
  if (E.isLeft(schemaless)) return schemaless;
  const path = filePathOf(url, cwd);
  if (E.isLeft(path)) return path;
  const alreadyThere = failure('TARGET_EXISTS', `the target ${url} already exists: import into a new file`);
  // Refused here before any line is read; the commit refuses what appeared at the path since.
  if (await exists(path.right)) return E.left(alreadyThere);
  const cannotWrite = (cause: Error): CliError => failure('TARGET_UNWRITABLE', `cannot write the target ${url}: ${cause.message}`);
  const file = await openPartialFile(path.right, 'create');
  if (E.isLeft(file)) return E.left(cannotWrite(file.left));
  const { write, commit, abort } = file.right;
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
    commit: async () => E.mapLeft((cause: Error) => ('code' in cause && cause.code === 'EEXIST' ? alreadyThere : cannotWrite(cause)))(await commit()),
    abort,
  });
};

export const defaultImportTargets: ImportTargetRegistry = new Map([
  ['file:', openFileTarget],
  ['postgres:', openPostgresTarget],
  ['postgresql:', openPostgresTarget],
]);

/** What opens the target a URL names, or why none does (bad usage): known before anything is opened. */
export const targetOpenerFor = (registry: ImportTargetRegistry, url: string): E.Either<CliError, ImportTargetOpener> => handlerFor(registry, url, 'the target', 'file:./copy.ndjson');
