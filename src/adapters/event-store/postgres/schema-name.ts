/*
 * Apart from the store's other SQL names so that the CLI can check a name without loading pg, an optional
 * peer it loads only when a postgres:// URL is used.
 */

/** PostgreSQL's NAMEDATALEN - 1: it cuts longer identifiers short, silently, so two long names could be one. */
export const MAX_SCHEMA_NAME_BYTES = 63;

/** Why `name` cannot name a store's schema, if it cannot. */
export const schemaNameProblem = (name: string): string | undefined => {
  if (name === '') return 'a schema name cannot be empty';
  const bytes = Buffer.byteLength(name, 'utf8');
  return bytes > MAX_SCHEMA_NAME_BYTES ? `schema name ${JSON.stringify(name)} is ${bytes} bytes; PostgreSQL keeps only the first ${MAX_SCHEMA_NAME_BYTES}` : undefined;
};

/** A connection string with the schema its `?schema=` names taken off: the driver would ignore it. */
export interface SchemaInUrl {
  readonly connectionString: string;
  readonly schema: string | undefined;
}

/**
 * Reads `?schema=` off a PostgreSQL connection string, as the CLI and the example host take it, leaving the
 * rest as it was written: taken apart by hand rather than as a URL, since pg also accepts what a URL parser
 * refuses (`postgres://user@/db?host=/var/run/postgresql`). A libpq `key=value` string names none.
 */
export const schemaInUrl = (connectionString: string): SchemaInUrl => {
  const query = connectionString.indexOf('?');
  if (query < 0) return { connectionString, schema: undefined };
  const parameters = connectionString.slice(query + 1).split('&');
  const named = parameters.find((parameter) => parameter.startsWith('schema='));
  if (named === undefined) return { connectionString, schema: undefined };
  let schema: string;
  try {
    schema = decodeURIComponent(named.slice('schema='.length).replace(/\+/g, ' '));
  } catch {
    schema = named.slice('schema='.length);
  }
  const rest = parameters.filter((parameter) => !parameter.startsWith('schema='));
  return { connectionString: `${connectionString.slice(0, query)}${rest.length === 0 ? '' : `?${rest.join('&')}`}`, schema };
};
