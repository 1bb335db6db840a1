import * as E from 'fp-ts/Either';
import { failure, usageError } from './cli-error';
import { driverLoadFailure } from './driver-package';
import type { EventSourceOpener } from './event-sources';
import { displayUrl, schemaNotTaken } from './url-registry';

/**
 * `esdb://` (and `esdb+discover://`) — an EventStoreDB node or cluster, e.g. `esdb://localhost:2113?tls=false`.
 * `@eventstore/db-client` is an optional peer dependency, loaded only when such a URL is used.
 */
export const openEventStoreDbSource: EventSourceOpener = async (url, { schema }) => {
  const schemaless = schemaNotTaken(url, schema);
  if (E.isLeft(schemaless)) return schemaless;
  let adapter: typeof import('../adapters/event-store/eventstoredb/eventstoredb-event-store');
  try {
    adapter = await import('../adapters/event-store/eventstoredb/eventstoredb-event-store');
  } catch (error) {
    return E.left(failure('SOURCE_UNREADABLE', `cannot open the source ${displayUrl(url)}: ${driverLoadFailure(error, 'esdb://', '@eventstore/db-client')}`));
  }
  const store = adapter.EventStoreDbEventStore.fromConnectionString(url);
  if (E.isLeft(store)) return E.left(usageError('INVALID_URL', `the source ${displayUrl(url)} is not an EventStoreDB connection string: ${store.left.message}`));
  return E.right({ store: store.right, close: () => store.right.close() });
};
