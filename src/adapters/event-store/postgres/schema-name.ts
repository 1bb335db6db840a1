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
 * Reads `?schema=` off a `postgres://` URL, as the CLI and the example host take it. A connection string
 * that is no URL (libpq's `key=value` form) names none and is kept as it is.
 */
export const schemaInUrl = (connectionString: string): SchemaInUrl => {
  let parsed: URL;
  try {
    parsed = new URL(connectionString);
  } catch {
    return { connectionString, schema: undefined };
  }
  const schema = parsed.searchParams.get('schema');
  if (schema === null) return { connectionString, schema: undefined };
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
};
