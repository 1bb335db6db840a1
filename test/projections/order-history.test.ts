import { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import { orderHistoryProjection } from '../../src/projections/order-history/projection';
import { customerOrders, orderDetail } from '../../src/projections/order-history/queries';
import { encodeCursor } from '../../src/projections/query-page';
import { expectLeft, expectRight, projectAll } from '../support/run-projection';
import { Shop } from '../support/shop';

/** Alice's journey of the quickstart (order A), a second order of hers left unpaid (B), and one of Bob's (C). */
const aliceBobShop = async (): Promise<Shop> => {
  const shop = new Shop();
  await shop.openCart('alice', 'alice-cart');
  await shop.add('alice', 'alice-cart', 'tea', 6800, 3, 'tea');
  await shop.add('alice', 'alice-cart', 'cup', 4500, 1, 'tableware');
  await shop.send('alice', { type: 'ApplyCoupon', data: { cartId: 'alice-cart', coupon: { code: 'TEA20', kind: 'fixed', amountOff: 2000, minimumSpend: 15000 } } });
  await shop.checkOut('alice', 'alice-cart', 'order-a', 500);
  await shop.pay('order-a');
  await shop.ship('order-a', 'SF-Express', 'SF1234567890');
  await shop.track('order-a', 'in-transit', 'Left Hangzhou sorting centre', 'Hangzhou');
  await shop.track('order-a', 'out-for-delivery', 'With the courier');
  await shop.deliver('order-a');
  await shop.send('system', { type: 'CompleteOrder', data: { orderId: 'order-a', pointsEarned: 185 } });
  await shop.send('alice', { type: 'ReviewOrder', data: { orderId: 'order-a', rating: 5, comment: 'Lovely tea' } });
  await shop.send('alice', { type: 'RequestAfterSales', data: { orderId: 'order-a', requestId: 'as-1', kind: 'refund', lines: [{ sku: 'cup', quantity: 1 }], reason: 'Cup arrived chipped' } });
  await shop.send('service-desk', { type: 'ApproveAfterSales', data: { orderId: 'order-a', requestId: 'as-1' } });
  await shop.openCart('bob', 'bob-cart');
  await shop.add('bob', 'bob-cart', 'kettle', 32000);
  await shop.checkOut('bob', 'bob-cart', 'order-c');
  await shop.add('alice', 'alice-cart', 'spoon', 1200, 2, 'tableware');
  await shop.checkOut('alice', 'alice-cart', 'order-b');
  return shop;
};

describe('order history projection', () => {
  let shop: Shop;
  let readModels: MemoryReadModelStore;

  beforeAll(async () => {
    shop = await aliceBobShop();
    readModels = await projectAll(shop.eventStore, orderHistoryProjection);
  });
  afterAll(() => shop.engine.close());

  it("lists a customer's orders newest first, summarised", async () => {
    const page = expectRight(await customerOrders(readModels, 'alice'));
    expect(page.next).toBeUndefined();
    expect(page.items).toEqual([
      expect.objectContaining({ orderId: 'order-b', status: 'awaiting-payment', currency: 'CNY', total: 2400 + 800, paid: 0, units: 2, lineCount: 1, title: 'Product spoon' }),
      expect.objectContaining({ orderId: 'order-a', status: 'completed', total: 22400, paid: 22400, refunded: 4048, units: 4, lineCount: 2, title: 'Product tea and 1 more' }),
    ]);
    expect(page.items[0]!.placedAt).toBeGreaterThan(page.items[1]!.placedAt);
  });

  it('answers a request that is none (null, a limit of null) as invalid', async () => {
    expect(expectLeft(await customerOrders(readModels, 'alice', null as never))).toMatchObject({ code: 'INVALID_QUERY' });
    expect(expectLeft(await customerOrders(readModels, 'alice', { limit: null } as never))).toMatchObject({ code: 'INVALID_PAGE_SIZE' });
  });

  it('answers a key or cursor no read model can hold (U+0000, a lone surrogate) as invalid, on every store alike', async () => {
    expect(expectLeft(await customerOrders(readModels, 'ali\u0000ce'))).toMatchObject({ code: 'INVALID_QUERY' });
    expect(expectLeft(await customerOrders(readModels, 'ali\ud800ce'))).toMatchObject({ code: 'INVALID_QUERY' });
    expect(expectLeft(await customerOrders(readModels, 'alice', { after: encodeCursor({ value: 1, id: 'a\u0000' }) }))).toMatchObject({ code: 'INVALID_CURSOR' });
  });

  it('pages with a cursor, not an offset', async () => {
    const first = expectRight(await customerOrders(readModels, 'alice', { limit: 1 }));
    expect(first.items.map((o) => o.orderId)).toEqual(['order-b']);
    expect(first.next).toEqual(expect.any(String));
    const second = expectRight(await customerOrders(readModels, 'alice', { limit: 1, after: first.next! }));
    expect(second.items.map((o) => o.orderId)).toEqual(['order-a']);
    expect(second.next).toBeUndefined();
  });

  it("never lists another customer's orders", async () => {
    expect(expectRight(await customerOrders(readModels, 'bob')).items.map((o) => o.orderId)).toEqual(['order-c']);
    expect(expectRight(await customerOrders(readModels, 'carol')).items).toEqual([]);
  });

  it("gives one order's lines, amounts, status, shipment and after-sales", async () => {
    const detail = expectRight(await orderDetail(readModels, 'alice', 'order-a'));
    expect(detail).toMatchObject({
      orderId: 'order-a',
      customerId: 'alice',
      status: 'completed',
      currency: 'CNY',
      lines: [
        { sku: 'tea', quantity: 3, unitPrice: 6800, lineTotal: 20400, paidAmount: 18352 },
        { sku: 'cup', quantity: 1, unitPrice: 4500, lineTotal: 4500, paidAmount: 4048 },
      ],
      amounts: { subtotal: 24900, couponCode: 'TEA20', couponDiscount: 2000, rebateDiscount: 0, shippingFee: 0, pointsRedeemed: 500, pointsDiscount: 500, total: 22400, paid: 22400, refunded: 4048 },
      payment: { paymentId: 'order-a', status: 'captured' },
      shipment: { carrier: 'SF-Express', trackingNumber: 'SF1234567890', lastStatus: 'delivered' },
      review: { rating: 5, comment: 'Lovely tea' },
      afterSales: [{ requestId: 'as-1', kind: 'refund', status: 'refunded', refundAmount: 4048, reason: 'Cup arrived chipped' }],
      closure: null,
    });
    expect(detail.completedAt).toEqual(expect.any(Number));
  });

  it("gives one order's full timeline: each event's type, time, actor and summary", async () => {
    const detail = expectRight(await orderDetail(readModels, 'alice', 'order-a'));
    expect(detail.timeline.map((e) => [e.type, e.actor])).toEqual([
      ['OrderPlaced', 'process-manager'],
      ['PaymentInitiated', 'process-manager'],
      ['PaymentCaptured', 'payment-gateway'],
      ['OrderPaid', 'process-manager'],
      ['OrderShipped', 'warehouse'],
      ['OrderTrackingUpdated', 'carrier-feed'],
      ['OrderTrackingUpdated', 'carrier-feed'],
      ['OrderDelivered', 'carrier-feed'],
      ['OrderCompleted', 'system'],
      ['OrderReviewed', 'alice'],
      ['AfterSalesRequested', 'alice'],
      ['AfterSalesApproved', 'service-desk'],
      ['PaymentRefunded', 'process-manager'],
      ['OrderRefunded', 'process-manager'],
    ]);
    expect(detail.timeline.map((e) => e.summary)).toEqual(
      expect.arrayContaining([
        'Order placed: 4 items in 2 lines, total 224.00 CNY',
        'Shipped with SF-Express, tracking number SF1234567890',
        'in-transit: Left Hangzhou sorting centre (Hangzhou)',
        'Refund as-1 requested for 40.48 CNY: Cup arrived chipped',
        'Refunded 40.48 CNY (as-1)',
      ]),
    );
    const times = detail.timeline.map((e) => e.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("answers NOT_FOUND for another customer's order, as for one that does not exist", async () => {
    expect(expectLeft(await orderDetail(readModels, 'bob', 'order-a')).code).toBe('NOT_FOUND');
    expect(expectLeft(await orderDetail(readModels, 'alice', 'order-c')).code).toBe('NOT_FOUND');
    expect(expectLeft(await orderDetail(readModels, 'alice', 'no-such-order')).code).toBe('NOT_FOUND');
    expect(expectRight(await orderDetail(readModels, 'bob', 'order-c')).status).toBe('awaiting-payment');
  });

  it('refuses a cursor it did not make, and an impossible page size', async () => {
    expect(expectLeft(await customerOrders(readModels, 'alice', { after: 'not-a-cursor' })).code).toBe('INVALID_CURSOR');
    const numberCursor = Buffer.from(JSON.stringify(['x', 'order-a'])).toString('base64url');
    expect(expectLeft(await customerOrders(readModels, 'alice', { after: numberCursor })).code).toBe('INVALID_CURSOR');
    expect(expectLeft(await customerOrders(readModels, 'alice', { limit: 0 })).code).toBe('INVALID_PAGE_SIZE');
  });

  it('shows an order left unpaid past its deadline as expired', async () => {
    shop.clock.advance(31 * 60_000);
    await shop.runDeadlines();
    const later = await projectAll(shop.eventStore, orderHistoryProjection);
    const detail = expectRight(await orderDetail(later, 'alice', 'order-b'));
    expect(detail).toMatchObject({ status: 'expired', closure: { kind: 'expired' } });
    expect(detail.timeline.map((e) => e.type).slice(-1)).toEqual(['OrderExpired']);
  });

  it('answers PROJECTION_NOT_ACTIVE before any version has been activated', async () => {
    expect(expectLeft(await customerOrders(new MemoryReadModelStore(), 'alice')).code).toBe('PROJECTION_NOT_ACTIVE');
  });
});

describe('order history projection, payments the order did not take', () => {
  it('shows the payment that paid the order, whatever its other payments do afterwards', async () => {
    const shop = new Shop();
    await shop.openCart('alice', 'cart-1');
    await shop.add('alice', 'cart-1', 'tea', 6800, 1, 'tea');
    await shop.checkOut('alice', 'cart-1', 'o1');
    const total = await shop.total('o1');
    await shop.send('host', { type: 'InitiatePayment', data: { paymentId: 'o1-card', orderId: 'o1', amount: total, method: 'card' } });
    await shop.send('payment-gateway', { type: 'RecordProviderCallback', data: { paymentId: 'o1-card', providerTransactionId: 'tx-card', amount: total, status: 'succeeded' } });
    await shop.send('payment-gateway', { type: 'RecordProviderCallback', data: { paymentId: 'o1', providerTransactionId: 'tx-late', amount: total, status: 'failed' } });
    const readModels = await projectAll(shop.eventStore, orderHistoryProjection);
    expect(expectRight(await orderDetail(readModels, 'alice', 'o1'))).toMatchObject({ status: 'paid', payment: { paymentId: 'o1-card', status: 'captured', paidTheOrder: true } });
    await shop.engine.close();
  });

  it('shows a payment captured after the order expired as refunded, once its money has gone back', async () => {
    const shop = new Shop();
    await shop.openCart('alice', 'cart-1');
    await shop.add('alice', 'cart-1', 'tea', 6800, 1, 'tea');
    await shop.checkOut('alice', 'cart-1', 'o1');
    shop.clock.advance(31 * 60 * 1000);
    await shop.runDeadlines();
    await shop.pay('o1');
    const readModels = await projectAll(shop.eventStore, orderHistoryProjection);
    expect(expectRight(await orderDetail(readModels, 'alice', 'o1'))).toMatchObject({
      status: 'expired',
      amounts: { paid: 0, refunded: 0 },
      payment: { paymentId: 'o1', status: 'refunded', paidTheOrder: false },
    });
    await shop.engine.close();
  });

  it("writes the timeline's amounts in each currency's own minor unit", async () => {
    const shop = new Shop();
    await shop.openCart('alice', 'cart-jpy', 'JPY');
    await shop.add('alice', 'cart-jpy', 'tea', 3800, 1, 'tea', 'JPY');
    await shop.checkOut('alice', 'cart-jpy', 'o-jpy');
    const readModels = await projectAll(shop.eventStore, orderHistoryProjection);
    const [placed] = expectRight(await orderDetail(readModels, 'alice', 'o-jpy')).timeline.map((entry) => entry.summary);
    // 3800 of goods and the default rules' shipping fee of 800 minor units: yen have no minor unit.
    expect(placed).toBe('Order placed: 1 item in 1 line, total 4600 JPY');
    await shop.engine.close();
  });
});
