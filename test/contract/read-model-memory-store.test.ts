import { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import { describeReadModelStoreContract } from '../../src/testing';

describeReadModelStoreContract('in-memory', () => {
  const store = new MemoryReadModelStore();
  return Promise.resolve({ store, dispose: () => store.close() });
});
