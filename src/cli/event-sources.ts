import * as E from 'fp-ts/Either';
import { MemoryEventStore } from '../adapters/event-store/memory/memory-event-store';
import { importNdjson } from '../engine/audit/ndjson';
import type { EventStore } from '../engine/event-store/event-store';
import { CliError, EXIT_USAGE, failure, usageError } from './cli-error';
import { openEventStoreDbSource } from './eventstoredb-source';
import { openNdjsonFile } from './ndjson-file';
import { openPostgresSource } from './postgres-locations';
import type { ProgressFactory } from './progress';
import { handlerFor, schemaNotTaken } from './url-registry';

/** An open event store to read from, and how to let it go. */
export interface OpenedSource {
  readonly store: EventStore;
  readonly close: () => Promise<void>;
}

export interface SourceContext {
  readonly cwd: string;
  readonly progress: ProgressFactory;
  /** `--schema`: where a database keeps the store, for the schemes that have schemas. */
  readonly schema?: string;
}

/** Opens the event store a URL of one scheme names. */
export type EventSourceOpener = (url: string, context: SourceContext) => Promise<E.Either<CliError, OpenedSource>>;

export type EventSourceRegistry = ReadonlyMap<string, EventSourceOpener>;

/**
 * `file:` — an NDJSON export, loaded as it is into an in-memory store, so a damaged file stays damaged for
 * `verify` to find.
 */
export const openFileSource: EventSourceOpener = async (url, context) => {
  const schemaless = schemaNotTaken(url, context.schema);
  if (E.isLeft(schemaless)) return schemaless;
  const file = await openNdjsonFile(url, context.cwd);
  // A `file:` URL that names no file is bad usage, not a source that cannot be read.
  if (E.isLeft(file) && file.left.exitCode === EXIT_USAGE) return file;
  if (E.isLeft(file)) return E.left(failure('SOURCE_UNREADABLE', file.left.message.replace(/^cannot read /, 'cannot read the source ')));
  const { lines, size, bytesRead, close } = file.right;
  const store = new MemoryEventStore();
  const progress = context.progress(`loading ${url}`, 'bytes');
  const loaded = await importNdjson(lines, store, { onProgress: () => progress.update(bytesRead(), size) });
  progress.stop();
  close();
  if (E.isLeft(loaded)) {
    await store.close();
    return E.left(failure('SOURCE_UNREADABLE', `cannot read the source ${url}: ${loaded.left.message}`));
  }
  return E.right({ store, close: () => store.close() });
};

export const defaultEventSources: EventSourceRegistry = new Map([
  ['file:', openFileSource],
  ['postgres:', openPostgresSource],
  ['postgresql:', openPostgresSource],
  ['esdb:', openEventStoreDbSource],
  ['esdb+discover:', openEventStoreDbSource],
]);

/** Opens `url` (from `--source` or `ORDERSOURCE_SOURCE`) with the registry's opener for its scheme. */
export const openSource = async (registry: EventSourceRegistry, url: string | undefined, context: SourceContext): Promise<E.Either<CliError, OpenedSource>> => {
  if (url === undefined || url === '') return E.left(usageError('NO_SOURCE', 'no event source: pass --source file:./events.ndjson or set ORDERSOURCE_SOURCE'));
  const opener = handlerFor(registry, url, 'the source');
  return E.isLeft(opener) ? opener : opener.right(url, context);
};
