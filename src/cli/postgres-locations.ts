import * as E from 'fp-ts/Either';
import type { Pool } from 'pg';
import { type SchemaInUrl, schemaInUrl, schemaNameProblem, schemasInUrlProblem } from '../adapters/event-store/postgres/schema-name';
import { CliError, failure, usageError } from './cli-error';
import { driverLoadFailure } from './driver-package';
import type { EventSourceOpener } from './event-sources';
import type { ImportTargetOpener } from './import-targets';
import { displayUrl } from './url-registry';
import { messageOf } from '../engine/error-message';

/** The schema `--schema` names when it is not given: the PostgreSQL event store's own default. */
export const DEFAULT_POSTGRES_SCHEMA = 'ordersource';


/** `pg` is an optional peer dependency: loaded only when a `postgres://` URL is used. */
const newPool = async (url: string, code: string, what: string): Promise<E.Either<CliError, Pool>> => {
  try {
    const { Pool: PgPool } = await import('pg');
    const pool = new PgPool({ connectionString: url, connectionTimeoutMillis: 10_000 });
    // An idle client whose server went away emits 'error'; unheard, that would end the process mid-command.
    pool.on('error', () => undefined);
    return E.right(pool);
  } catch (error) {
    return E.left(failure(code, `cannot open ${what} ${displayUrl(url)}: ${driverLoadFailure(error, 'postgres://', 'pg')}`));
  }
};

const StoreTables = ['events', 'streams', 'global_position'] as const;

/**
 * Reads `?schema=` off a PostgreSQL URL (`schemaInUrl`, as the store itself does), checked: a URL that does
 * not parse is bad usage, a URL that names two schemas too, and `--schema`, when given, must agree with it.
 */
export const postgresLocation = (url: string, schemaOption?: string): E.Either<CliError, SchemaInUrl> => {
  try {
    new URL(url);
  } catch (error) {
    return E.left(usageError('INVALID_URL', `${displayUrl(url)} is not a PostgreSQL URL: ${messageOf(error)}`));
  }
  const twoSchemas = schemasInUrlProblem(url);
  if (twoSchemas !== undefined) return E.left(usageError('INVALID_ARGUMENT', `${displayUrl(url)} ${twoSchemas}`));
  const { connectionString, schema: named } = schemaInUrl(url);
  if (named !== undefined && schemaOption !== undefined && named !== schemaOption) {
    return E.left(usageError('INVALID_ARGUMENT', `the URL names schema ${JSON.stringify(named)} and --schema ${JSON.stringify(schemaOption)}: name one`));
  }
  const schema = named ?? schemaOption;
  const problem = schema === undefined ? undefined : schemaNameProblem(schema);
  if (problem !== undefined) return E.left(usageError('INVALID_ARGUMENT', problem));
  return E.right({ connectionString, schema });
};

/**
 * `postgres://` (or `postgresql://`) — an existing PostgreSQL event store, in the schema `?schema=` or `--schema` names. A
 * schema without the store's tables is refused: reading it must not create them.
 */
export const openPostgresSource: EventSourceOpener = async (url, context) => {
  const location = postgresLocation(url, context.schema);
  if (E.isLeft(location)) return location;
  const schema = location.right.schema ?? DEFAULT_POSTGRES_SCHEMA;
  const pool = await newPool(location.right.connectionString, 'SOURCE_UNREADABLE', 'the source');
  if (E.isLeft(pool)) return pool;
  const cannotRead = async (reason: string): Promise<E.Either<CliError, never>> => {
    await pool.right.end();
    return E.left(failure('SOURCE_UNREADABLE', `cannot read the source ${displayUrl(url)}: ${reason}`));
  };
  try {
    const found = await pool.right.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name = ANY($2::text[])', [
      schema,
      [...StoreTables],
    ]);
    if (found.rows.length < StoreTables.length) {
      // `--schema ./schemas.js` is most likely `--schemas` without its s: say so, beside the schema's answer.
      const moduleMeant = /\.[cm]?js$|[/\\]/.test(schema) ? '; --schemas, with an s, takes a module of event schemas' : '';
      return cannotRead(`schema ${JSON.stringify(schema)} holds no ordersource event store (name another with ?schema= or --schema${moduleMeant})`);
    }
  } catch (error) {
    return cannotRead(messageOf(error));
  }
  try {
    const { PostgresEventStore } = await import('../adapters/event-store/postgres/postgres-event-store');
    const store = new PostgresEventStore(pool.right, { schema });
    return E.right({
      store,
      close: async () => {
        await store.close();
        await pool.right.end();
      },
    });
  } catch (error) {
    return cannotRead(messageOf(error));
  }
};

/**
 * `postgres://` (or `postgresql://`) as an import target — the store in the schema `?schema=` or `--schema`
 * names, created if needed and refused if it holds events already. The events go in as they are, in one
 * transaction with the schema's creation: an import that fails, or is killed, leaves no schema it created.
 */
export const openPostgresTarget: ImportTargetOpener = async (url, context) => {
  const location = postgresLocation(url, context.schema);
  if (E.isLeft(location)) return location;
  const schema = location.right.schema ?? DEFAULT_POSTGRES_SCHEMA;
  const pool = await newPool(location.right.connectionString, 'TARGET_UNWRITABLE', 'the target');
  if (E.isLeft(pool)) return pool;
  const cannotImport = (code: string, reason: string): CliError => failure(code, `cannot import into ${displayUrl(url)}: ${reason}`);
  const { beginPostgresRestore } = await import('../adapters/event-store/postgres/postgres-restore');
  const restore = await beginPostgresRestore(pool.right, { schema });
  if (E.isLeft(restore)) {
    await pool.right.end();
    return E.left(cannotImport(restore.left.code === 'STORE_NOT_EMPTY' ? 'TARGET_EXISTS' : 'TARGET_UNWRITABLE', restore.left.message));
  }
  const { restore: restoreBatch, commit, abort } = restore.right;
  return E.right({
    shownAs: displayUrl(`${location.right.connectionString}${location.right.connectionString.includes('?') ? '&' : '?'}schema=${encodeURIComponent(schema)}`),
    restorer: { restore: restoreBatch },
    commit: async () => {
      const committed = await commit();
      await pool.right.end();
      return E.isLeft(committed) ? E.left(cannotImport('TARGET_UNWRITABLE', committed.left.message)) : E.right(undefined);
    },
    abort: async () => {
      await abort();
      await pool.right.end();
    },
  });
};
