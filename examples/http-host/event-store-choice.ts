import * as E from 'fp-ts/Either';
import { MemoryEventStore } from '../../src';
import type { EventStore } from '../../src';

/** Where events live, chosen by `ORDERSOURCE_EVENT_STORE`. */
export type EventStoreOpener = (url: string) => Promise<EventStore>;

/** The store's tables live in the schema the URL's `?schema=` names, `ordersource` by default. */
const openPostgres: EventStoreOpener = async (url) => {
  // Loaded on demand, so that the in-memory host runs without the `pg` package.
  const { PostgresEventStore } = await import('../../src/adapters/event-store/postgres');
  return new PostgresEventStore(url);
};

const openEventStoreDb: EventStoreOpener = async (url) => {
  // Loaded on demand, so that other hosts run without the gRPC client.
  const { EventStoreDbEventStore } = await import('../../src/adapters/event-store/eventstoredb');
  const opened = EventStoreDbEventStore.fromConnectionString(url);
  if (E.isLeft(opened)) throw new Error(opened.left.message);
  return opened.right;
};

/** One entry per URL scheme. */
export const eventStoreOpeners: ReadonlyMap<string, EventStoreOpener> = new Map([
  ['memory:', async () => new MemoryEventStore()],
  ['postgres:', openPostgres],
  ['postgresql:', openPostgres],
  ['esdb:', openEventStoreDb],
]);

/** Opens the store `url` names; unset or empty means a fresh in-memory store. */
export const openEventStore = async (url: string | undefined): Promise<E.Either<string, EventStore>> => {
  const location = url === undefined || url === '' ? 'memory:' : url;
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(location)?.[1]?.toLowerCase();
  const opener = scheme === undefined ? undefined : eventStoreOpeners.get(scheme);
  if (opener === undefined) {
    return E.left(`ORDERSOURCE_EVENT_STORE=${location.replace(/\/\/[^@/]*@/, '//…@')} is not supported: use one of ${[...eventStoreOpeners.keys()].join(', ')}`);
  }
  try {
    return E.right(await opener(location));
  } catch (cause) {
    return E.left(`cannot open the event store: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
};
