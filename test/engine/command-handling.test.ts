import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import { cartStreamId } from '../../src/engine/aggregates';
import type { EventStore } from '../../src/engine/event-store/event-store';
import { address, cny } from '../support/fixtures';
import { delegatingTo } from '../support/delegating-event-store';
import { checkedOutOrder, engineDriver } from '../support/engine-driver';

const open = { type: 'OpenCart', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } } as const;
const addTea = (quantity = 1) =>
  ({ type: 'AddCartItem', data: { cartId: 'c1', sku: 'tea', name: 'Tea', category: 'tea', unitPrice: cny(5000), quantity } }) as const;

/** Every event of a store, in order: what "the store is unchanged" is checked against. */
const snapshot = async (store: EventStore) => (await store.readAll({ maxCount: 1_000_000 })).events;

describe('command handling', () => {
  it('keeps its own copy of a command: the host changing its object afterwards changes nothing stored or remembered', async () => {
    const { engine, send } = engineDriver();
    await send(open);
    const command = { type: 'AddCartItem' as const, data: { cartId: 'c1', sku: 'tea', name: 'Tea', category: 'tea', unitPrice: { amount: 5000, currency: 'CNY' }, quantity: 1 } };
    await send(command, 'alice', 'add-1');
    command.data.quantity = 7;
    command.data.unitPrice.amount = 1;
    const [, added] = await engine.eventStore.readStream(cartStreamId('c1'));
    expect(added?.data).toMatchObject({ quantity: 1, unitPrice: { amount: 5000 } });
    // The repeat carries the changed object: it is a different command under the same id.
    expect(await send(command, 'alice', 'add-1')).toEqual(E.left(expect.objectContaining({ code: 'COMMAND_ID_CONFLICT' })));
  });

  it('stores what it checked: a getter or Proxy that answers a second read otherwise cannot slip a value past the codecs', async () => {
    const { engine, send } = engineDriver();
    await send(open);
    let reads = 0;
    const shifty = {
      ...addTea().data,
      get quantity() {
        reads += 1;
        return reads === 1 ? 1 : -5;
      },
    };
    const throughGetter = await send({ type: 'AddCartItem', data: shifty } as never);
    const proxied = new Proxy(addTea(2).data, { get: (target, key) => (key === 'quantity' && (reads += 1) > 2 ? 0 : Reflect.get(target, key)) });
    const throughProxy = await send({ type: 'AddCartItem', data: proxied } as never);
    for (const outcome of [throughGetter, throughProxy]) {
      if (E.isLeft(outcome)) expect(outcome.left.kind).toBe('invalid');
    }
    const quantities = (await engine.eventStore.readStream(cartStreamId('c1'))).slice(1).map((event) => (event.data as { quantity: number }).quantity);
    for (const quantity of quantities) expect(quantity).toBeGreaterThan(0);
    // Another engine reads back all that was stored.
    expect(E.isRight(await engineDriver({ eventStore: engine.eventStore }).engine.cartState('c1'))).toBe(true);
    // A getter that throws as it is copied, then reads valid, then invalid, is not let through either.
    let tries = 0;
    const flaky = {
      ...addTea().data,
      get quantity() {
        tries += 1;
        if (tries === 1) throw new Error('first read fails');
        return tries === 2 ? 1 : -5;
      },
    };
    expect(await send({ type: 'AddCartItem', data: flaky } as never)).toEqual(E.left(expect.objectContaining({ kind: 'invalid' })));
    for (const event of await engine.eventStore.readStream(cartStreamId('c1'))) {
      if (event.type === 'CartItemAdded') expect((event.data as { quantity: number }).quantity).toBeGreaterThan(0);
    }
  });

  it('answers a request it cannot read, a getter or a Proxy trap that throws, as invalid rather than rejecting', async () => {
    const { engine, send } = engineDriver();
    await send(open);
    const throwing = (): never => {
      throw new Error('no reading me');
    };
    const { proxy: revoked, revoke } = Proxy.revocable({}, {});
    revoke();
    const requests: unknown[] = [
      Object.defineProperty({ actor: 'alice', command: addTea() }, 'commandId', { get: throwing, enumerable: true }),
      { commandId: 'x1', actor: 'alice', command: { type: 'AddCartItem', data: Object.defineProperty({ ...addTea().data }, 'quantity', { get: throwing, enumerable: true }) } },
      revoked,
      { commandId: 'x2', actor: 'alice', command: { type: 'AddCartItem', data: new Proxy({}, { get: throwing, ownKeys: throwing }) } },
    ];
    for (const request of requests) {
      expect(await engine.execute(request)).toEqual(E.left(expect.objectContaining({ kind: 'invalid', code: 'INVALID_COMMAND' })));
    }
    expect((await engine.eventStore.readStream(cartStreamId('c1'))).map((event) => event.type)).toEqual(['CartOpened']);
  });

  it('hands out states nobody can change: the state the next command is decided on stays its own', async () => {
    const { engine, send } = engineDriver();
    await send(open);
    await send(addTea());
    const loaded = await engine.cartState('c1');
    if (E.isLeft(loaded)) throw new Error(loaded.left.message);
    const { state } = loaded.right;
    if (state.status !== 'open') throw new Error(`cart is ${state.status}`);
    expect(() => {
      (state.lines[0] as { unitPrice: number }).unitPrice = 1;
    }).toThrow(TypeError);
    expect(() => (state.lines as unknown[]).pop()).toThrow(TypeError);
    expect(await send(addTea())).toEqual(E.right(expect.objectContaining({ events: [expect.objectContaining({ type: 'CartItemAdded' })] })));
    const again = await engine.cartState('c1');
    expect(E.isRight(again) && again.right.state).toMatchObject({ lines: [{ sku: 'tea', unitPrice: 5000, quantity: 2 }] });
  });

  it('names a BigInt as one in what it says is wrong, which its digits alone would hide', async () => {
    const { send } = engineDriver();
    await send(open);
    const outcome = await send({ type: 'AddCartItem', data: { ...addTea().data, quantity: BigInt(1) } } as never);
    expect(outcome).toEqual(E.left(expect.objectContaining({ kind: 'invalid', message: expect.stringContaining('data.quantity: expected Quantity, got the BigInt 1n') })));
  });

  it('bounds the lists a command may carry at the lines a cart or an order can hold', async () => {
    const { engine, send } = engineDriver();
    await send(open);
    await send(addTea());
    const skus = (count: number) => ['tea', ...Array.from({ length: count - 1 }, (_, i) => `sku-${i}`)];
    expect(await send({ type: 'DeselectCartItems', data: { cartId: 'c1', skus: skus(201) } })).toEqual(E.left(expect.objectContaining({ kind: 'invalid', code: 'INVALID_COMMAND' })));
    expect(await send({ type: 'DeselectCartItems', data: { cartId: 'c1', skus: skus(200) } })).toEqual(E.left(expect.objectContaining({ kind: 'rejected', code: 'LINE_NOT_FOUND' })));
    const lines = Array.from({ length: 201 }, (_, i) => ({ sku: `sku-${i}`, quantity: 1 }));
    expect(await send({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'r1', kind: 'refund', lines, reason: 'too many' } })).toEqual(
      E.left(expect.objectContaining({ kind: 'invalid', code: 'INVALID_COMMAND' })),
    );
    expect(await engine.rejections()).toHaveLength(1);
  });

  it('answers a state query for an id that is none (undefined, a Symbol) as invalid, and reads the journal with null options', async () => {
    const { engine, send } = engineDriver();
    await send({ type: 'OpenCart', data: { cartId: 'undefined', customerId: 'alice', currency: 'CNY' } });
    for (const id of [undefined, Symbol('cart'), 42, '']) {
      expect(await engine.cartState(id as never)).toEqual(E.left(expect.objectContaining({ kind: 'invalid', code: 'INVALID_COMMAND' })));
      expect(await engine.orderState(id as never)).toEqual(E.left(expect.objectContaining({ kind: 'invalid' })));
      expect(await engine.paymentState(id as never)).toEqual(E.left(expect.objectContaining({ kind: 'invalid' })));
    }
    expect(await engine.rejections(null as never)).toEqual([]);
  });

  describe('idempotency', () => {
    it('a repeated command id returns the first outcome and appends nothing', async () => {
      const { engine, send } = engineDriver();
      await send(open);
      const first = await send(addTea(), 'alice', 'add-1');
      await send(addTea(2), 'alice', 'add-2');
      const again = await send(addTea(), 'alice', 'add-1');
      expect(E.isRight(first) && E.isRight(again)).toBe(true);
      if (E.isRight(first) && E.isRight(again)) {
        expect(again.right.events).toEqual(first.right.events);
        expect(again.right.revision).toBe(first.right.revision);
        expect([first.right.duplicate, again.right.duplicate]).toEqual([false, true]);
      }
      expect(await engine.eventStore.readStream(cartStreamId('c1'))).toHaveLength(3);
    });

    it('a repeated rejected command gets the same rejection', async () => {
      const { send } = engineDriver();
      const first = await send(addTea(), 'alice', 'add-1');
      const again = await send(addTea(), 'alice', 'add-1');
      expect(first).toEqual(E.left(expect.objectContaining({ kind: 'rejected', code: 'CART_NOT_FOUND' })));
      expect(again).toEqual(first);
    });

    it('the same id with a different payload is a typed conflict', async () => {
      const { send } = engineDriver();
      await send(open);
      await send(addTea(1), 'alice', 'add-1');
      expect(await send(addTea(2), 'alice', 'add-1')).toEqual(E.left(expect.objectContaining({ kind: 'conflict', code: 'COMMAND_ID_CONFLICT' })));
    });

    it('the same id sent twice at once with different payloads runs the first and is a conflict for the second', async () => {
      const { engine, send } = engineDriver();
      await send(open);
      const otherCart = { type: 'OpenCart', data: { cartId: 'c2', customerId: 'bob', currency: 'CNY' } } as const;
      for (const [first, second] of [[addTea(1), addTea(2)], [addTea(3), otherCart]] as const) {
        const commandId = `both-${first.data.quantity}`;
        const [accepted, refused] = await Promise.all([send(first, 'alice', commandId), send(second, 'alice', commandId)]);
        expect(accepted).toEqual(E.right(expect.objectContaining({ duplicate: false })));
        expect(refused).toEqual(E.left(expect.objectContaining({ kind: 'conflict', code: 'COMMAND_ID_CONFLICT' })));
        expect(await send(first, 'alice', commandId)).toEqual(E.right(expect.objectContaining({ duplicate: true })));
      }
      expect((await engine.eventStore.readStream(cartStreamId('c1'))).map((e) => e.type)).toEqual(['CartOpened', 'CartItemAdded', 'CartItemAdded']);
      expect(await engine.eventStore.readStream(cartStreamId('c2'))).toEqual([]);
    });

    it('a repeat sent while the first is still being decided gets its outcome: a refusal is not decided again on a state moved on meanwhile', async () => {
      const { engine, send } = engineDriver();
      await send(open);
      const [added, reopened, repeated] = await Promise.all([send(addTea(), 'alice', 'add-early'), send(open, 'alice', 'reopen'), send(addTea(), 'alice', 'add-early')]);
      expect(added).toEqual(E.right(expect.objectContaining({ duplicate: false })));
      expect(repeated).toEqual(E.right(expect.objectContaining({ duplicate: true, events: E.isRight(added) ? added.right.events : [] })));
      expect(reopened).toEqual(E.left(expect.objectContaining({ code: 'CART_ALREADY_OPEN' })));

      const cartOf = (cartId: string) => ({ type: 'OpenCart', data: { cartId, customerId: 'bob', currency: 'CNY' } }) as const;
      const addTo = (cartId: string) => ({ ...addTea(), data: { ...addTea().data, cartId } }) as const;
      // Three copies of one add to a cart not open yet, and the cart opened meanwhile: all three are refused, once.
      const [first, opened, second, third] = await Promise.all([
        send(addTo('c2'), 'bob', 'add-c2'),
        send(cartOf('c2'), 'bob', 'open-c2'),
        send(addTo('c2'), 'bob', 'add-c2'),
        send(addTo('c2'), 'bob', 'add-c2'),
      ]);
      expect(opened).toEqual(E.right(expect.anything()));
      expect(first).toEqual(E.left(expect.objectContaining({ code: 'CART_NOT_FOUND' })));
      expect([second, third]).toEqual([first, first]);
      expect(await send(addTo('c2'), 'bob', 'add-c2')).toEqual(first);
      expect((await engine.eventStore.readStream(cartStreamId('c2'))).map((e) => e.type)).toEqual(['CartOpened']);
      expect((await engine.rejections()).filter((rejection) => rejection.commandId === 'add-c2')).toHaveLength(1);
    });

    it('a repeat run again after its first could not be decided also takes turns: two retries at once get one outcome', async () => {
      const memory = new MemoryEventStore();
      let failNextCheckout = true;
      const store = delegatingTo(memory, {
        append: (streamId, events, expected) => {
          if (failNextCheckout && events.some((event) => event.type === 'CartCheckedOut')) {
            failNextCheckout = false;
            return Promise.resolve(E.left({ code: 'STORE_UNAVAILABLE', message: 'database restarting' }));
          }
          return memory.append(streamId, events, expected);
        },
      });
      const { send } = engineDriver({ eventStore: store, runProcessManager: false });
      await send(open);
      await send(addTea());
      const checkout = { type: 'CheckOutCart', data: { cartId: 'c1', orderId: 'o1', shippingAddress: address, paymentMethod: 'card', pointsToRedeem: 0 } } as const;
      expect(await send(checkout, 'alice', 'checkout-1')).toEqual(E.left(expect.objectContaining({ kind: 'unavailable' })));
      await send({ type: 'DeselectCartItems', data: { cartId: 'c1', skus: ['tea'] } });
      // Two retries, and the line selected again by another tab between them: a moment apart, and in one tick.
      const retried = send(checkout, 'alice', 'checkout-1');
      for (let turn = 0; turn < 2; turn += 1) await Promise.resolve();
      const [first, , second] = await Promise.all([retried, send({ type: 'SelectCartItems', data: { cartId: 'c1', skus: ['tea'] } }), send(checkout, 'alice', 'checkout-1')]);
      expect(first).toEqual(E.left(expect.objectContaining({ code: 'NOTHING_SELECTED' })));
      expect(second).toEqual(first);
      failNextCheckout = true;
      await send({ type: 'DeselectCartItems', data: { cartId: 'c1', skus: ['tea'] } });
      expect(await send(checkout, 'alice', 'checkout-2')).toEqual(E.left(expect.objectContaining({ code: 'NOTHING_SELECTED' })));
      await send({ type: 'SelectCartItems', data: { cartId: 'c1', skus: ['tea'] } });
      const secondCheckout = { ...checkout, data: { ...checkout.data, orderId: 'o2' } };
      expect(await send(secondCheckout, 'alice', 'checkout-3')).toEqual(E.left(expect.objectContaining({ kind: 'unavailable' })));
      await send({ type: 'DeselectCartItems', data: { cartId: 'c1', skus: ['tea'] } });
      const sameTick = [send(secondCheckout, 'alice', 'checkout-3'), Promise.resolve().then(() => send({ type: 'SelectCartItems', data: { cartId: 'c1', skus: ['tea'] } })), send(secondCheckout, 'alice', 'checkout-3')];
      const [one, , other] = await Promise.all(sameTick);
      expect(one).toEqual(E.left(expect.objectContaining({ code: 'NOTHING_SELECTED' })));
      expect(other).toEqual(one);
      expect((await memory.readStream(cartStreamId('c1'))).filter((event) => event.commandId === 'checkout-1')).toEqual([]);
    });

    it("answers DECISION_THREW, and decides a repeat again, when a policy refuses with details no copy can take", async () => {
      const details: Record<string, unknown> = { why: 'the shop is closed' };
      details['itself'] = details;
      let priced = 0;
      const { engine, send } = engineDriver({
        pricing: () => {
          priced += 1;
          return E.left({ code: 'SHOP_CLOSED', message: 'the shop is closed', details });
        },
      });
      await send(open);
      await send(addTea());
      const checkout = { type: 'CheckOutCart', data: { cartId: 'c1', orderId: 'o1', shippingAddress: address, paymentMethod: 'card', pointsToRedeem: 0 } } as const;
      for (let attempt = 1; attempt <= 2; attempt += 1) {
        expect(await send(checkout, 'alice', 'checkout-1')).toEqual(E.left(expect.objectContaining({ kind: 'unavailable', code: 'DECISION_THREW' })));
        expect(priced).toBe(attempt);
      }
      expect(await engine.eventStore.readStream(cartStreamId('c1'))).toHaveLength(2);
    });

    it('survives a restart: the stream remembers which command ids it has seen', async () => {
      const store = new MemoryEventStore();
      const before = engineDriver({ eventStore: store });
      await before.send(open, 'alice', 'open-1');
      await before.send(addTea(), 'alice', 'add-1');
      await before.engine.close();
      const after = engineDriver({ eventStore: store });
      const repeated = await after.send(addTea(), 'alice', 'add-1');
      expect(repeated).toEqual(E.right(expect.objectContaining({ duplicate: true })));
      expect(await store.readStream(cartStreamId('c1'))).toHaveLength(2);
    });

    it('holds after a restart even when a read has already cached the stream', async () => {
      const store = new MemoryEventStore();
      const before = engineDriver({ eventStore: store });
      await before.send(open, 'alice', 'open-1');
      await before.engine.close();
      const after = engineDriver({ eventStore: store });
      await after.engine.cartState('c1');
      expect(await after.send(open, 'alice', 'open-1')).toEqual(E.right(expect.objectContaining({ duplicate: true })));
      await after.send(addTea(), 'alice', 'add-1');
      await after.engine.close();
      const third = engineDriver({ eventStore: store });
      await third.engine.cartState('c1');
      expect(await third.send(addTea(), 'alice', 'add-1')).toEqual(E.right(expect.objectContaining({ duplicate: true })));
      expect(await store.readStream(cartStreamId('c1'))).toHaveLength(2);
    });

    it('still holds once the in-memory record has forgotten the id', async () => {
      const { engine, send } = engineDriver({ commandMemoSize: 1 });
      await send(open, 'alice', 'open-1');
      await send(addTea(), 'alice', 'add-1');
      await send(open, 'bob', 'other-1');
      expect(await send(addTea(), 'alice', 'add-1')).toEqual(E.right(expect.objectContaining({ duplicate: true })));
      expect(await engine.eventStore.readStream(cartStreamId('c1'))).toHaveLength(2);
    });
  });

  describe('streams the engine has not seen', () => {
    /** An in-memory store counting the reads of each stream. */
    const countingReads = () => {
      const memory = new MemoryEventStore();
      const reads: string[] = [];
      const store = delegatingTo(memory, {
        readStream: (streamId, options) => {
          reads.push(streamId);
          return memory.readStream(streamId, options);
        },
      });
      return { memory, store, reads };
    };

    it('creates a new stream without reading it first', async () => {
      const { store, reads } = countingReads();
      const { send } = engineDriver({ eventStore: store, runProcessManager: false });
      expect(await send(open, 'alice', 'open-1')).toEqual(E.right(expect.objectContaining({ revision: 0, duplicate: false })));
      await send(addTea(), 'alice', 'add-1');
      expect(reads).toEqual([]);
    });

    it('reads a stream it does not hold before deciding a command that needs what is in it', async () => {
      const { store, reads } = countingReads();
      const before = engineDriver({ eventStore: store, runProcessManager: false });
      await before.send(open, 'alice', 'open-1');
      const after = engineDriver({ eventStore: store, runProcessManager: false });
      expect(await after.send(addTea(), 'alice', 'add-1')).toEqual(E.right(expect.objectContaining({ revision: 1 })));
      expect(reads).toEqual([cartStreamId('c1')]);
    });

    it('decides a creating command again on what is stored when the stream exists after all, with no retry counted and nothing appended', async () => {
      const { memory, store } = countingReads();
      let retries = 0;
      const before = engineDriver({ eventStore: store, runProcessManager: false });
      await before.send(open, 'alice', 'open-1');
      const after = engineDriver({ eventStore: store, runProcessManager: false, onConflictRetry: () => (retries += 1) });
      const reopened = await after.send(open, 'alice', 'open-2');
      expect(reopened).toEqual(E.left(expect.objectContaining({ kind: 'rejected' })));
      expect(retries).toBe(0);
      expect(await memory.readStream(cartStreamId('c1'))).toHaveLength(1);
      // After a restart the repeat of the command that created the stream is recognised from the stream.
      expect(await after.send(open, 'alice', 'open-1')).toEqual(E.right(expect.objectContaining({ duplicate: true, revision: 0 })));
      expect(await memory.readStream(cartStreamId('c1'))).toHaveLength(1);
    });
  });

  describe('rejection journal', () => {
    it('keeps the command, reason, actor and state revision of every rejection', async () => {
      const { engine, send } = engineDriver();
      await send(open);
      await send({ type: 'RemoveCartItem', data: { cartId: 'c1', sku: 'kettle' } }, 'bob', 'remove-1');
      const [entry, ...rest] = await engine.rejections();
      expect(rest).toEqual([]);
      expect(entry).toMatchObject({
        commandId: 'remove-1',
        actor: 'bob',
        streamId: cartStreamId('c1'),
        stateRevision: 0,
        command: { type: 'RemoveCartItem' },
        error: { code: 'LINE_NOT_FOUND' },
      });
      expect(await engine.rejections({ after: entry!.sequence })).toEqual([]);
    });
  });

  describe('concurrency', () => {
    it('commands racing on one stream are all decided, each on the state the others left', async () => {
      // Each round of the race has one winner, so the last of ten needs ten attempts.
      const { engine, send } = engineDriver({ stateCacheSize: 0, maxAttempts: 10 });
      await send(open);
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => send(addTea(1), 'alice', `add-${i}`)));
      expect(outcomes.every(E.isRight)).toBe(true);
      const state = await engine.cartState('c1');
      expect(state).toEqual(E.right(expect.objectContaining({ revision: 10, state: expect.objectContaining({ lines: [expect.objectContaining({ quantity: 10 })] }) })));
    });

    it('gives up with a typed conflict when the stream keeps changing', async () => {
      // Another writer slips an event into the cart's stream before each of this engine's appends.
      class ContestedStore extends MemoryEventStore {
        override async append(...[streamId, events, expected]: Parameters<MemoryEventStore['append']>) {
          if (streamId === cartStreamId('c1') && expected !== 'no-stream') {
            await super.append(streamId, events.map((e) => ({ ...e, eventId: `${e.eventId}-rival`, commandId: 'rival' })), 'any');
          }
          return super.append(streamId, events, expected);
        }
      }
      const contested = new ContestedStore();
      const { send } = engineDriver({ eventStore: contested, stateCacheSize: 0, maxAttempts: 3 });
      await send(open);
      expect(await send(addTea())).toEqual(E.left(expect.objectContaining({ kind: 'conflict', code: 'CONCURRENCY_CONFLICT' })));
    });
  });

  describe('bad input (300 runs each)', () => {
    it('arbitrary values are answered with typed errors, nothing is thrown, and the store is unchanged', async () => {
      const { engine, send } = engineDriver();
      await send(open);
      const before = await snapshot(engine.eventStore);
      await fc.assert(
        fc.asyncProperty(fc.anything(), async (value) => {
          const outcome = await engine.execute(value);
          expect(outcome).toEqual(E.left(expect.objectContaining({ kind: 'invalid' })));
        }),
        { numRuns: 300 },
      );
      expect(await snapshot(engine.eventStore)).toEqual(before);
    });

    it('near-miss commands (one field broken) are invalid with a message naming the field', async () => {
      const { engine, send } = engineDriver();
      await send(open);
      const before = await snapshot(engine.eventStore);
      const valid = { commandId: 'x-1', actor: 'alice', command: addTea() };
      const breakages: fc.Arbitrary<[string, (r: typeof valid) => unknown]> = fc.constantFrom<[string, (r: typeof valid) => unknown]>(
        ['quantity', (r) => ({ ...r, command: { ...r.command, data: { ...r.command.data, quantity: 0 } } })],
        ['quantity', (r) => ({ ...r, command: { ...r.command, data: { ...r.command.data, quantity: 1.5 } } })],
        ['amount', (r) => ({ ...r, command: { ...r.command, data: { ...r.command.data, unitPrice: { amount: -1, currency: 'CNY' } } } })],
        ['amount', (r) => ({ ...r, command: { ...r.command, data: { ...r.command.data, unitPrice: { amount: 10.5, currency: 'CNY' } } } })],
        ['currency', (r) => ({ ...r, command: { ...r.command, data: { ...r.command.data, unitPrice: { amount: 1, currency: 'yuan' } } } })],
        ['sku', (r) => ({ ...r, command: { ...r.command, data: { ...r.command.data, sku: '' } } })],
        ['cartId', (r) => ({ ...r, command: { ...r.command, data: { ...r.command.data, cartId: 'has space' } } })],
        // A lone surrogate would reach a database as U+FFFD, naming another cart's stream.
        ['cartId', (r) => ({ ...r, command: { ...r.command, data: { ...r.command.data, cartId: 'c1\ud800' } } })],
        ['name', (r) => ({ ...r, command: { ...r.command, data: { ...r.command.data, name: 'Oolong\u0000tea' } } })],
        ['commandId', (r) => ({ ...r, commandId: 42 })],
        ['actor', (r) => ({ ...r, actor: undefined })],
        ['data', (r) => ({ ...r, command: { type: r.command.type } })],
      );
      await fc.assert(
        fc.asyncProperty(breakages, fc.string({ maxLength: 5 }), async ([field, breakIt], suffix) => {
          const outcome = await engine.execute(breakIt({ ...valid, commandId: `x-${suffix.length}` }));
          expect(outcome).toEqual(E.left(expect.objectContaining({ kind: 'invalid', code: 'INVALID_COMMAND' })));
          if (E.isLeft(outcome)) expect(outcome.left.message).toContain(field);
        }),
        { numRuns: 300 },
      );
      expect(await engine.execute({ ...valid, command: { type: 'LaunchRocket', data: {} } })).toEqual(
        E.left(expect.objectContaining({ kind: 'invalid', code: 'UNKNOWN_COMMAND_TYPE' })),
      );
      expect(await snapshot(engine.eventStore)).toEqual(before);
      expect(await engine.rejections()).toEqual([]);
    });
  });

  describe('a closed engine', () => {
    it('answers commands with ENGINE_CLOSED, fires no deadline and settles at once, over a store that stays open', async () => {
      const store = new MemoryEventStore();
      const driver = engineDriver({ eventStore: store });
      await checkedOutOrder(driver);
      const before = await snapshot(store);
      const settling = driver.engine.settle();
      await driver.engine.close();
      await settling;
      expect(await driver.send(addTea())).toEqual(E.left(expect.objectContaining({ kind: 'unavailable', code: 'ENGINE_CLOSED' })));
      expect(await driver.engine.runDueDeadlines(Date.UTC(2027, 0, 1))).toEqual([]);
      await driver.engine.settle();
      expect(await snapshot(store)).toEqual(before);
    });
  });

  describe('a store that cannot be read', () => {
    /** A store whose reads reject, as the PostgreSQL adapter's do while its server is down, until `up`. */
    const unreadable = () => {
      const memory = new MemoryEventStore();
      const reads = { up: false };
      const store = delegatingTo(memory, {
        readStream: (streamId, options) => (reads.up ? memory.readStream(streamId, options) : Promise.reject(new Error('connect ECONNREFUSED'))),
      });
      return { memory, store, reads };
    };

    it('answers commands and state reads with unavailable values, never a rejection, and changes nothing', async () => {
      const { memory, store, reads } = unreadable();
      const { engine, send } = engineDriver({ eventStore: store, stateCacheSize: 0 });
      await send(open);
      const refused = await send(addTea());
      expect(refused).toEqual(E.left(expect.objectContaining({ kind: 'unavailable', code: 'STORE_UNAVAILABLE' })));
      expect(await engine.cartState('c1')).toEqual(E.left(expect.objectContaining({ kind: 'unavailable', code: 'STORE_UNAVAILABLE' })));
      expect(await memory.readStream(cartStreamId('c1'))).toHaveLength(1);
      reads.up = true;
      expect(await send(addTea())).toEqual(E.right(expect.objectContaining({ duplicate: false })));
    });

    it("answers a store's append that throws, instead of answering, as unavailable, and decides afresh once it answers again", async () => {
      const memory = new MemoryEventStore();
      const appends = { up: true };
      const store = delegatingTo(memory, {
        append: (streamId, events, expected) => {
          if (!appends.up) throw new Error('socket hang up');
          return memory.append(streamId, events, expected);
        },
      });
      const { send } = engineDriver({ eventStore: store });
      await send(open);
      appends.up = false;
      expect(await send(addTea())).toEqual(E.left(expect.objectContaining({ kind: 'unavailable', code: 'STORE_UNAVAILABLE', message: expect.stringContaining('socket hang up') })));
      appends.up = true;
      expect(await send(addTea())).toEqual(E.right(expect.objectContaining({ duplicate: false })));
      expect((await memory.readStream(cartStreamId('c1'))).map((event) => event.type)).toEqual(['CartOpened', 'CartItemAdded']);
    });

    it('keeps a deadline it could not fire for the next run', async () => {
      const { store, reads } = unreadable();
      reads.up = true;
      const driver = engineDriver({ eventStore: store, stateCacheSize: 0 });
      await checkedOutOrder(driver);
      reads.up = false;
      driver.clock.advance(31 * 60 * 1000);
      const [unfired] = await driver.engine.runDueDeadlines(driver.clock.now());
      expect(unfired?.outcome).toEqual(E.left(expect.objectContaining({ kind: 'unavailable' })));
      reads.up = true;
      const [fired] = await driver.engine.runDueDeadlines(driver.clock.now());
      expect(fired?.outcome).toEqual(E.right(expect.objectContaining({ duplicate: false })));
      await driver.engine.settle();
      const order = await driver.engine.orderState('o1');
      expect(E.isRight(order) && order.right.state.status).toBe('expired');
    });
  });

  describe('stored events', () => {
    it('an event the engine cannot read is reported, not thrown', async () => {
      const store = new MemoryEventStore();
      await store.append(
        cartStreamId('c1'),
        [{ eventId: 'e1', type: 'CartOpened', schemaVersion: 1, data: { cartId: 'c1' }, occurredAt: 1, recordedAt: 1, commandId: 'x', correlationId: 'x', causationId: 'x', actor: 'x' }],
        'no-stream',
      );
      const { send } = engineDriver({ eventStore: store, runProcessManager: false });
      expect(await send(addTea())).toEqual(E.left(expect.objectContaining({ kind: 'unavailable', code: 'UNREADABLE_EVENT' })));
    });
  });
});
