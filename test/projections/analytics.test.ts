import type { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import { analyticsProjection } from '../../src/projections/analytics/projection';
import { boughtTogether, customerProfile, funnelByPeriod, salesByPeriod, topProducts } from '../../src/projections/analytics/queries';
import { expectLeft, expectRight, projectAll } from '../support/run-projection';
import { ADDRESS, Shop } from '../support/shop';

const at = (time: string): number => Date.parse(`2026-11-25T${time}Z`);

/**
 * 09:00 — Alice (cart A1: 3 tea, 1 cup) pays order a1; Bob (B1: kettle, cup) pays b1 and cancels it, so it
 * is refunded; Carol (C1: tea) checks out c1 and lets it expire; Dan (D1) never checks out.
 * 14:00 — Alice (A2: tea, cup, kettle) pays a2, then checks out a3 (spoon) from the same cart and does not
 * pay; Erin pays in USD (E1: 2 mugs).
 */
const scenario = async (): Promise<Shop> => {
  const shop = new Shop('2026-11-25T09:00:00Z');
  await shop.openCart('alice', 'A1');
  await shop.add('alice', 'A1', 'tea', 6800, 3, 'tea');
  await shop.add('alice', 'A1', 'cup', 4500, 1, 'tableware');
  await shop.checkOut('alice', 'A1', 'a1');
  await shop.pay('a1');
  await shop.openCart('bob', 'B1');
  await shop.add('bob', 'B1', 'kettle', 32000, 1, 'tableware');
  await shop.add('bob', 'B1', 'cup', 4500, 1, 'tableware');
  await shop.checkOut('bob', 'B1', 'b1');
  await shop.pay('b1');
  await shop.send('bob', { type: 'CancelOrder', data: { orderId: 'b1', reason: 'Ordered twice' } });
  await shop.openCart('carol', 'C1');
  await shop.add('carol', 'C1', 'tea', 6800, 1, 'tea');
  await shop.checkOut('carol', 'C1', 'c1');
  await shop.openCart('dan', 'D1');
  await shop.add('dan', 'D1', 'tea', 6800, 1, 'tea');
  shop.clock.set(at('11:00:00'));
  await shop.runDeadlines();
  shop.clock.set(at('14:00:00'));
  await shop.openCart('alice', 'A2');
  await shop.add('alice', 'A2', 'tea', 6800, 1, 'tea');
  await shop.add('alice', 'A2', 'cup', 4500, 1, 'tableware');
  await shop.add('alice', 'A2', 'kettle', 32000, 1, 'tableware');
  await shop.checkOut('alice', 'A2', 'a2');
  await shop.pay('a2');
  await shop.add('alice', 'A2', 'spoon', 1200, 1, 'tableware');
  await shop.checkOut('alice', 'A2', 'a3');
  await shop.openCart('erin', 'E1', 'USD');
  await shop.add('erin', 'E1', 'mug', 1500, 2, 'tableware', 'USD');
  await shop.checkOut('erin', 'E1', 'e1');
  await shop.pay('e1');
  return shop;
};

describe('analytics projection', () => {
  let shop: Shop;
  let readModels: MemoryReadModelStore;

  beforeAll(async () => {
    shop = await scenario();
    readModels = await projectAll(shop.eventStore, analyticsProjection);
  });
  afterAll(() => shop.engine.close());

  it('gives GMV, orders, average order value, cancellation and refund rates per day, per currency', async () => {
    const cny = expectRight(await salesByPeriod(readModels, 'CNY', { granularity: 'day' }));
    expect(cny.items).toEqual([
      {
        granularity: 'day',
        bucketStart: at('00:00:00'),
        currency: 'CNY',
        gmv: 24900 + 36500 + 43300,
        ordersPaid: 3,
        averageOrderValue: 34900,
        ordersPlaced: 5,
        cancellations: { count: 2, of: 5, ratio: 0.4 },
        refunds: { count: 1, of: 3, ratio: 1 / 3 },
        refundedAmount: 36500,
      },
    ]);
    const usd = expectRight(await salesByPeriod(readModels, 'USD', { granularity: 'day' }));
    expect(usd.items.map((s) => [s.gmv, s.ordersPaid, s.averageOrderValue])).toEqual([[3800, 1, 3800]]);
  });

  it('gives the same per hour (UTC), in time order, and bounds the period', async () => {
    const hours = expectRight(await salesByPeriod(readModels, 'CNY', { granularity: 'hour' })).items;
    expect(hours.map((h) => [h.bucketStart, h.gmv, h.ordersPaid, h.averageOrderValue, h.cancellations, h.refunds])).toEqual([
      [at('09:00:00'), 61400, 2, 30700, { count: 2, of: 3, ratio: 2 / 3 }, { count: 1, of: 2, ratio: 0.5 }],
      [at('14:00:00'), 43300, 1, 43300, { count: 0, of: 2, ratio: 0 }, { count: 0, of: 1, ratio: 0 }],
    ]);
    const afternoon = expectRight(await salesByPeriod(readModels, 'CNY', { granularity: 'hour', from: at('10:00:00'), to: at('15:00:00') })).items;
    expect(afternoon.map((h) => h.bucketStart)).toEqual([at('14:00:00')]);
    const firstPage = expectRight(await salesByPeriod(readModels, 'CNY', { granularity: 'hour', limit: 1 }));
    const secondPage = expectRight(await salesByPeriod(readModels, 'CNY', { granularity: 'hour', limit: 1, after: firstPage.next! }));
    expect([...firstPage.items, ...secondPage.items].map((h) => h.bucketStart)).toEqual([at('09:00:00'), at('14:00:00')]);
  });

  it('follows the carts opened in each period through checkout to payment', async () => {
    const day = expectRight(await funnelByPeriod(readModels, { granularity: 'day' })).items;
    expect(day).toEqual([
      {
        granularity: 'day',
        bucketStart: at('00:00:00'),
        cartsOpened: 6,
        cartsCheckedOut: 5,
        checkouts: 6,
        cartsPaid: 4,
        ordersPaid: 4,
        checkoutRate: { count: 5, of: 6, ratio: 5 / 6 },
        paymentRate: { count: 4, of: 5, ratio: 0.8 },
      },
    ]);
    const hours = expectRight(await funnelByPeriod(readModels, { granularity: 'hour' })).items;
    expect(hours.map((h) => [h.bucketStart, h.cartsOpened, h.cartsCheckedOut, h.checkouts, h.cartsPaid, h.ordersPaid])).toEqual([
      [at('09:00:00'), 4, 3, 3, 2, 2],
      [at('14:00:00'), 2, 2, 3, 2, 2],
    ]);
  });

  it('ranks products by units sold and by revenue, per currency', async () => {
    const byUnits = expectRight(await topProducts(readModels, 'CNY', 'units'));
    expect(byUnits.map((p) => [p.sku, p.unitsSold, p.orders])).toEqual([
      ['tea', 4, 2],
      ['cup', 3, 3],
      ['kettle', 2, 2],
    ]);
    const byRevenue = expectRight(await topProducts(readModels, 'CNY', 'revenue', 2));
    expect(byRevenue.map((p) => [p.sku, p.revenue])).toEqual([
      ['kettle', 64000],
      ['tea', 27200],
    ]);
    expect(expectRight(await topProducts(readModels, 'USD', 'revenue')).map((p) => [p.sku, p.unitsSold, p.revenue])).toEqual([['mug', 2, 3000]]);
  });

  it('answers a request for what it has no figures for (a granularity, a ranking, no request at all) as invalid, not as nothing sold', async () => {
    for (const answer of [
      await salesByPeriod(readModels, 'CNY', { granularity: 'week' } as never),
      await salesByPeriod(readModels, 'CNY', null as never),
      await funnelByPeriod(readModels, { granularity: 'Day' } as never),
      await funnelByPeriod(readModels, undefined as never),
      await topProducts(readModels, 'CNY', 'unit' as never),
    ]) {
      expect(expectLeft(answer)).toMatchObject({ code: 'INVALID_QUERY' });
    }
  });

  it('names the bound of a period that is no finite time, rather than the index it would not fit', async () => {
    expect(expectLeft(await salesByPeriod(readModels, 'CNY', { granularity: 'day', from: Number.NaN }))).toEqual({
      code: 'INVALID_QUERY',
      message: 'from must be a finite number of epoch milliseconds, not NaN',
    });
    expect(expectLeft(await funnelByPeriod(readModels, { granularity: 'hour', to: '0' as never }))).toEqual({
      code: 'INVALID_QUERY',
      message: 'to must be a finite number of epoch milliseconds, not "0"',
    });
  });

  it("profiles a customer's purchases: favourite categories, usual price range, buying hours", async () => {
    expect(expectRight(await customerProfile(readModels, 'alice'))).toEqual({
      customerId: 'alice',
      ordersPaid: 2,
      unitsBought: 7,
      favouriteCategories: [
        { category: 'tea', units: 4 },
        { category: 'tableware', units: 3 },
      ],
      priceRanges: [{ currency: 'CNY', min: 4500, max: 32000, usual: { from: 5000, below: 10000 } }],
      buyingHours: [
        { hour: 9, orders: 1 },
        { hour: 14, orders: 1 },
      ],
    });
    expect(expectLeft(await customerProfile(readModels, 'dan')).code).toBe('NOT_FOUND');
  });

  it('recommends what was bought together, most co-purchases first', async () => {
    expect(expectRight(await boughtTogether(readModels, 'tea'))).toEqual([
      { sku: 'cup', name: 'Product cup', orders: 2 },
      { sku: 'kettle', name: 'Product kettle', orders: 1 },
    ]);
    expect(expectRight(await boughtTogether(readModels, 'tea', 1)).map((p) => p.sku)).toEqual(['cup']);
    expect(expectRight(await boughtTogether(readModels, 'spoon'))).toEqual([]);
  });
});

describe('analytics projection, refunds of nothing', () => {
  it('does not count an order refunded by a request for a line that cost nothing', async () => {
    const shop = new Shop('2026-11-25T09:00:00Z');
    await shop.openCart('alice', 'F1');
    await shop.add('alice', 'F1', 'tea', 6800, 1, 'tea');
    await shop.send('alice', { type: 'ApplyCoupon', data: { cartId: 'F1', coupon: { code: 'ALL', kind: 'fixed', amountOff: 6800, minimumSpend: 0 } } });
    await shop.checkOut('alice', 'F1', 'f1');
    await shop.pay('f1');
    await shop.ship('f1', 'SF-Express', 'SF1');
    await shop.deliver('f1');
    await shop.send('alice', { type: 'RequestAfterSales', data: { orderId: 'f1', requestId: 'r1', kind: 'refund', lines: [{ sku: 'tea', quantity: 1 }], reason: 'stale' } });
    await shop.send('service-desk', { type: 'ApproveAfterSales', data: { orderId: 'f1', requestId: 'r1' } });
    const types = (await shop.eventStore.readStream('order-f1')).map((e) => e.type);
    expect(types.slice(-2)).toEqual(['AfterSalesApproved', 'OrderRefunded']);
    const readModels = await projectAll(shop.eventStore, analyticsProjection);
    const [day] = expectRight(await salesByPeriod(readModels, 'CNY', { granularity: 'day' })).items;
    expect(day).toMatchObject({ ordersPaid: 1, gmv: 800, refunds: { count: 0, of: 1 }, refundedAmount: 0 });
    await shop.engine.close();
  });
});

describe('analytics projection, orders a host placed itself', () => {
  it('does not count in the funnel an order its cart did not check out, though the cart checked out others', async () => {
    const shop = new Shop('2026-11-25T09:00:00Z');
    const line = { sku: 'spoon', name: 'Spoon', category: 'tableware', unitPrice: 1200, quantity: 1, lineTotal: 1200, paidAmount: 1200 };
    const pricing = { currency: 'CNY', lines: [line], subtotal: 1200, couponCode: null, couponDiscount: 0, rebateDiscount: 0, shippingFee: 0, shippingPaid: 0, gifts: [], pointsRedeemed: 0, pointsDiscount: 0, total: 1200 };
    const placeAndPay = async (orderId: string, cartId: string): Promise<void> => {
      await shop.send('host', { type: 'PlaceOrder', data: { orderId, cartId, customerId: 'alice', shippingAddress: ADDRESS, paymentMethod: 'card', pricing, paymentDeadline: shop.clock.now() + 1_800_000 } });
      await shop.pay(orderId);
    };
    // X checks out x1, never paid; the host's h1 and h3 name X and are paid. Y: the host's h2, paid, then Y checks out y1, never paid.
    // Z: the host's h4 names Z, then Z checks out h4 (refused a second placing), then h4 is paid.
    await shop.openCart('alice', 'X');
    await shop.add('alice', 'X', 'spoon', 1200, 1, 'tableware');
    await shop.checkOut('alice', 'X', 'x1');
    await placeAndPay('h1', 'X');
    await placeAndPay('h3', 'X');
    await shop.openCart('alice', 'Y');
    await placeAndPay('h2', 'Y');
    await shop.add('alice', 'Y', 'spoon', 1200, 1, 'tableware');
    await shop.checkOut('alice', 'Y', 'y1');
    await shop.openCart('alice', 'Z');
    await shop.send('host', { type: 'PlaceOrder', data: { orderId: 'h4', cartId: 'Z', customerId: 'alice', shippingAddress: ADDRESS, paymentMethod: 'card', pricing, paymentDeadline: shop.clock.now() + 1_800_000 } });
    await shop.add('alice', 'Z', 'spoon', 1200, 1, 'tableware');
    await shop.checkOut('alice', 'Z', 'h4');
    await shop.pay('h4');
    const readModels = await projectAll(shop.eventStore, analyticsProjection);
    const [day] = expectRight(await funnelByPeriod(readModels, { granularity: 'day' })).items;
    expect(day).toMatchObject({ cartsOpened: 3, cartsCheckedOut: 3, checkouts: 3, cartsPaid: 0, ordersPaid: 0 });
    await shop.engine.close();
  });

  it('does not count a cart paid that never checked out, though a paid order names it', async () => {
    const shop = new Shop('2026-11-25T09:00:00Z');
    await shop.openCart('alice', 'A1');
    await shop.add('alice', 'A1', 'spoon', 1200, 1, 'tableware');
    await shop.checkOut('alice', 'A1', 'a1');
    const line = { sku: 'spoon', name: 'Spoon', category: 'tableware', unitPrice: 1200, quantity: 1, lineTotal: 1200, paidAmount: 1200 };
    const pricing = { currency: 'CNY', lines: [line], subtotal: 1200, couponCode: null, couponDiscount: 0, rebateDiscount: 0, shippingFee: 0, shippingPaid: 0, gifts: [], pointsRedeemed: 0, pointsDiscount: 0, total: 1200 };
    for (const cartId of ['B1', 'B2']) {
      await shop.openCart('bob', cartId);
      const placement = { orderId: `host-${cartId}`, cartId, customerId: 'bob', shippingAddress: ADDRESS, paymentMethod: 'card', pricing, paymentDeadline: shop.clock.now() + 1_800_000 };
      await shop.send('host', { type: 'PlaceOrder', data: placement });
      await shop.pay(`host-${cartId}`);
    }
    const readModels = await projectAll(shop.eventStore, analyticsProjection);
    const [day] = expectRight(await funnelByPeriod(readModels, { granularity: 'day' })).items;
    expect(day).toMatchObject({ cartsOpened: 3, cartsCheckedOut: 1, cartsPaid: 0, ordersPaid: 0, paymentRate: { count: 0, of: 1, ratio: 0 } });
    const [sales] = expectRight(await salesByPeriod(readModels, 'CNY', { granularity: 'day' })).items;
    expect(sales).toMatchObject({ ordersPaid: 2, gmv: 2400 });
    await shop.engine.close();
  });
});

describe('analytics projection, a customer buying in several currencies', () => {
  it('keeps their unit prices apart per currency, most units first', async () => {
    const shop = new Shop('2026-11-25T09:00:00Z');
    await shop.openCart('alice', 'U1', 'USD');
    await shop.add('alice', 'U1', 'lamp', 10000, 1, 'home', 'USD');
    await shop.checkOut('alice', 'U1', 'u1');
    await shop.pay('u1');
    await shop.openCart('alice', 'J1', 'JPY');
    await shop.add('alice', 'J1', 'tea', 150, 3, 'tea', 'JPY');
    await shop.checkOut('alice', 'J1', 'j1');
    await shop.pay('j1');
    const readModels = await projectAll(shop.eventStore, analyticsProjection);
    expect(expectRight(await customerProfile(readModels, 'alice')).priceRanges).toEqual([
      { currency: 'JPY', min: 150, max: 150, usual: { from: 100, below: 200 } },
      { currency: 'USD', min: 10000, max: 10000, usual: { from: 10000, below: 20000 } },
    ]);
    await shop.engine.close();
  });
});
