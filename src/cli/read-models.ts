import * as E from 'fp-ts/Either';
import { MemoryReadModelStore } from '../adapters/read-model/memory/memory-read-model-store';
import type { ReadModelStore } from '../projections/read-model-store';
import { CliError, failure } from './cli-error';
import { postgresLocation } from './postgres-locations';
import { handlerFor } from './url-registry';

/** An open read-model store to rebuild into, and how to let it go. */
export interface OpenedReadModel {
  readonly store: ReadModelStore;
  readonly close: () => Promise<void>;
}

export interface ReadModelContext {
  readonly cwd: string;
}

/** Opens the read-model store a URL of one scheme names. */
export type ReadModelOpener = (url: string, context: ReadModelContext) => Promise<E.Either<CliError, OpenedReadModel>>;

export type ReadModelRegistry = ReadonlyMap<string, ReadModelOpener>;

/** Where `rebuild` writes when `--read-model` is not given. */
export const DEFAULT_READ_MODEL = 'memory:';

/**
 * `memory:` — a store that lives as long as the command: the rebuild proves that every event applies and
 * says what it would write, and keeps nothing.
 */
export const openMemoryReadModel: ReadModelOpener = () => {
  const store = new MemoryReadModelStore();
  return Promise.resolve(E.right({ store, close: () => store.close() }));
};

/**
 * `postgres://…[?schema=name]` — the PostgreSQL read-model store (schema `ordersource_read` by default),
 * kept after the run. The adapter, and so `pg`, is loaded only when such a URL is used.
 */
export const openPostgresReadModel: ReadModelOpener = async (url) => {
  const location = postgresLocation(url);
  if (E.isLeft(location)) return location;
  const { connectionString, schema } = location.right;
  const { PostgresReadModelStore } = await import('../adapters/read-model/postgres/postgres-read-model-store');
  const opened = await PostgresReadModelStore.open({ connection: { connectionString }, ...(schema === undefined ? {} : { schema }) });
  return E.isLeft(opened)
    ? E.left(failure(opened.left.code, `cannot open the PostgreSQL read models: ${opened.left.message}`))
    : E.right({ store: opened.right, close: () => opened.right.close() });
};

export const defaultReadModels: ReadModelRegistry = new Map([
  ['memory:', openMemoryReadModel],
  ['postgres:', openPostgresReadModel],
  ['postgresql:', openPostgresReadModel],
]);

/** What opens the read models a URL names, or why none does (bad usage): known before anything is opened. */
export const readModelOpenerFor = (registry: ReadModelRegistry, url: string): E.Either<CliError, ReadModelOpener> => handlerFor(registry, url, 'the read model', DEFAULT_READ_MODEL);
