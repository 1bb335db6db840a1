import type { EventStore } from '../../src/engine/event-store/event-store';

/**
 * The events a store holds, counted by reading them all in global order. A store's head position is no
 * count: positions are the store's own (EventStoreDB's are byte offsets in its log), only the in-memory
 * store numbers its events 0, 1, 2, …
 */
export const countStoredEvents = async (store: EventStore): Promise<number> => {
  let count = 0;
  let after: number | undefined;
  for (;;) {
    const page = await store.readAll(after === undefined ? {} : { after });
    count += page.events.length;
    if (page.isEnd) return count;
    after = page.lastPosition;
  }
};
