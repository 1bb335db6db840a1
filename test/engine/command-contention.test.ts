import * as E from 'fp-ts/Either';
import { createEngine, MemoryEventStore } from '../../src';
import type { HostCommand } from '../../src';

const openCart: HostCommand = { type: 'OpenCart', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } };
const addTea: HostCommand = { type: 'AddCartItem', data: { cartId: 'c1', sku: 'tea', name: 'Tea', category: 'tea', unitPrice: { amount: 100, currency: 'CNY' }, quantity: 1 } };
const setQuantity = (quantity: number): HostCommand => ({ type: 'ChangeCartItemQuantity', data: { cartId: 'c1', sku: 'tea', quantity } });

describe('commands racing for one stream', () => {
  it('all succeed when many concurrent writers send to the same stream', async () => {
    let retries = 0;
    const engine = createEngine({ runProcessManager: false, onConflictRetry: () => (retries += 1) });
    await engine.execute({ commandId: 'open', actor: 'alice', command: openCart });
    await engine.execute({ commandId: 'add', actor: 'alice', command: addTea });
    const writers = 8;
    const perWriter = 40;
    const outcomes = await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        const results = [];
        for (let n = 0; n < perWriter; n += 1) {
          // A read of another stream between commands makes writers interleave as real clients would.
          await engine.cartState('elsewhere');
          results.push(await engine.execute({ commandId: `w${writer}-${n}`, actor: 'alice', command: setQuantity(1 + ((writer + n) % 9)) }));
        }
        return results;
      }),
    );
    const refused = outcomes.flat().filter(E.isLeft);
    expect(refused).toEqual([]);
    expect(await engine.eventStore.readStream('cart-c1')).toHaveLength(2 + writers * perWriter);
    // The writers did race: without lost races this test would prove nothing about retries.
    expect(retries).toBeGreaterThan(0);
  });

  it('rereads the store when another process wrote after this engine cached the stream', async () => {
    const store = new MemoryEventStore();
    const first = createEngine({ eventStore: store, runProcessManager: false });
    const second = createEngine({ eventStore: store, runProcessManager: false });
    await first.execute({ commandId: 'open', actor: 'alice', command: openCart });
    await first.execute({ commandId: 'add', actor: 'alice', command: addTea });
    await second.execute({ commandId: 'elsewhere-1', actor: 'bob', command: setQuantity(5) });

    const outcome = await first.execute({ commandId: 'late', actor: 'alice', command: setQuantity(7) });
    expect(E.isRight(outcome) && outcome.right.revision).toBe(3);
    const state = await first.cartState('c1');
    expect(E.isRight(state) && state.right.state.status === 'open' && state.right.state.lines[0]?.quantity).toBe(7);
    expect(E.isRight(state) && state.right.revision).toBe(3);
  });
});
