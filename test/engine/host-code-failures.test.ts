import * as E from 'fp-ts/Either';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import { PricingPolicy, standardPricingPolicy } from '../../src/domain/pricing/pricing-policy';
import { cartStreamId } from '../../src/engine/aggregates';
import { eventSchemas } from '../../src/engine/schema/event-schemas';
import { timeline } from '../../src/engine/audit/timeline';
import { engineDriver } from '../support/engine-driver';
import { cny } from '../support/fixtures';

const openCart = { type: 'OpenCart', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } } as const;
const addTea = { type: 'AddCartItem', data: { cartId: 'c1', sku: 'tea', name: 'Tea', category: 'tea', unitPrice: cny(5000), quantity: 1 } } as const;

describe('code the host gives the engine, when it throws', () => {
  it('a pricing policy that throws is answered DECISION_THREW, and the cart keeps its lines', async () => {
    const driver = engineDriver({
      pricing: () => {
        throw new Error('tax service down');
      },
    });
    await driver.accept(openCart);
    await driver.accept(addTea);
    const outcome = await driver.send({ type: 'CheckOutCart', data: { cartId: 'c1', orderId: 'o1', shippingAddress: { recipient: 'A', phone: '1', line1: 'x', city: 'y', postalCode: '1', country: 'CN' }, paymentMethod: 'card', pointsToRedeem: 0 } });
    expect(outcome).toEqual(E.left({ kind: 'unavailable', code: 'DECISION_THREW', message: expect.stringContaining('tax service down') }));
    expect((await driver.engine.eventStore.readStream(cartStreamId('c1'))).map((e) => e.type)).toEqual(['CartOpened', 'CartItemAdded']);
    expect(await driver.engine.rejections()).toEqual([]);
  });

  it('a pricing policy that throws a value with no text is answered DECISION_THREW all the same', async () => {
    const unprintable = {
      toString: () => {
        throw new Error('nor me');
      },
    };
    for (const thrown of [Object.create(null) as unknown, unprintable]) {
      const driver = engineDriver({
        pricing: () => {
          throw thrown;
        },
      });
      await driver.accept(openCart);
      await driver.accept(addTea);
      const outcome = await driver.send({ type: 'CheckOutCart', data: { cartId: 'c1', orderId: 'o1', shippingAddress: { recipient: 'A', phone: '1', line1: 'x', city: 'y', postalCode: '1', country: 'CN' }, paymentMethod: 'card', pointsToRedeem: 0 } });
      expect(outcome).toEqual(E.left(expect.objectContaining({ kind: 'unavailable', code: 'DECISION_THREW' })));
    }
  });

  it("a pricing policy cannot change the cart through its input: it gets a frozen copy, and its checkout is checked against the cart's own lines", async () => {
    const checkOut = (orderId: string) =>
      ({
        type: 'CheckOutCart',
        data: { cartId: 'c1', orderId, shippingAddress: { recipient: 'A', phone: '1', line1: 'x', city: 'y', postalCode: '1', country: 'CN' }, paymentMethod: 'card', pointsToRedeem: 0 },
      }) as const;
    const standard = standardPricingPolicy();
    const halved: PricingPolicy = (input) => {
      // As a host's plain JavaScript would, in sloppy mode: a write to a frozen field does nothing there.
      for (const line of input.lines) Reflect.set(line, 'unitPrice', Math.floor(line.unitPrice / 2));
      return standard(input);
    };
    const sloppy = engineDriver({ pricing: halved, runProcessManager: false });
    await sloppy.accept(openCart);
    await sloppy.accept(addTea);
    const placed = await sloppy.send(checkOut('o1'));
    expect(E.isRight(placed) && placed.right.events[0]?.data).toMatchObject({ pricing: { lines: [{ unitPrice: 5000 }], subtotal: 5000 } });

    const strict = engineDriver({
      pricing: (input) => {
        (input.lines[0] as { unitPrice: number }).unitPrice = 1;
        return standard(input);
      },
      runProcessManager: false,
    });
    await strict.accept(openCart);
    await strict.accept(addTea);
    expect(await strict.send(checkOut('o1'))).toEqual(E.left(expect.objectContaining({ kind: 'unavailable', code: 'DECISION_THREW' })));
    const cart = await strict.engine.cartState('c1');
    expect(E.isRight(cart) && cart.right.state).toMatchObject({ lines: [{ sku: 'tea', unitPrice: 5000 }] });
  });

  it('an upcaster that throws makes its event unreadable: a value for commands and state queries alike', async () => {
    const store = new MemoryEventStore();
    const writer = engineDriver({ eventStore: store, pricing: standardPricingPolicy() });
    await writer.accept(openCart);
    await writer.accept(addTea);
    const throwing = eventSchemas({
      CartItemAdded: {
        version: 3,
        upcasters: {
          1: (data) => data,
          2: () => {
            throw new Error('no such field');
          },
        },
      },
    });
    const reader = engineDriver({ eventStore: store, eventSchemas: throwing, runProcessManager: false });
    expect(await reader.engine.cartState('c1')).toMatchObject(E.left({ code: 'UNREADABLE_EVENT', message: expect.stringContaining('no such field') }));
    expect(await reader.send({ ...addTea, data: { ...addTea.data, sku: 'cup' } })).toMatchObject(E.left({ kind: 'unavailable', code: 'UNREADABLE_EVENT' }));
  });

  it('an upcaster that returns what throws when read makes its event unreadable, not the promise rejected', async () => {
    const store = new MemoryEventStore();
    const writer = engineDriver({ eventStore: store, pricing: standardPricingPolicy() });
    await writer.accept(openCart);
    await writer.accept(addTea);
    const hostile = eventSchemas({
      CartItemAdded: {
        version: 3,
        upcasters: {
          1: (data) => data,
          2: (data) =>
            Object.defineProperty({ ...(data as object) }, 'sku', {
              enumerable: true,
              get: () => {
                throw new Error('lazy field failed to load');
              },
            }),
        },
      },
    });
    const reader = engineDriver({ eventStore: store, eventSchemas: hostile, runProcessManager: false });
    expect(await reader.engine.cartState('c1')).toMatchObject(E.left({ code: 'UNREADABLE_EVENT', message: expect.stringContaining('lazy field failed to load') }));
    expect(await timeline(store, 'cart-c1', { schemas: hostile })).toMatchObject(E.right([{ readable: true }, { readable: false, summary: expect.stringContaining('lazy field') }]));
  });
});
