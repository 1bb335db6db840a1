import { createHash } from 'node:crypto';
import { escapeIdentifier } from 'pg';
import { schemaNameProblem } from './schema-name';

export const DEFAULT_SCHEMA = 'ordersource';

/**
 * The SQL names of one store's objects. The schema name is quoted, never validated against a pattern, so any
 * name a caller picks is safe to splice into statements; only one longer than PostgreSQL keeps is refused.
 */
export interface StoreSchema {
  readonly name: string;
  readonly quotedName: string;
  readonly events: string;
  readonly streams: string;
  readonly globalPosition: string;
  readonly migrations: string;
  /** The function an append round calls (see `append-function.ts`). */
  readonly appendFunction: string;
  /**
   * The NOTIFY channel appends signal on. A digest of the schema name keeps it unique per schema and under
   * PostgreSQL's 63-byte identifier limit whatever the name's length.
   */
  readonly channel: string;
  /**
   * Prefixes the names of prepared statements: node-postgres refuses one name for two different texts, and
   * PostgreSQL truncates names past 63 bytes.
   */
  readonly statementPrefix: string;
}

/** Throws a RangeError for a name `schemaNameProblem` refuses: a configuration mistake, found at construction. */
export const storeSchema = (name: string): StoreSchema => {
  const problem = schemaNameProblem(name);
  if (problem !== undefined) throw new RangeError(problem);
  const quotedName = escapeIdentifier(name);
  const digest = createHash('sha256').update(name).digest('hex');
  return {
    name,
    quotedName,
    events: `${quotedName}.events`,
    streams: `${quotedName}.streams`,
    globalPosition: `${quotedName}.global_position`,
    migrations: `${quotedName}.schema_migrations`,
    appendFunction: `${quotedName}.append_events`,
    channel: `ordersource_appended_${digest.slice(0, 32)}`,
    statementPrefix: `ordersource_${digest.slice(0, 16)}_`,
  };
};
