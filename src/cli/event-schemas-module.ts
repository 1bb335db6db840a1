import * as E from 'fp-ts/Either';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { eventSchemaDefinitions } from '../engine/schema/current-event-schemas';
import { EventSchemas, MAX_SCHEMA_VERSION } from '../engine/schema/event-schemas';
import { messageOf, shownValue } from '../engine/error-message';
import { CliError, usageError } from './cli-error';
import { reasonOf } from './ndjson-file';

/** `$ORDERSOURCE_SCHEMAS`: the host's event schemas module, when `--schemas` is not given. */
export const SCHEMAS_ENV = 'ORDERSOURCE_SCHEMAS';

/** A module that exports schemas, as the help shows it. */
export const SCHEMAS_MODULE_EXAMPLE = [
  "const { eventSchemas, eventSchemaDefinitions } = require('ordersource');",
  'exports.schemas = eventSchemas({',
  '  ...eventSchemaDefinitions,',
  '  CartOpened: { version: 2, upcasters: { 1: ({ shopper, ...data }) => ({ ...data, customerId: shopper }) } },',
  '});',
] as const;

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null;

/**
 * What a module threw on load, without the require stack Node appends to a missing module, and with the
 * file and line of a syntax error, which Node keeps only at the head of its stack (the error may be in a
 * file the module requires).
 */
const loadFailure = (thrown: unknown): string => {
  // Read off the value rather than through instanceof: what a module throws may come from another realm.
  const { name: kind, stack } = (thrown ?? {}) as { readonly name?: unknown; readonly stack?: unknown };
  const name = typeof kind === 'string' && kind !== 'Error' ? `${kind}: ` : '';
  // Node's own syntax errors open their stack with the file and line; one a module throws itself (a parser's,
  // whose message may end in a line number too) opens it with its name and message, which say it already.
  const head = typeof stack === 'string' ? stack.split('\n', 1)[0] : undefined;
  const where = kind === 'SyntaxError' && head !== undefined && !head.startsWith('SyntaxError') ? /^(.+:\d+)$/.exec(head)?.[1] : undefined;
  return `${name}${messageOf(thrown).replace(/\n\s*Require stack:[\s\S]*$/, '')}${where === undefined ? '' : ` (${where})`}`;
};

/** The versions the module gave the engine's event types when it was checked. */
type CheckedVersions = ReadonlyMap<string, number>;

/**
 * `value` as an `EventSchemas` with the version it gives each event type the engine stores, or what is wrong
 * with it: the shape `eventSchemas()` builds, an object with `currentVersion` and `upcast`, whose
 * `currentVersion` gives each of those types a version a store keeps. Asked once here, so that a module that
 * exports something else is told at once, not as a crash on the first event read, and the versions read
 * with are the very ones checked.
 */
const checkedSchemas = (value: unknown): E.Either<string, { readonly schemas: EventSchemas; readonly versions: CheckedVersions }> => {
  if (!isRecord(value) && typeof value !== 'function') return E.left(`${shownValue(value)}`);
  if (typeof (value as { then?: unknown }).then === 'function') return E.left('a Promise (the CLI takes schemas built when the module loads, not awaited)');
  const { currentVersion, upcast } = value as { readonly currentVersion?: unknown; readonly upcast?: unknown };
  if (typeof currentVersion !== 'function' || typeof upcast !== 'function') {
    const looksLikeDefinitions = Object.values(value).some((d) => isRecord(d) && 'version' in d && 'upcasters' in d);
    return E.left(
      looksLikeDefinitions ? 'event schema definitions, not schemas: pass them through eventSchemas(...)' : 'an object without the currentVersion and upcast functions eventSchemas(...) gives',
    );
  }
  const versions = new Map<string, number>();
  for (const type of Object.keys(eventSchemaDefinitions)) {
    let version: unknown;
    try {
      version = (currentVersion as (type: string) => unknown).call(value, type);
    } catch (thrown) {
      return E.left(`schemas whose currentVersion(${JSON.stringify(type)}) throws: ${messageOf(thrown)}`);
    }
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > MAX_SCHEMA_VERSION) {
      return E.left(`schemas whose currentVersion(${JSON.stringify(type)}) is ${shownValue(version)}, not a whole number from 1 to ${MAX_SCHEMA_VERSION}`);
    }
    versions.set(type, version);
  }
  return E.right({ schemas: value as unknown as EventSchemas, versions });
};

/** What `upcast` answers: the data, or why there is none. */
const isUpcast = (value: unknown): value is E.Either<string, unknown> =>
  isRecord(value) && ((value['_tag'] === 'Right' && 'right' in value) || (value['_tag'] === 'Left' && typeof value['left'] === 'string'));

/**
 * The schemas as the engine reads with them: the versions of the engine's event types as the module gave
 * them when it was checked (so that no version asked for while events are read can throw, or change), any
 * other type's from the module, at version 1 if asking throws (as a type the schemas do not list is), and
 * an `upcast` that answers something other than an Either makes that event unreadable rather than crash the run.
 */
const guardedSchemas = (schemas: EventSchemas, versions: CheckedVersions): EventSchemas => ({
  currentVersion: (type) => versions.get(type) ?? versionOfUnlisted(schemas, type),
  upcast: (envelope) => {
    const upcast: unknown = schemas.upcast(envelope);
    return isUpcast(upcast) ? upcast : E.left(`the --schemas module's upcast answered ${shownValue(upcast)}, not an Either`);
  },
});

const versionOfUnlisted = (schemas: EventSchemas, type: string): number => {
  try {
    const version: unknown = schemas.currentVersion(type);
    return typeof version === 'number' ? version : 1;
  } catch {
    return 1;
  }
};

/** What a module exports as its schemas: `schemas`, else its default export (`export default`, or `module.exports =` itself). */
const exportedSchemas = (exported: unknown): { readonly value: unknown; readonly as: string } | undefined => {
  if (isRecord(exported) && 'schemas' in exported) return { value: exported['schemas'], as: 'its export schemas' };
  // An ES module required (or compiled to CommonJS) has its default export at `default`.
  if (isRecord(exported) && exported['__esModule'] === true && 'default' in exported) return { value: exported['default'], as: 'its default export' };
  if (isRecord(exported) && Object.prototype.toString.call(exported) === '[object Module]') {
    return 'default' in exported ? { value: exported['default'], as: 'its default export' } : undefined;
  }
  return { value: exported, as: 'module.exports' };
};

/**
 * The host's event schemas from the module at `location` (a path, relative to `cwd`), loaded with `require`:
 * CommonJS, or an ES module without top-level await on a Node that can require one (20.19 and later). A
 * module that is not there, that throws while loading, or that exports no `EventSchemas` is bad usage,
 * told in one line that names the path and where it came from (`what`: `--schemas` or the environment).
 */
export const loadEventSchemas = async (location: string, cwd: string, what = '--schemas'): Promise<E.Either<CliError, EventSchemas>> => {
  if (location === '') return E.left(usageError('INVALID_ARGUMENT', `${what} names no module: the path is empty`));
  const named = `${what} ${location}`;
  const path = resolve(cwd, location);
  try {
    const info = await stat(path);
    if (!info.isFile()) return E.left(usageError('SCHEMAS_MODULE_NOT_FOUND', `cannot load ${named}: not a file`));
  } catch (cause) {
    // The path looked for, as a `~` the shell did not expand (in `--schemas=~/…`, say) stays a directory name.
    return E.left(usageError('SCHEMAS_MODULE_NOT_FOUND', `cannot load ${named}: ${reasonOf(cause)} (looked for ${path})`));
  }
  let exported: unknown;
  try {
    // `path` is absolute; the module's own requires (`require('ordersource')`) resolve from its directory,
    // as any module's do, so a module in the host's project gets the host's installation.
    exported = createRequire(join(cwd, '[--schemas]'))(path);
  } catch (thrown) {
    const code = (thrown as { code?: unknown } | null)?.code;
    if (code === 'ERR_REQUIRE_ASYNC_MODULE') {
      return E.left(usageError('SCHEMAS_MODULE_FAILED', `cannot load ${named}: an ES module with top-level await cannot be required; build the schemas without await, or write the module as CommonJS (.cjs)`));
    }
    if (code === 'ERR_REQUIRE_ESM') {
      return E.left(usageError('SCHEMAS_MODULE_FAILED', `cannot load ${named}: Node ${process.version} cannot require an ES module (Node 20.19 and later can); write it as CommonJS (.cjs) or use a newer Node`));
    }
    return E.left(usageError('SCHEMAS_MODULE_FAILED', `cannot load ${named}: loading it threw: ${loadFailure(thrown)}`));
  }
  try {
    const exportedValue = exportedSchemas(exported);
    if (exportedValue === undefined) {
      return E.left(usageError('INVALID_SCHEMAS', `${named} exports neither schemas nor a default export: export eventSchemas(...) as one of them`));
    }
    const checked = checkedSchemas(exportedValue.value);
    if (E.isLeft(checked)) {
      return E.left(usageError('INVALID_SCHEMAS', `${named} exports no event schemas: ${exportedValue.as} is ${checked.left}; export eventSchemas(...) as schemas or as the default export`));
    }
    return E.right(guardedSchemas(checked.right.schemas, checked.right.versions));
  } catch (thrown) {
    // An export read through a getter, or a Proxy, is the module's code too.
    return E.left(usageError('INVALID_SCHEMAS', `${named} exports no event schemas: reading its exports threw: ${loadFailure(thrown)}`));
  }
};

/** `--schemas`, else `$ORDERSOURCE_SCHEMAS` (an empty one is unset), loaded; none: the engine's own schemas. */
export const eventSchemasOption = async (
  option: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Promise<E.Either<CliError, EventSchemas | undefined>> => {
  const fromEnv = env[SCHEMAS_ENV];
  const location = option ?? (fromEnv === '' ? undefined : fromEnv);
  if (location === undefined) return E.right(undefined);
  return loadEventSchemas(location, cwd, option === undefined ? `$${SCHEMAS_ENV}` : '--schemas');
};
