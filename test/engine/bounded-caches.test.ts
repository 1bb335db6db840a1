import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import type { EngineOptions } from '../../src/engine/order-engine';
import { CommandMemo } from '../../src/engine/command-memo';
import { CachedState, StateCache } from '../../src/engine/state-cache';
import { delegatingTo } from '../support/delegating-event-store';
import { engineDriver } from '../support/engine-driver';
import { cny } from '../support/fixtures';

/**
 * The first state cache: a Map in recency order. Simple and obviously right, but slow to evict. A suspended
 * key holds `undefined`: it keeps its place in the order and answers nothing.
 */
class ReferenceLru {
  readonly entries = new Map<string, number | undefined>();
  constructor(private readonly capacity: number) {}
  get(key: string): number | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }
  set(key: string, value: number): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }
  suspend(key: string): void {
    if (this.entries.has(key)) this.entries.set(key, undefined);
  }
  delete(key: string): void {
    this.entries.delete(key);
  }
}

const keys = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g');
const cacheOperation = fc.oneof(
  fc.record({ op: fc.constant('get' as const), key: keys }),
  fc.record({ op: fc.constant('set' as const), key: keys, value: fc.integer() }),
  fc.record({ op: fc.constant('delete' as const), key: keys }),
  fc.record({ op: fc.constant('suspend' as const), key: keys }),
);

describe('StateCache', () => {
  it('keeps, suspends and evicts exactly what a recency-ordered map does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(cacheOperation, { maxLength: 200 }), (capacity, operations) => {
        const cache = new StateCache<CachedState<number>>(capacity);
        const reference = new ReferenceLru(capacity);
        for (const operation of operations) {
          if (operation.op === 'get') expect(cache.get(operation.key)?.state).toBe(reference.get(operation.key));
          else if (operation.op === 'set') {
            cache.set(operation.key, { state: operation.value, revision: 0 });
            reference.set(operation.key, operation.value);
          } else if (operation.op === 'suspend') {
            cache.suspend(operation.key);
            reference.suspend(operation.key);
          } else {
            cache.delete(operation.key);
            reference.delete(operation.key);
          }
          expect(cache.size).toBe(reference.entries.size);
        }
        for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) expect(cache.get(key)?.state).toBe(reference.get(key));
      }),
    );
  });

  it('evicts the least recently used stream, a read counting as a use', () => {
    const cache = new StateCache<CachedState<string>>(2);
    cache.set('s1', { state: 'one', revision: 0 });
    cache.set('s2', { state: 'two', revision: 0 });
    cache.get('s1');
    cache.set('s3', { state: 'three', revision: 0 });
    expect(cache.get('s2')).toBeUndefined();
    expect(cache.get('s1')?.state).toBe('one');
    expect(cache.get('s3')?.state).toBe('three');
  });
});

describe('CommandMemo', () => {
  it('forgets the oldest command ids first, as an insertion-ordered map does', () => {
    const commandIds = fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.array(commandIds, { maxLength: 100 }), (capacity, operations) => {
        const memo = new CommandMemo<number>(capacity);
        const reference = new Map<string, number>();
        operations.forEach((id, outcome) => {
          memo.rememberOutcome(id, { id }, outcome);
          reference.set(id, outcome);
          if (reference.size > capacity) reference.delete(reference.keys().next().value as string);
        });
        for (const id of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6']) expect(memo.get(id)?.outcome).toBe(reference.get(id));
      }),
    );
  });
});

describe('the engine’s state cache size', () => {
  /** The in-memory store, counting stream reads: a read is a cache miss. */
  class ReadCountingMemoryStore extends MemoryEventStore {
    reads = 0;
    override readStream(...args: Parameters<MemoryEventStore['readStream']>): ReturnType<MemoryEventStore['readStream']> {
      this.reads += 1;
      return super.readStream(...args);
    }
  }

  /** One more cart than the bounded default, then a command to the first: how many reads it took. */
  const readsForFirstCartAfterManyOthers = async (options: EngineOptions, store: ReadCountingMemoryStore): Promise<number> => {
    const { send } = engineDriver({ ...options, runProcessManager: false });
    for (let cart = 0; cart <= 10_000; cart += 1) {
      const outcome = await send({ type: 'OpenCart', data: { cartId: `c${cart}`, customerId: 'alice', currency: 'CNY' } });
      expect(E.isRight(outcome)).toBe(true);
    }
    store.reads = 0;
    const outcome = await send({ type: 'AddCartItem', data: { cartId: 'c0', sku: 'tea', name: 'Tea', category: 'tea', unitPrice: cny(5000), quantity: 1 } });
    expect(E.isRight(outcome)).toBe(true);
    return store.reads;
  };

  it('keeps every stream’s state over a store that holds its events in memory', async () => {
    const store = new ReadCountingMemoryStore();
    expect(await readsForFirstCartAfterManyOthers({ eventStore: store }, store)).toBe(0);
  });

  it('is bounded at 10,000 streams over any other store, and where the host sets it', async () => {
    const durable = new ReadCountingMemoryStore();
    expect(await readsForFirstCartAfterManyOthers({ eventStore: delegatingTo(durable) }, durable)).toBe(1);
    const bounded = new ReadCountingMemoryStore();
    expect(await readsForFirstCartAfterManyOthers({ eventStore: bounded, stateCacheSize: 10_000 }, bounded)).toBe(1);
  });
});
