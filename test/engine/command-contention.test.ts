import * as E from 'fp-ts/Either';
import { createEngine, MemoryEventStore } from '../../src';
import type { HostCommand } from '../../src';
import { delegatingTo } from '../support/delegating-event-store';

const openCart: HostCommand = { type: 'OpenCart', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } };
const addTea: HostCommand = { type: 'AddCartItem', data: { cartId: 'c1', sku: 'tea', name: 'Tea', category: 'tea', unitPrice: { amount: 100, currency: 'CNY' }, quantity: 1 } };
const setQuantity = (quantity: number): HostCommand => ({ type: 'ChangeCartItemQuantity', data: { cartId: 'c1', sku: 'tea', quantity } });

describe('commands racing for one stream', () => {
  it('all succeed when two engines (two processes) send to the same stream, losing races and retrying', async () => {
    let retries = 0;
    const store = new MemoryEventStore();
    const engines = [0, 1].map(() => createEngine({ eventStore: store, runProcessManager: false, onConflictRetry: () => (retries += 1) }));
    await engines[0]!.execute({ commandId: 'open', actor: 'alice', command: openCart });
    await engines[0]!.execute({ commandId: 'add', actor: 'alice', command: addTea });
    const writers = 2;
    const perWriter = 100;
    const outcomes = await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        const engine = engines[writer]!;
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
    expect(await store.readStream('cart-c1')).toHaveLength(2 + writers * perWriter);
    // The engines did race: without lost races this test would prove nothing about retries.
    expect(retries).toBeGreaterThan(0);
  });

  it('takes one engine’s commands to a stream in turns, in the order they came: none races another, even over a slow store', async () => {
    let retries = 0;
    const memory = new MemoryEventStore();
    // Every append takes a trip through the timers, as a server's does: commands overlap while it is out.
    const slow = delegatingTo(memory, {
      append: async (...args) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return memory.append(...args);
      },
    });
    const engine = createEngine({ eventStore: slow, runProcessManager: false, onConflictRetry: () => (retries += 1) });
    await engine.execute({ commandId: 'open', actor: 'alice', command: openCart });
    await engine.execute({ commandId: 'add', actor: 'alice', command: addTea });

    const quantities = Array.from({ length: 40 }, (_, n) => 1 + (n % 9));
    const outcomes = await Promise.all(quantities.map((quantity, n) => engine.execute({ commandId: `q${n}`, actor: 'alice', command: setQuantity(quantity) })));

    expect(outcomes.filter(E.isLeft)).toEqual([]);
    expect(retries).toBe(0);
    const stored = await memory.readStream('cart-c1');
    expect(stored.slice(2).map((event) => event.commandId)).toEqual(quantities.map((_, n) => `q${n}`));
  });

  it("keeps the state a command appended when a read of the stream begun before it answers after: the next command does not lose a race to this engine's own", async () => {
    let retries = 0;
    const memory = new MemoryEventStore();
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // A remote store under load: appends take a while, and whole-stream reads longer.
    const slow = delegatingTo(memory, {
      append: async (...args) => {
        await sleep(5);
        return memory.append(...args);
      },
      readStream: async (streamId, options) => {
        const events = await memory.readStream(streamId, options);
        if (options?.maxCount !== 1) await sleep(20);
        return events;
      },
    });
    const engine = createEngine({ eventStore: slow, runProcessManager: false, maxAttempts: 1, onConflictRetry: () => (retries += 1) });
    await engine.execute({ commandId: 'open', actor: 'alice', command: openCart });
    await engine.execute({ commandId: 'add', actor: 'alice', command: addTea });
    const changed = engine.execute({ commandId: 'q2', actor: 'alice', command: setQuantity(2) });
    await Promise.resolve();
    const queried = engine.cartState('c1');
    expect(E.isRight(await changed)).toBe(true);
    await queried;
    expect(await engine.execute({ commandId: 'q3', actor: 'alice', command: setQuantity(3) })).toEqual(E.right(expect.objectContaining({ revision: 3 })));
    expect(retries).toBe(0);
    const state = await engine.cartState('c1');
    expect(E.isRight(state) && state.right.revision).toBe(3);
  });

  it("keeps a read that began before this engine's own append from caching what it superseded, after the stream's entry was evicted too", async () => {
    const memory = new MemoryEventStore();
    let release: (() => void) | undefined;
    let holdNextRead = false;
    // A read of c1 that takes its snapshot now and answers only when released.
    const store = delegatingTo(memory, {
      readStream: async (streamId, options) => {
        const events = await memory.readStream(streamId, options);
        if (holdNextRead && streamId === 'cart-c1' && options === undefined) {
          holdNextRead = false;
          await new Promise<void>((resolve) => (release = resolve));
        }
        return events;
      },
    });
    const engine = createEngine({ eventStore: store, runProcessManager: false, stateCacheSize: 1, maxAttempts: 1 });
    const send = (commandId: string, command: HostCommand) => engine.execute({ commandId, actor: 'alice', command });
    const addTo = (cartId: string, sku: string): HostCommand => ({ type: 'AddCartItem', data: { cartId, sku, name: sku, category: 'x', unitPrice: { amount: 100, currency: 'CNY' }, quantity: 1 } });
    await send('open-1', openCart);
    await send('open-2', { type: 'OpenCart', data: { cartId: 'c2', customerId: 'bob', currency: 'CNY' } });
    holdNextRead = true;
    const queried = engine.cartState('c1');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await send('add-1', addTo('c1', 'tea'))).toEqual(E.right(expect.objectContaining({ revision: 1 })));
    await send('add-2', addTo('c2', 'milk'));
    release?.();
    await queried;
    expect(await send('add-3', addTo('c1', 'coffee'))).toEqual(E.right(expect.objectContaining({ revision: 2 })));
    await engine.close();
  });

  it('does not make commands to other streams wait', async () => {
    const memory = new MemoryEventStore();
    let startOther: () => void = () => undefined;
    const otherStarted = new Promise<void>((resolve) => (startOther = resolve));
    // The append to c1 is held until one to c2 has begun: taking turns across streams would never end.
    const gated = delegatingTo(memory, {
      append: async (streamId, ...rest) => {
        if (streamId === 'cart-c1') await otherStarted;
        if (streamId === 'cart-c2') startOther();
        return memory.append(streamId, ...rest);
      },
    });
    const engine = createEngine({ eventStore: gated, runProcessManager: false });
    const openOther: HostCommand = { type: 'OpenCart', data: { cartId: 'c2', customerId: 'bob', currency: 'CNY' } };

    const outcomes = await Promise.all([
      engine.execute({ commandId: 'open-1', actor: 'alice', command: openCart }),
      engine.execute({ commandId: 'open-2', actor: 'bob', command: openOther }),
    ]);

    expect(outcomes.every(E.isRight)).toBe(true);
  });

  it('passes a stream on to the next command when one is refused', async () => {
    const engine = createEngine({ runProcessManager: false });
    await engine.execute({ commandId: 'open', actor: 'alice', command: openCart });

    const [refused, accepted] = await Promise.all([
      engine.execute({ commandId: 'too-early', actor: 'alice', command: setQuantity(2) }),
      engine.execute({ commandId: 'add', actor: 'alice', command: addTea }),
    ]);

    expect(E.isLeft(refused) && refused.left.kind).toBe('rejected');
    expect(E.isRight(accepted)).toBe(true);
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
