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
 * The query parameters of a PostgreSQL connection string, taken apart by hand rather than as a URL, since pg
 * also accepts what a URL parser refuses (`postgres://user@/db?host=/var/run/postgresql`). A libpq
 * `key=value` string has none.
 */
const queryOf = (connectionString: string): { readonly base: string; readonly parameters: readonly string[] } => {
  const query = connectionString.indexOf('?');
  return query < 0 ? { base: connectionString, parameters: [] } : { base: connectionString.slice(0, query), parameters: connectionString.slice(query + 1).split('&') };
};

const isSchemaParameter = (parameter: string): boolean => parameter.startsWith('schema=');

const schemaOfParameter = (parameter: string): string => {
  const value = parameter.slice('schema='.length);
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
};

/**
 * Every schema a connection string's `?schema=` parameters name, in order: more than one different name
 * leaves which one is meant to a guess, which a caller should refuse.
 */
export const schemasInUrl = (connectionString: string): readonly string[] => queryOf(connectionString).parameters.filter(isSchemaParameter).map(schemaOfParameter);

/** Why a URL's `?schema=` parameters cannot be taken: they name two schemas, and the first would win in silence. */
export const schemasInUrlProblem = (connectionString: string): string | undefined => {
  const named = [...new Set(schemasInUrl(connectionString))];
  return named.length > 1 ? `names schemas ${named.map((schema) => JSON.stringify(schema)).join(' and ')}: name one` : undefined;
};

/**
 * Reads `?schema=` off a PostgreSQL connection string, as the CLI and the example host take it, leaving the
 * rest as it was written (the first, if several name one; see `schemasInUrl`).
 */
export const schemaInUrl = (connectionString: string): SchemaInUrl => {
  const { base, parameters } = queryOf(connectionString);
  const named = parameters.find(isSchemaParameter);
  if (named === undefined) return { connectionString, schema: undefined };
  const rest = parameters.filter((parameter) => !isSchemaParameter(parameter));
  return { connectionString: `${base}${rest.length === 0 ? '' : `?${rest.join('&')}`}`, schema: schemaOfParameter(named) };
};
