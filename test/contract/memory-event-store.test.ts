import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import { describeEventStoreContract } from '../../src/testing';

describeEventStoreContract('in-memory', () => {
  const store = new MemoryEventStore();
  return Promise.resolve({ store, dispose: () => store.close() });
});
