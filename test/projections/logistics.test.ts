import * as E from 'fp-ts/Either';
import type { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import { logisticsProjection } from '../../src/projections/logistics/projection';
import { awaitingShipment, inTransitByCarrier, shipmentByTrackingNumber, shipmentOfOrder } from '../../src/projections/logistics/queries';
import { expectLeft, expectRight, projectAll } from '../support/run-projection';
import { Shop } from '../support/shop';

describe('logistics projection', () => {
  let shop: Shop;
  let readModels: MemoryReadModelStore;
  const paidAt = new Map<string, number>();

  beforeAll(async () => {
    shop = new Shop();
    const order = async (orderId: string, customer: string, pay: boolean): Promise<void> => {
      const cartId = `cart-${orderId}`;
      await shop.openCart(customer, cartId);
      await shop.add(customer, cartId, 'kettle', 32000);
      await shop.add(customer, cartId, 'tea', 6800, 2);
      await shop.checkOut(customer, cartId, orderId);
      if (pay) {
        await shop.pay(orderId);
        paidAt.set(orderId, shop.clock.now());
      }
    };
    for (const [orderId, customer] of [['o5', 'alice'], ['o1', 'bob'], ['o6', 'carol'], ['o2', 'alice'], ['o7', 'dan'], ['o4', 'erin']] as const) await order(orderId, customer, true);
    await order('o3', 'bob', false);
    await shop.ship('o5', 'SF-Express', 'SF-5');
    await shop.deliver('o5');
    await shop.ship('o6', 'SF-Express', 'SF-6');
    await shop.track('o6', 'in-transit', 'Left Hangzhou sorting centre', 'Hangzhou');
    await shop.track('o6', 'out-for-delivery', 'With the courier', 'Shanghai');
    await shop.ship('o7', 'JD-Logistics', 'JD-7');
    await shop.send('service-desk', { type: 'CancelOrder', data: { orderId: 'o4', reason: 'Customer changed their mind' } });
    readModels = await projectAll(shop.eventStore, logisticsProjection);
  });
  afterAll(() => shop.engine.close());

  it('lists paid orders awaiting shipment, oldest first, paged', async () => {
    const all = expectRight(await awaitingShipment(readModels));
    expect(all.items.map((o) => o.orderId)).toEqual(['o1', 'o2']);
    expect(all.items[0]).toEqual({ orderId: 'o1', customerId: 'bob', paidAt: paidAt.get('o1'), currency: 'CNY', total: 45600, refunded: 0, units: 3, city: 'Shanghai', country: 'CN' });
    const first = expectRight(await awaitingShipment(readModels, { limit: 1 }));
    const second = expectRight(await awaitingShipment(readModels, { limit: 1, after: first.next! }));
    expect([...first.items, ...second.items].map((o) => o.orderId)).toEqual(['o1', 'o2']);
    expect(second.next).toBeUndefined();
  });

  it("gives a shipment's carrier, tracking number, status and status history", async () => {
    const shipment = expectRight(await shipmentOfOrder(readModels, 'o6'));
    expect(shipment).toMatchObject({ orderId: 'o6', customerId: 'carol', carrier: 'SF-Express', trackingNumber: 'SF-6', status: 'out-for-delivery', deliveredAt: null });
    expect(shipment.history.map((s) => [s.status, s.description, s.location])).toEqual([
      ['shipped', 'Handed to SF-Express', null],
      ['in-transit', 'Left Hangzhou sorting centre', 'Hangzhou'],
      ['out-for-delivery', 'With the courier', 'Shanghai'],
    ]);
    const delivered = expectRight(await shipmentOfOrder(readModels, 'o5'));
    expect(delivered.status).toBe('delivered');
    expect(delivered.deliveredAt).toEqual(delivered.history[delivered.history.length - 1]!.at);
  });

  it('finds a shipment by carrier and tracking number', async () => {
    expect(expectRight(await shipmentByTrackingNumber(readModels, 'JD-Logistics', 'JD-7')).orderId).toBe('o7');
    expect(expectLeft(await shipmentByTrackingNumber(readModels, 'SF-Express', 'JD-7')).code).toBe('NOT_FOUND');
  });

  it('answers NOT_FOUND for an order that has not shipped', async () => {
    expect(expectLeft(await shipmentOfOrder(readModels, 'o1')).code).toBe('NOT_FOUND');
  });

  it('counts what each carrier has in transit: shipped and not yet delivered', async () => {
    expect(expectRight(await inTransitByCarrier(readModels))).toEqual([
      { carrier: 'JD-Logistics', inTransit: 1 },
      { carrier: 'SF-Express', inTransit: 1 },
    ]);
  });
});

describe('logistics projection, refunds', () => {
  it('takes an order that has given back all it was paid off the list awaiting shipment, one refunded in part stays, showing what it refunded', async () => {
    const shop = new Shop();
    const paidOrder = async (orderId: string): Promise<number> => {
      const cartId = `cart-${orderId}`;
      await shop.openCart('alice', cartId);
      await shop.add('alice', cartId, 'kettle', 32000);
      await shop.checkOut('alice', cartId, orderId);
      await shop.pay(orderId);
      return (await shop.total(orderId)).amount;
    };
    const refund = (orderId: string, refundId: string, amount: number) =>
      shop.send('service-desk', { type: 'RefundPayment', data: { paymentId: orderId, refundId, amount: { amount, currency: 'CNY' }, reason: 'goodwill' } });
    const whole = await paidOrder('o-whole');
    await refund('o-whole', 'g1', whole - 100);
    await refund('o-whole', 'g2', 100);
    const part = await paidOrder('o-part');
    await refund('o-part', 'g1', part - 1);
    await paidOrder('o-kept');
    const readModels = await projectAll(shop.eventStore, logisticsProjection);
    expect(expectRight(await awaitingShipment(readModels)).items.map((o) => [o.orderId, o.refunded])).toEqual([
      ['o-part', part - 1],
      ['o-kept', 0],
    ]);
    expect(E.isLeft(await shop.attempt('warehouse', { type: 'ShipOrder', data: { orderId: 'o-whole', carrier: 'SF', trackingNumber: 'SF1' } }))).toBe(true);
    await shop.engine.close();
  });
});
