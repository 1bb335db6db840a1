import * as E from 'fp-ts/Either';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, usageError } from './cli-error';
import { messageOf } from '../engine/error-message';

/** `file:`, `postgres:`…: what a location URL starts with, lower-cased, colon included. */
const schemeOf = (url: string): string | undefined => /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase().concat(':');

/**
 * The handler registered for a URL's scheme. Sources and import targets are small registries keyed by
 * scheme, so that `postgres://` or `esdb://` are one entry each when their adapters arrive.
 */
export const handlerFor = <H>(registry: ReadonlyMap<string, H>, url: string, what: string, example = 'file:./events.ndjson'): E.Either<CliError, H> => {
  const scheme = schemeOf(url);
  const known = [...registry.keys()].join(', ');
  if (scheme === undefined) return E.left(usageError('INVALID_URL', `${what} must be a URL such as ${example}, not ${JSON.stringify(url.slice(0, 80))}`));
  const handler = registry.get(scheme);
  return handler === undefined ? E.left(usageError('UNSUPPORTED_URL', `${what} ${displayUrl(url)} is not supported: known schemes are ${known}`)) : E.right(handler);
};

/**
 * The path a `file:` URL names: `file:relative/path` and `file:./x` are relative to `cwd`, `file:/abs` and
 * `file:///abs` are absolute.
 */
export const filePathOf = (url: string, cwd: string): E.Either<CliError, string> => {
  if (url.startsWith('file://')) {
    try {
      return E.right(fileURLToPath(url));
    } catch (cause) {
      return E.left(usageError('INVALID_URL', `${url} is not a file URL: ${messageOf(cause)}`));
    }
  }
  const path = url.slice('file:'.length);
  if (path === '') return E.left(usageError('INVALID_URL', `${url} names no file`));
  return E.right(isAbsolute(path) ? path : resolve(cwd, path));
};

/** Query parameters that pg-connection-string takes as secrets: `?password=` even wins over the userinfo's. */
const SECRET_PARAMETERS: ReadonlySet<string> = new Set(['password', 'sslpassword']);

/**
 * A query (`?a=1&password=x`) with each secret parameter's value replaced by `***`. Every other parameter
 * keeps its bytes, so that the URL shown still names the same store; names are compared decoded, as the
 * driver reads them (`pass%77ord` is `password`).
 */
const withSecretsRedacted = (query: string): string =>
  query
    .split('&')
    .map((parameter) => {
      const [name] = new URLSearchParams(parameter).keys();
      return name !== undefined && SECRET_PARAMETERS.has(name) ? `${parameter.split('=')[0] ?? ''}=***` : parameter;
    })
    .join('&');

/**
 * A URL as it may be shown: without the password of its userinfo, and with `***` for the value of a
 * `?password=` or `?sslpassword=`. A URL that does not parse (pg still reads `postgres://u:p@/db`) is shown
 * with `***` for everything before its last `@` too, since where its password ends cannot be told.
 */
export const displayUrl = (url: string): string => {
  try {
    const parsed = new URL(url);
    const query = withSecretsRedacted(parsed.search);
    // Unchanged, the URL is shown as given: serialized, `file:./x` would read `file:///x`.
    if (parsed.password === '' && query === parsed.search) return url;
    parsed.password = '';
    parsed.search = query;
    return parsed.toString();
  } catch {
    // The userinfo ends at the last `@` before the query, unless an `@` is left in the query once its
    // secrets are hidden: then the password itself may hold a `?`, and everything up to the last `@` goes.
    const queryStart = url.indexOf('?');
    const beforeQuery = queryStart < 0 ? url : url.slice(0, queryStart);
    const query = queryStart < 0 ? undefined : withSecretsRedacted(url.slice(queryStart + 1));
    if (query?.includes('@') === true) return url.replace(USERINFO_TO_LAST_AT, '$1***@').replace(/\?.*$/s, '');
    const shown = beforeQuery.replace(USERINFO_TO_LAST_AT, '$1***@');
    return query === undefined ? shown : `${shown}?${query}`;
  }
};

const USERINFO_TO_LAST_AT = /^([a-z][a-z0-9+.-]*:\/\/).*@/is;

/**
 * `--schema` given for a location that has no schemas (a file, EventStoreDB): refused, since ignoring it would
 * let the user believe the schema named was read or written.
 */
export const schemaNotTaken = (url: string, schema: string | undefined): E.Either<CliError, void> =>
  schema === undefined ? E.right(undefined) : E.left(usageError('INVALID_ARGUMENT', `--schema ${JSON.stringify(schema)} names a PostgreSQL schema: ${displayUrl(url)} has no schemas`));
