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
