import { createHash } from 'crypto';

/**
 * Schema names are plain lower-case identifiers, so that operators can type them in their own SQL unquoted.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const DEFAULT_SCHEMA = 'ordersource_read';

export const schemaNameProblem = (schema: string): string | undefined =>
  SCHEMA_NAME.test(schema) ? undefined : `schema name ${JSON.stringify(schema)} is not lower-case letters, digits and _ (at most 63)`;

export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;

export const qualifiedName = (schema: string, name: string): string => `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;

const digestOf = (identity: string): Buffer => createHash('sha256').update(identity).digest();

/**
 * A table or index name that a person can still recognise (its parts, cut short) and that is unique for
 * `identity` (a hash of it): PostgreSQL truncates names to 63 bytes, and projection, version and collection
 * together may be longer. Every part is ASCII, so characters are bytes.
 */
export const derivedName = (parts: readonly string[], identity: string): string =>
  `${parts.join('_').slice(0, 50)}_${digestOf(identity).toString('hex').slice(0, 12)}`;

/** A key for `pg_advisory_xact_lock`, which takes one bigint: the first 64 bits of a hash of `parts`. */
export const advisoryLockKey = (...parts: readonly string[]): string => digestOf(parts.join('\u0000')).readBigInt64BE(0).toString();
