import * as E from 'fp-ts/Either';
import { MemoryReadModelStore } from '../adapters/read-model/memory/memory-read-model-store';
import type { ReadModelStore } from '../projections/read-model-store';
import type { CliError } from './cli-error';
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

/** A `postgres://` read-model store, when its adapter lands, is one more entry here. */
export const defaultReadModels: ReadModelRegistry = new Map([['memory:', openMemoryReadModel]]);

export const openReadModel = async (registry: ReadModelRegistry, url: string, context: ReadModelContext): Promise<E.Either<CliError, OpenedReadModel>> => {
  const opener = handlerFor(registry, url, 'the read model', DEFAULT_READ_MODEL);
  return E.isLeft(opener) ? opener : opener.right(url, context);
};
