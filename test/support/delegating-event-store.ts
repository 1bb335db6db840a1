import type { EventStore } from '../../src/engine/event-store/event-store';

/**
 * A plain-object event store that passes every call to `store`, but for those `overrides` replace. It
 * declares no optional capability of `store` (such as `holdsEventsInMemory`): it looks like any other store.
 */
export const delegatingTo = (store: EventStore, overrides: Partial<Pick<EventStore, 'append' | 'readStream' | 'readAll' | 'subscribe' | 'headPosition' | 'close'>> = {}): EventStore => ({
  append: (...args) => store.append(...args),
  readStream: (...args) => store.readStream(...args),
  readAll: (...args) => store.readAll(...args),
  subscribe: (...args) => store.subscribe(...args),
  headPosition: () => store.headPosition(),
  close: () => store.close(),
  ...overrides,
});
