import * as E from 'fp-ts/Either';
import { concatMap, map, of, Subject, take, timer } from 'rxjs';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import { standardPricingPolicy } from '../../src/domain/pricing/pricing-policy';
import { orderStreamId, paymentStreamId } from '../../src/engine/aggregates';
import type { EventStore } from '../../src/engine/event-store/event-store';
import { delegatingTo } from '../support/delegating-event-store';
import { address, cny } from '../support/fixtures';
import { checkedOutOrder, engineDriver, ORDER_TOTAL } from '../support/engine-driver';
import { verifyStore } from '../../src/engine/audit/verify';
import { exportLines, importLines } from '../audit/ndjson-lines';

const orderState = async (driver: ReturnType<typeof engineDriver>, orderId = 'o1') => {
  const loaded = await driver.engine.orderState(orderId);
  if (E.isLeft(loaded)) throw new Error(loaded.left.message);
  return loaded.right.state;
};
const paymentState = async (driver: ReturnType<typeof engineDriver>, paymentId = 'o1') => {
  const loaded = await driver.engine.paymentState(paymentId);
  if (E.isLeft(loaded)) throw new Error(loaded.left.message);
  return loaded.right.state;
};
const cartStateOf = async (driver: ReturnType<typeof engineDriver>, cartId: string) => {
  const loaded = await driver.engine.cartState(cartId);
  if (E.isLeft(loaded)) throw new Error(loaded.left.message);
  return loaded.right.state;
};
const typesIn = async (driver: ReturnType<typeof engineDriver>, streamId: string) =>
  (await driver.engine.eventStore.readStream(streamId)).map((e) => e.type);
const pay = (driver: ReturnType<typeof engineDriver>, amount = ORDER_TOTAL, tx = 'tx-1', paymentId = 'o1') =>
  driver.accept({ type: 'RecordProviderCallback', data: { paymentId, providerTransactionId: tx, amount: cny(amount), status: 'succeeded' } }, 'gateway');

/**
 * A host's MarkOrderPaid and a goodwill refund sent just after a capture, while the process manager reacts
 * 50 ms late and the OrderPaid takes 150 ms to append: through one engine, or from two other host processes
 * beside the process manager's, whose turns on the payment they do not share.
 */
const markPaidRacingRefund = async (hosts: 'one engine' | 'three processes'): Promise<ReturnType<typeof engineDriver>> => {
  const memory = new MemoryEventStore();
  let slowOrderPaid = false;
  let lagging = false;
  const slowOrderPaidAppend: EventStore['append'] = async (streamId, events, expected) => {
    if (slowOrderPaid && events.some((event) => event.type === 'OrderPaid')) {
      slowOrderPaid = false;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    return memory.append(streamId, events, expected);
  };
  const subscribe: EventStore['subscribe'] = (options) => memory.subscribe(options).pipe(concatMap((message) => timer(lagging ? 50 : 0).pipe(map(() => message))));
  const oneEngine = hosts === 'one engine';
  const driver = engineDriver({ eventStore: delegatingTo(memory, oneEngine ? { subscribe, append: slowOrderPaidAppend } : { subscribe }) });
  const marking = oneEngine ? driver : engineDriver({ eventStore: delegatingTo(memory, { append: slowOrderPaidAppend }), runProcessManager: false });
  const refunding = oneEngine ? driver : engineDriver({ eventStore: memory, runProcessManager: false });
  await checkedOutOrder(driver);
  lagging = true;
  await driver.send({ type: 'RecordProviderCallback', data: { paymentId: 'o1', providerTransactionId: 'tx-1', amount: cny(ORDER_TOTAL), status: 'succeeded' } }, 'gateway');
  slowOrderPaid = true;
  await Promise.all([
    marking.send({ type: 'MarkOrderPaid', data: { orderId: 'o1', paymentId: 'o1', amount: cny(ORDER_TOTAL) } }, 'host'),
    new Promise((resolve) => setTimeout(resolve, 5)).then(() =>
      refunding.send({ type: 'RefundPayment', data: { paymentId: 'o1', refundId: 'goodwill', amount: cny(500), reason: 'late delivery' } }, 'service-desk'),
    ),
  ]);
  await driver.engine.settle();
  return driver;
};

describe('the shopper journey through the engine', () => {
  it('checkout places the order and initiates its payment; the callback marks it paid', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver);
    expect(await orderState(driver)).toMatchObject({ status: 'awaiting-payment', total: ORDER_TOTAL });
    expect(await paymentState(driver)).toMatchObject({ status: 'pending', amountDue: ORDER_TOTAL });
    await pay(driver);
    expect(await orderState(driver)).toMatchObject({ status: 'paid', amountPaid: ORDER_TOTAL });
    const [placed] = await driver.engine.eventStore.readStream(orderStreamId('o1'));
    expect(placed).toMatchObject({ actor: 'process-manager', correlationId: 'cmd-4', type: 'OrderPlaced' });
  });

  it('a callback for the wrong amount is recorded as a rejection and the order stays unpaid', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver);
    await pay(driver, ORDER_TOTAL - 1);
    expect(await typesIn(driver, paymentStreamId('o1'))).toEqual(['PaymentInitiated', 'PaymentCallbackRejected']);
    expect(await orderState(driver)).toMatchObject({ status: 'awaiting-payment' });
  });

  it('a provider transaction id that paid one order cannot pay another', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver, 'o1', 'c1');
    await checkedOutOrder(driver, 'o2', 'c2');
    await pay(driver, ORDER_TOTAL, 'tx-shared', 'o1');
    await pay(driver, ORDER_TOTAL, 'tx-shared', 'o2');
    const [, rejected] = await driver.engine.eventStore.readStream(paymentStreamId('o2'));
    expect(rejected).toMatchObject({ type: 'PaymentCallbackRejected', data: { reason: 'TRANSACTION_ALREADY_USED' } });
    expect(await orderState(driver, 'o2')).toMatchObject({ status: 'awaiting-payment' });
  });

  it("a callback refused for its amount does not take its transaction id from the order it paid for", async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver, 'o1', 'c1');
    await checkedOutOrder(driver, 'o2', 'c2');
    await pay(driver, ORDER_TOTAL - 1, 'tx-1', 'o2');
    await pay(driver, ORDER_TOTAL, 'tx-1', 'o1');
    expect(await typesIn(driver, paymentStreamId('o2'))).toEqual(['PaymentInitiated', 'PaymentCallbackRejected']);
    expect(await orderState(driver, 'o1')).toMatchObject({ status: 'paid' });
  });

  it('two capturing callbacks of one payment at once: the one refused leaves its transaction id to the order it paid', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver, 'o1', 'c1');
    await checkedOutOrder(driver, 'o2', 'c2');
    const callback = (tx: string) =>
      driver.send({ type: 'RecordProviderCallback', data: { paymentId: 'o1', providerTransactionId: tx, amount: cny(ORDER_TOTAL), status: 'succeeded' } }, 'gateway');
    await Promise.all([callback('tx-1'), callback('tx-2')]);
    await driver.engine.settle();
    expect(await typesIn(driver, paymentStreamId('o1'))).toEqual(['PaymentInitiated', 'PaymentCaptured', 'PaymentCallbackRejected']);
    await pay(driver, ORDER_TOTAL, 'tx-2', 'o2');
    expect(await orderState(driver, 'o2')).toMatchObject({ status: 'paid' });
  });

  it("a failed callback naming another order's transaction does not fail this order's payment", async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver, 'o1', 'c1');
    await checkedOutOrder(driver, 'o2', 'c2');
    await pay(driver, ORDER_TOTAL, 'tx-1', 'o1');
    await driver.accept({ type: 'RecordProviderCallback', data: { paymentId: 'o2', providerTransactionId: 'tx-1', amount: cny(ORDER_TOTAL), status: 'failed' } }, 'gateway');
    const [, rejected] = await driver.engine.eventStore.readStream(paymentStreamId('o2'));
    expect(rejected).toMatchObject({ type: 'PaymentCallbackRejected', data: { reason: 'TRANSACTION_ALREADY_USED' } });
    await pay(driver, ORDER_TOTAL, 'tx-2', 'o2');
    expect(await orderState(driver, 'o2')).toMatchObject({ status: 'paid' });
  });

  it("puts a checkout's lines back past the cart's limits, which the shopper may have filled meanwhile; hosts cannot send that command", async () => {
    const store = new MemoryEventStore();
    // The process manager behind, so that the shopper adds before the order is refused.
    const lagging = delegatingTo(store, { subscribe: (options) => store.subscribe(options).pipe(concatMap((message) => timer(20).pipe(map(() => message)))) });
    const driver = engineDriver({ eventStore: lagging });
    await checkedOutOrder(driver, 'o1', 'c1');
    await driver.send({ type: 'OpenCart', data: { cartId: 'c2', customerId: 'bob', currency: 'CNY' } });
    await driver.send({ type: 'AddCartItem', data: { cartId: 'c2', sku: 'tea', name: 'Tea', category: 'tea', unitPrice: cny(5000), quantity: 5 } });
    expect(E.isRight(await driver.send({ type: 'CheckOutCart', data: { cartId: 'c2', orderId: 'o1', shippingAddress: address, paymentMethod: 'card', pointsToRedeem: 0 } }))).toBe(true);
    expect(E.isRight(await driver.send({ type: 'AddCartItem', data: { cartId: 'c2', sku: 'tea', name: 'Tea', category: 'tea', unitPrice: cny(5000), quantity: 9995 } }))).toBe(true);
    await driver.engine.settle();
    expect(await cartStateOf(driver, 'c2')).toMatchObject({ lines: [{ sku: 'tea', quantity: 10_000 }] });
    expect((await driver.engine.rejections()).map((r) => r.error.code)).toEqual(['ORDER_ALREADY_PLACED']);
    const lines = [{ sku: 'gold', name: 'Gold', category: 'gold', unitPrice: cny(1), quantity: 1 }];
    expect(await driver.send({ type: 'ReturnCheckedOutLines', data: { cartId: 'c2', orderId: 'o1', lines } } as never)).toEqual(
      E.left(expect.objectContaining({ kind: 'invalid', code: 'UNKNOWN_COMMAND_TYPE' })),
    );
    await driver.engine.close();
  });

  it('a checkout whose order id is taken puts its lines back in the cart, and the first order stays as it was', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver, 'o1', 'c1');
    await checkedOutOrder(driver, 'o1', 'c2');
    const cart = await driver.engine.cartState('c2');
    expect(E.isRight(cart) && cart.right.state).toMatchObject({
      lines: [
        { sku: 'tea', quantity: 2, unitPrice: 5000, selected: true },
        { sku: 'cup', quantity: 1, unitPrice: 3000, selected: true },
      ],
      orderIds: ['o1'],
    });
    expect(await typesIn(driver, orderStreamId('o1'))).toEqual(['OrderPlaced']);
    expect((await driver.engine.rejections()).map((r) => r.error.code)).toEqual(['ORDER_ALREADY_PLACED']);
    await driver.accept({ type: 'CheckOutCart', data: { cartId: 'c2', orderId: 'o2', shippingAddress: address, paymentMethod: 'card', pointsToRedeem: 0 } });
    expect(await orderState(driver, 'o2')).toMatchObject({ status: 'awaiting-payment', total: ORDER_TOTAL });
  });

  it('cancelling a paid order refunds the payment and records the refund on the order', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver);
    await pay(driver);
    await driver.accept({ type: 'CancelOrder', data: { orderId: 'o1', reason: 'changed my mind' } });
    expect(await paymentState(driver)).toMatchObject({ amountRefunded: ORDER_TOTAL });
    expect(await orderState(driver)).toMatchObject({ status: 'cancelled', amountRefunded: ORDER_TOTAL, refundsDue: {} });
  });

  it('an approved refund request is paid back; a return only once the goods are received', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver);
    await pay(driver);
    await driver.accept({ type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF', trackingNumber: 'SF1' } }, 'warehouse');
    await driver.accept({ type: 'DeliverOrder', data: { orderId: 'o1' } }, 'carrier');
    await driver.accept({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'r1', kind: 'refund', lines: [{ sku: 'cup', quantity: 1 }], reason: 'chipped' } });
    await driver.accept({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'r2', kind: 'return', lines: [{ sku: 'tea', quantity: 1 }], reason: 'wrong tea' } });
    await driver.accept({ type: 'ApproveAfterSales', data: { orderId: 'o1', requestId: 'r1' } }, 'service-desk');
    await driver.accept({ type: 'ApproveAfterSales', data: { orderId: 'o1', requestId: 'r2' } }, 'service-desk');
    expect(await orderState(driver)).toMatchObject({ amountRefunded: 3000 });
    await driver.accept({ type: 'ReceiveReturnedGoods', data: { orderId: 'o1', requestId: 'r2' } }, 'warehouse');
    expect(await orderState(driver)).toMatchObject({ amountRefunded: 8000 });
    expect(await paymentState(driver)).toMatchObject({ amountRefunded: 8000, refundIds: ['r1', 'r2'] });
  });

  it("a host's own refund cannot take the id of one the engine owes: its cancellation's, or an after-sales request's, either way round", async () => {
    const goodwill = (refundId: string) => ({ type: 'RefundPayment', data: { paymentId: 'o1', refundId, amount: cny(100), reason: 'goodwill' } }) as const;
    const cancelled = engineDriver();
    await checkedOutOrder(cancelled);
    await pay(cancelled);
    expect(await cancelled.send(goodwill('cancellation'), 'service-desk')).toEqual(
      E.left(expect.objectContaining({ kind: 'rejected', code: 'RESERVED_REFUND_ID', message: "refund id cancellation is the one the engine gives its own refunds: choose another" })),
    );
    expect(await cancelled.send(goodwill('late-capture'), 'service-desk')).toEqual(E.left(expect.objectContaining({ code: 'RESERVED_REFUND_ID' })));
    await cancelled.accept({ type: 'CancelOrder', data: { orderId: 'o1', reason: 'changed my mind' } });
    expect(await paymentState(cancelled)).toMatchObject({ amountRefunded: ORDER_TOTAL, refundIds: ['cancellation'] });

    const returned = engineDriver();
    await checkedOutOrder(returned);
    await pay(returned);
    await returned.accept({ type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF', trackingNumber: 'SF1' } }, 'warehouse');
    await returned.accept({ type: 'DeliverOrder', data: { orderId: 'o1' } }, 'carrier');
    await returned.accept(goodwill('r1'), 'service-desk');
    const request = (requestId: string) =>
      ({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId, kind: 'refund', lines: [{ sku: 'cup', quantity: 1 }], reason: 'chipped' } }) as const;
    expect(await returned.send(request('r1'))).toEqual(
      E.left(
        expect.objectContaining({
          kind: 'rejected',
          code: 'REQUEST_ID_TAKEN',
          message: 'payment o1 already made a refund r1, and an after-sales request is refunded under its own id: choose another request id',
        }),
      ),
    );
    await returned.accept(request('r2'));
    expect(await returned.send(goodwill('r2'), 'service-desk')).toEqual(
      E.left(expect.objectContaining({ kind: 'rejected', code: 'REFUND_ID_TAKEN', message: 'refund id r2 is that of after-sales request r2 of order o1, whose refund the engine would make under it: choose another' })),
    );
    await returned.accept({ type: 'ApproveAfterSales', data: { orderId: 'o1', requestId: 'r2' } }, 'service-desk');
    expect(await paymentState(returned)).toMatchObject({ amountRefunded: 3100, refundIds: ['r1', 'r2'] });
    expect(await orderState(returned)).toMatchObject({ amountRefunded: 3100, refundIds: ['r1', 'r2'], refundsDue: {} });
    // A repeat is still the payment's to answer, as before.
    expect(await returned.send(goodwill('r1'), 'service-desk')).toEqual(E.left(expect.objectContaining({ code: 'REFUND_ALREADY_RECORDED' })));
  });

  it("a host's own refund counts on the order: a cancellation after it gives back what the payment still holds", async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver);
    await pay(driver);
    await driver.accept({ type: 'RefundPayment', data: { paymentId: 'o1', refundId: 'goodwill', amount: cny(500), reason: 'late delivery' } }, 'service-desk');
    expect(await orderState(driver)).toMatchObject({ status: 'paid', amountRefunded: 500, refundIds: ['goodwill'] });
    const fromHost = await driver.send({ type: 'RecordPaymentRefund', data: { orderId: 'o1', paymentId: 'o1', refundId: 'goodwill-2', amount: cny(500) } } as never, 'host');
    expect(fromHost).toEqual(E.left(expect.objectContaining({ kind: 'invalid', code: 'UNKNOWN_COMMAND_TYPE' })));
    await driver.accept({ type: 'CancelOrder', data: { orderId: 'o1', reason: 'changed my mind' } });
    const cancelled = (await driver.engine.eventStore.readStream(orderStreamId('o1'))).find((event) => event.type === 'OrderCancelled');
    expect(cancelled).toMatchObject({ data: { refundDue: cny(ORDER_TOTAL - 500) } });
    expect(await paymentState(driver)).toMatchObject({ amountRefunded: ORDER_TOTAL, refundIds: ['goodwill', 'cancellation'] });
    expect(await orderState(driver)).toMatchObject({ status: 'cancelled', amountRefunded: ORDER_TOTAL, refundsDue: {} });
    expect(await driver.engine.rejections()).toEqual([]);
  });

  it("a host's refund made as the cancellation was decided leaves the order's refund short, and the order takes what was left", async () => {
    const store = new MemoryEventStore();
    const first = engineDriver({ eventStore: store });
    await checkedOutOrder(first);
    await pay(first);
    const position = first.engine.processManagerPosition;
    await first.engine.close();
    const behind = engineDriver({ eventStore: store, runProcessManager: false });
    await behind.accept({ type: 'RefundPayment', data: { paymentId: 'o1', refundId: 'goodwill', amount: cny(500), reason: 'late delivery' } }, 'service-desk');
    await behind.accept({ type: 'CancelOrder', data: { orderId: 'o1', reason: 'changed my mind' } });
    const caughtUp = engineDriver({ eventStore: store, processManagerStartAfter: position });
    await caughtUp.engine.settle();
    expect(await paymentState(caughtUp)).toMatchObject({ amountRefunded: ORDER_TOTAL, refundIds: ['goodwill', 'cancellation'] });
    expect(await orderState(caughtUp)).toMatchObject({ status: 'cancelled', amountRefunded: ORDER_TOTAL, refundIds: ['goodwill', 'cancellation'], refundsDue: {} });
    expect((await caughtUp.engine.rejections()).map((rejection) => rejection.error.code)).toEqual(['REFUND_EXCEEDS_CAPTURED']);
    await caughtUp.engine.close();
  });

  it("an after-sales refund approved before the order learnt of the host's refund of everything is settled at nothing", async () => {
    const store = new MemoryEventStore();
    const first = engineDriver({ eventStore: store });
    await checkedOutOrder(first);
    await pay(first);
    await first.accept({ type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF', trackingNumber: 'SF1' } }, 'warehouse');
    await first.accept({ type: 'DeliverOrder', data: { orderId: 'o1' } }, 'carrier');
    const position = first.engine.processManagerPosition;
    await first.engine.close();
    const behind = engineDriver({ eventStore: store, runProcessManager: false });
    await behind.accept({ type: 'RefundPayment', data: { paymentId: 'o1', refundId: 'goodwill', amount: cny(ORDER_TOTAL), reason: 'lost parcel' } }, 'service-desk');
    await behind.accept({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'r1', kind: 'refund', lines: [{ sku: 'cup', quantity: 1 }], reason: 'chipped' } });
    await behind.accept({ type: 'ApproveAfterSales', data: { orderId: 'o1', requestId: 'r1' } }, 'service-desk');
    expect(await orderState(behind)).toMatchObject({ refundsDue: { r1: 3000 } });
    const caughtUp = engineDriver({ eventStore: store, processManagerStartAfter: position });
    await caughtUp.engine.settle();
    expect(await paymentState(caughtUp)).toMatchObject({ amountRefunded: ORDER_TOTAL, refundIds: ['goodwill', 'r1'] });
    expect(await orderState(caughtUp)).toMatchObject({ amountRefunded: ORDER_TOTAL, refundsDue: {}, afterSales: [{ requestId: 'r1', status: 'refunded' }] });
    await caughtUp.engine.close();
  });

  it('an order a host marks paid as it refunds part of the payment is paid, and counts the refund: the capture does not go back from under it', async () => {
    const driver = await markPaidRacingRefund('one engine');
    const order = await orderState(driver);
    if (order.status !== 'paid') throw new Error(`the order is ${order.status}`);
    expect(await paymentState(driver)).toMatchObject({ amountRefunded: 500, refundIds: ['goodwill'] });
    expect(order).toMatchObject({ amountPaid: ORDER_TOTAL, amountRefunded: 500 });
    await driver.engine.close();
  });

  it('an order another process marks paid as a host refund sends the capture back is cancelled, its payment all given back, and does not ship', async () => {
    const driver = await markPaidRacingRefund('three processes');
    expect(await paymentState(driver)).toMatchObject({ amountRefunded: ORDER_TOTAL, refundIds: ['goodwill', 'late-capture'] });
    expect(await orderState(driver)).toMatchObject({ status: 'cancelled', refundsDue: {} });
    expect(await driver.send({ type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF', trackingNumber: 'SF1' } }, 'warehouse')).toEqual(
      E.left(expect.objectContaining({ code: 'INVALID_ORDER_STATUS' })),
    );
    await driver.engine.close();
  });

  it('an order whose payment a host refunded whole does not ship, though the process manager has not told the order yet', async () => {
    const memory = new MemoryEventStore();
    let lagging = false;
    const lagged = delegatingTo(memory, { subscribe: (options) => memory.subscribe(options).pipe(concatMap((message) => timer(lagging ? 50 : 0).pipe(map(() => message)))) });
    const driver = engineDriver({ eventStore: lagged });
    await checkedOutOrder(driver);
    await pay(driver);
    lagging = true;
    await driver.send({ type: 'RefundPayment', data: { paymentId: 'o1', refundId: 'goodwill', amount: cny(ORDER_TOTAL), reason: 'lost parcel' } }, 'service-desk');
    expect(await orderState(driver)).toMatchObject({ status: 'paid', amountRefunded: 0 });
    expect(await driver.send({ type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF', trackingNumber: 'SF1' } }, 'warehouse')).toEqual(
      E.left(expect.objectContaining({ kind: 'rejected', code: 'ORDER_REFUNDED' })),
    );
    await driver.engine.settle();
    await driver.engine.close();
  });

  it("an after-sales refund after a host's own refunds is what the payment still holds", async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver);
    await pay(driver);
    await driver.accept({ type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF', trackingNumber: 'SF1' } }, 'warehouse');
    await driver.accept({ type: 'DeliverOrder', data: { orderId: 'o1' } }, 'carrier');
    await driver.accept({ type: 'RefundPayment', data: { paymentId: 'o1', refundId: 'goodwill', amount: cny(ORDER_TOTAL - 1000), reason: 'late delivery' } }, 'service-desk');
    await driver.accept({ type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'r1', kind: 'refund', lines: [{ sku: 'cup', quantity: 1 }], reason: 'chipped' } });
    await driver.accept({ type: 'ApproveAfterSales', data: { orderId: 'o1', requestId: 'r1' } }, 'service-desk');
    expect(await paymentState(driver)).toMatchObject({ amountRefunded: ORDER_TOTAL, refundIds: ['goodwill', 'r1'] });
    expect(await orderState(driver)).toMatchObject({ amountRefunded: ORDER_TOTAL, refundsDue: {}, afterSales: [{ requestId: 'r1', status: 'refunded' }] });
    expect(await driver.engine.rejections()).toEqual([]);
  });

  it('a payment captured after the order expired goes straight back', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver);
    driver.clock.advance(31 * 60 * 1000);
    const fired = await driver.engine.runDueDeadlines(driver.clock.now());
    expect(fired.map((f) => f.deadlineId)).toEqual(['payment-expiry-o1']);
    await driver.engine.settle();
    expect(await orderState(driver)).toMatchObject({ status: 'expired' });
    await pay(driver);
    expect(await paymentState(driver)).toMatchObject({ status: 'captured', amountRefunded: ORDER_TOTAL, refundIds: ['late-capture'] });
  });

  it('a charge reported as succeeded after the payment failed pays the order, or goes back once the order expired', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver, 'o1', 'c1');
    await checkedOutOrder(driver, 'o2', 'c2');
    for (const paymentId of ['o1', 'o2']) await driver.accept({ type: 'FailPayment', data: { paymentId, reason: 'no answer from the provider' } }, 'host');
    await pay(driver, ORDER_TOTAL, 'tx-1', 'o1');
    expect(await orderState(driver, 'o1')).toMatchObject({ status: 'paid' });
    driver.clock.advance(31 * 60 * 1000);
    await driver.engine.runDueDeadlines(driver.clock.now());
    await driver.engine.settle();
    await pay(driver, ORDER_TOTAL, 'tx-2', 'o2');
    expect(await orderState(driver, 'o2')).toMatchObject({ status: 'expired' });
    expect(await paymentState(driver, 'o2')).toMatchObject({ status: 'captured', amountRefunded: ORDER_TOTAL, refundIds: ['late-capture'] });
  });

  it('an order is marked paid only by a payment that captured its amount, whoever sends the command', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver);
    for (const data of [
      { orderId: 'o1', paymentId: 'o1', amount: cny(ORDER_TOTAL) },
      { orderId: 'o1', paymentId: 'p-none', amount: cny(ORDER_TOTAL) },
    ]) {
      expect(await driver.send({ type: 'MarkOrderPaid', data }, 'host')).toEqual(E.left(expect.objectContaining({ kind: 'rejected', code: 'PAYMENT_NOT_CAPTURED' })));
    }
    expect(await orderState(driver)).toMatchObject({ status: 'awaiting-payment' });
    await pay(driver);
    expect(await orderState(driver)).toMatchObject({ status: 'paid' });
  });

  it('a host that marks the order paid itself, ahead of the process manager, keeps the payment', async () => {
    const store = new MemoryEventStore();
    const first = engineDriver({ eventStore: store });
    await checkedOutOrder(first);
    const position = first.engine.processManagerPosition;
    await first.engine.close();
    const host = engineDriver({ eventStore: store, runProcessManager: false });
    await pay(host);
    await host.accept({ type: 'MarkOrderPaid', data: { orderId: 'o1', paymentId: 'o1', amount: cny(ORDER_TOTAL) } }, 'host');
    const restarted = engineDriver({ eventStore: store, processManagerStartAfter: position });
    await restarted.engine.settle();
    expect(await paymentState(restarted)).toMatchObject({ status: 'captured', amountRefunded: 0 });
    expect(await orderState(restarted)).toMatchObject({ status: 'paid', amountPaid: ORDER_TOTAL });
    await restarted.engine.close();
  });

  it('an order with nothing to pay (a 100% coupon, free shipping) is paid at once and ships; its deadline never fires', async () => {
    const driver = engineDriver({ pricing: standardPricingPolicy({ shippingFee: 800, freeShippingThreshold: 0, gifts: [], rebates: [], pointValue: 1, maxPointsPercent: 50 }) });
    for (const [cartId, orderId] of [['c1', 'o1'], ['c2', 'o2']] as const) {
      await driver.accept({ type: 'OpenCart', data: { cartId, customerId: 'alice', currency: 'CNY' } });
      await driver.accept({ type: 'AddCartItem', data: { cartId, sku: 'tea', name: 'Tea', category: 'tea', unitPrice: cny(5000), quantity: 1 } });
      await driver.accept({ type: 'ApplyCoupon', data: { cartId, coupon: { code: 'FREE', kind: 'percentage', percentOff: 100, minimumSpend: 0 } } });
      await driver.accept({ type: 'CheckOutCart', data: { cartId, orderId, shippingAddress: address, paymentMethod: 'card', pointsToRedeem: 0 } });
      expect(await orderState(driver, orderId)).toMatchObject({ status: 'paid', total: 0, amountPaid: 0 });
    }
    await driver.accept({ type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF', trackingNumber: 'SF1' } }, 'warehouse');
    await driver.accept({ type: 'CancelOrder', data: { orderId: 'o2', reason: 'out of stock' } }, 'service-desk');
    expect(await driver.engine.runDueDeadlines(driver.clock.now() + 24 * 60 * 60 * 1000)).toEqual([]);
    expect(await paymentState(driver, 'o2')).toMatchObject({ status: 'captured', amountCaptured: 0, amountRefunded: 0, refundIds: [] });
    expect(await driver.engine.rejections()).toEqual([]);
  });

  it('a payment captured for an order that was never placed goes straight back', async () => {
    const driver = engineDriver();
    await driver.accept({ type: 'InitiatePayment', data: { paymentId: 'p9', orderId: 'o9', amount: cny(5000), method: 'card' } }, 'host');
    await pay(driver, 5000, 'tx-9', 'p9');
    expect(await paymentState(driver, 'p9')).toMatchObject({ status: 'captured', amountCaptured: 5000, amountRefunded: 5000, refundIds: ['late-capture'] });
  });

  it('a payment refunded as a late capture pays no order, even its own placed after: not when the process manager is restarted from before it', async () => {
    const store = new MemoryEventStore();
    const first = engineDriver({ eventStore: store });
    const position = first.engine.processManagerPosition;
    await first.accept({ type: 'InitiatePayment', data: { paymentId: 'p9', orderId: 'o9', amount: cny(5800), method: 'card' } }, 'host');
    await pay(first, 5800, 'tx-9', 'p9');
    const priced = standardPricingPolicy()({ currency: 'CNY', lines: [{ sku: 'tea', name: 'Tea', category: 'tea', unitPrice: 5000, quantity: 1 }], coupon: null, pointsToRedeem: 0 });
    if (E.isLeft(priced)) throw new Error(priced.left.message);
    expect(priced.right.total).toBe(5800);
    const placement = { orderId: 'o9', cartId: 'none', customerId: 'bob', shippingAddress: address, paymentMethod: 'card', pricing: priced.right, paymentDeadline: first.clock.now() + 1_800_000 };
    await first.accept({ type: 'PlaceOrder', data: placement }, 'host');
    expect(await first.send({ type: 'MarkOrderPaid', data: { orderId: 'o9', paymentId: 'p9', amount: cny(5800) } }, 'host')).toEqual(
      E.left(expect.objectContaining({ kind: 'rejected', code: 'PAYMENT_REFUNDED', message: 'payment p9 has refunded 58.00 CNY of what it captured, and cannot pay order o9' })),
    );
    await first.engine.close();
    const restarted = engineDriver({ eventStore: store, processManagerStartAfter: position });
    await restarted.engine.settle();
    expect(await orderState(restarted, 'o9')).toMatchObject({ status: 'awaiting-payment', paymentId: null, amountPaid: 0 });
    expect(await paymentState(restarted, 'p9')).toMatchObject({ amountRefunded: 5800, refundIds: ['late-capture'] });
    await restarted.engine.close();
  });

  it('an order paid by a payment refunded in part since is still paid by it when told so again: nothing changes', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver);
    await pay(driver);
    await driver.accept({ type: 'RefundPayment', data: { paymentId: 'o1', refundId: 'goodwill', amount: cny(500), reason: 'late delivery' } }, 'service-desk');
    const again = await driver.send({ type: 'MarkOrderPaid', data: { orderId: 'o1', paymentId: 'o1', amount: cny(ORDER_TOTAL) } }, 'host');
    expect(E.isRight(again) && again.right.events).toEqual([]);
  });

  it('a capture its order cannot take goes back whole, though the host refunded part of it first: what the payment still holds', async () => {
    const store = new MemoryEventStore();
    const first = engineDriver({ eventStore: store });
    await checkedOutOrder(first);
    const position = first.engine.processManagerPosition;
    await first.engine.close();
    // The capture and a goodwill refund arrive while the process manager is behind.
    const behind = engineDriver({ eventStore: store, runProcessManager: false });
    await pay(behind);
    await behind.accept({ type: 'RefundPayment', data: { paymentId: 'o1', refundId: 'goodwill', amount: cny(100), reason: 'goodwill' } }, 'service-desk');
    const caughtUp = engineDriver({ eventStore: store, processManagerStartAfter: position });
    await caughtUp.engine.settle();
    expect(await paymentState(caughtUp)).toMatchObject({ amountCaptured: ORDER_TOTAL, amountRefunded: ORDER_TOTAL, refundIds: ['goodwill', 'late-capture'] });
    const [lateCapture] = (await caughtUp.engine.eventStore.readStream(paymentStreamId('o1'))).filter((event) => event.type === 'PaymentRefunded').slice(1);
    expect(lateCapture).toMatchObject({ data: { refundId: 'late-capture', amount: cny(ORDER_TOTAL - 100) } });
    const fromHost = await caughtUp.send({ type: 'RefundRemainingCapture', data: { paymentId: 'o1', refundId: 'late-capture', reason: 'r' } } as never, 'host');
    expect(fromHost).toEqual(E.left(expect.objectContaining({ kind: 'invalid', code: 'UNKNOWN_COMMAND_TYPE' })));
    await caughtUp.engine.close();
  });

  it('an order whose own capture goes back, after its deadline was refused for that capture, is cancelled rather than wait for ever', async () => {
    const store = new MemoryEventStore();
    let held = false;
    const released = new Subject<void>();
    // The process manager falls behind after checkout, as after a restart: events reach it once released.
    const subscribe: EventStore['subscribe'] = (options) => store.subscribe(options).pipe(concatMap((message) => (held ? released.pipe(take(1), map(() => message)) : of(message))));
    const driver = engineDriver({ eventStore: delegatingTo(store, { subscribe }) });
    await checkedOutOrder(driver);
    held = true;
    driver.clock.advance(29 * 60 * 1000);
    const capture = { type: 'RecordProviderCallback', data: { paymentId: 'o1', providerTransactionId: 'tx-1', amount: cny(ORDER_TOTAL), status: 'succeeded' } } as const;
    expect(E.isRight(await driver.send(capture, 'gateway'))).toBe(true);
    // The host fires what falls due in the next two minutes: the deadline is decided at its own time.
    const [fired] = await driver.engine.runDueDeadlines(driver.clock.now() + 2 * 60 * 1000);
    expect(fired?.outcome).toEqual(E.left(expect.objectContaining({ code: 'PAYMENT_CAPTURED' })));
    expect(E.isRight(await driver.send({ type: 'RefundPayment', data: { paymentId: 'o1', refundId: 'goodwill', amount: cny(700), reason: 'goodwill' } }, 'service-desk'))).toBe(true);
    held = false;
    released.next();
    await driver.engine.settle();
    expect(await paymentState(driver)).toMatchObject({ amountCaptured: ORDER_TOTAL, amountRefunded: ORDER_TOTAL, refundIds: ['goodwill', 'late-capture'] });
    expect(await orderState(driver)).toMatchObject({ status: 'cancelled', amountPaid: 0 });
    await driver.engine.close();
  });

  it("an order another payment paid stays paid when its own payment's capture, come late and sent back, is read again from the start", async () => {
    const store = new MemoryEventStore();
    const first = engineDriver({ eventStore: store });
    await checkedOutOrder(first);
    await first.accept({ type: 'InitiatePayment', data: { paymentId: 'p2', orderId: 'o1', amount: cny(ORDER_TOTAL), method: 'alipay' } }, 'host');
    await pay(first, ORDER_TOTAL, 'tx-p2', 'p2');
    await pay(first, ORDER_TOTAL, 'tx-o1', 'o1');
    expect(await paymentState(first, 'o1')).toMatchObject({ amountRefunded: ORDER_TOTAL, refundIds: ['late-capture'] });
    await first.engine.close();
    // A host that keeps no position: its process manager reads the log again from the start.
    const again = engineDriver({ eventStore: store });
    await again.engine.settle();
    expect(await orderState(again)).toMatchObject({ status: 'paid', paymentId: 'p2', amountRefunded: 0 });
    expect(await paymentState(again, 'p2')).toMatchObject({ amountRefunded: 0, refundIds: [] });
    const fromHost = await again.send({ type: 'CancelUnpayableOrder', data: { orderId: 'o1', reason: 'r' } } as never, 'host');
    expect(fromHost).toEqual(E.left(expect.objectContaining({ kind: 'invalid', code: 'UNKNOWN_COMMAND_TYPE' })));
    await again.engine.close();
  });

  it('a capture its order cannot take, refunded in full by the host already, has nothing left to give back', async () => {
    const driver = engineDriver({ runProcessManager: false });
    await driver.accept({ type: 'InitiatePayment', data: { paymentId: 'p9', orderId: 'o9', amount: cny(5000), method: 'card' } }, 'host');
    await pay(driver, 5000, 'tx-9', 'p9');
    await driver.accept({ type: 'RefundPayment', data: { paymentId: 'p9', refundId: 'goodwill', amount: cny(5000), reason: 'goodwill' } }, 'service-desk');
    const caughtUp = engineDriver({ eventStore: driver.engine.eventStore });
    await caughtUp.engine.settle();
    expect(await paymentState(caughtUp, 'p9')).toMatchObject({ amountRefunded: 5000, refundIds: ['goodwill', 'late-capture'] });
    const refunds = (await caughtUp.engine.eventStore.readStream(paymentStreamId('p9'))).filter((event) => event.type === 'PaymentRefunded');
    expect(refunds.map((event) => event.data)).toEqual([
      expect.objectContaining({ refundId: 'goodwill', amount: cny(5000) }),
      expect.objectContaining({ refundId: 'late-capture', amount: cny(0) }),
    ]);
    await caughtUp.engine.close();
  });
});

describe('deadlines', () => {
  it('fire only when due, exactly once, and not after the order was paid', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver, 'o1', 'c1');
    await checkedOutOrder(driver, 'o2', 'c2');
    await pay(driver, ORDER_TOTAL, 'tx-2', 'o2');
    expect(await driver.engine.runDueDeadlines(driver.clock.now())).toEqual([]);
    driver.clock.advance(30 * 60 * 1000);
    const fired = await driver.engine.runDueDeadlines(driver.clock.now());
    expect(fired.map((f) => [f.deadlineId, E.isRight(f.outcome)])).toEqual([['payment-expiry-o1', true]]);
    await driver.engine.settle();
    expect(await driver.engine.runDueDeadlines(driver.clock.now() + 1e9)).toEqual([]);
    expect(await orderState(driver, 'o2')).toMatchObject({ status: 'paid' });
    expect(await driver.engine.rejections()).toEqual([]);
    expect(await typesIn(driver, 'deadline-payment-expiry-o1')).toEqual(['DeadlineScheduled', 'DeadlineFired']);
    expect(await typesIn(driver, 'deadline-payment-expiry-o2')).toEqual(['DeadlineScheduled', 'DeadlineCancelled']);
  });

  it('do not expire an order whose payment captured in time, though the process manager has not marked it paid yet', async () => {
    const store = new MemoryEventStore();
    // The process manager behind: every event reaches it 50 ms late, as over a durable store under load.
    const lagging = delegatingTo(store, { subscribe: (options) => store.subscribe(options).pipe(concatMap((message) => timer(50).pipe(map(() => message)))) });
    const driver = engineDriver({ eventStore: lagging });
    await checkedOutOrder(driver);
    driver.clock.advance(29 * 60 * 1000);
    expect(E.isRight(await driver.send({ type: 'RecordProviderCallback', data: { paymentId: 'o1', providerTransactionId: 'tx-1', amount: cny(ORDER_TOTAL), status: 'succeeded' } }, 'gateway'))).toBe(true);
    driver.clock.advance(2 * 60 * 1000);
    const fired = await driver.engine.runDueDeadlines(driver.clock.now());
    expect(fired.map((f) => [f.deadlineId, E.isLeft(f.outcome) && f.outcome.left.code])).toEqual([['payment-expiry-o1', 'PAYMENT_CAPTURED']]);
    await driver.engine.settle();
    expect(await orderState(driver)).toMatchObject({ status: 'paid', amountPaid: ORDER_TOTAL });
    expect(await paymentState(driver)).toMatchObject({ status: 'captured', amountRefunded: 0 });
    expect(await driver.engine.runDueDeadlines(driver.clock.now() + 1e9)).toEqual([]);
    await driver.engine.close();
  });

  it('do not expire an order whose capture arrives as its deadline fires: the two take turns, the capture first here', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver);
    const deadline = driver.clock.now() + 30 * 60 * 1000;
    driver.clock.set(deadline - 1);
    const [captured, fired] = await Promise.all([
      driver.send({ type: 'RecordProviderCallback', data: { paymentId: 'o1', providerTransactionId: 'tx-1', amount: cny(ORDER_TOTAL), status: 'succeeded' } }, 'gateway'),
      driver.engine.runDueDeadlines(deadline),
    ]);
    expect(E.isRight(captured)).toBe(true);
    // Refused as captured, or, once the process manager has marked the order paid, as paid.
    expect(fired.map((f) => [f.deadlineId, E.isLeft(f.outcome) && ['PAYMENT_CAPTURED', 'INVALID_ORDER_STATUS'].includes(f.outcome.left.code)])).toEqual([['payment-expiry-o1', true]]);
    await driver.engine.settle();
    expect(await orderState(driver)).toMatchObject({ status: 'paid', amountPaid: ORDER_TOTAL });
    expect(await paymentState(driver)).toMatchObject({ status: 'captured', amountRefunded: 0 });
  });

  it('expire an order whose payment captured an amount that cannot pay it', async () => {
    const store = new MemoryEventStore();
    const lagging = delegatingTo(store, { subscribe: (options) => store.subscribe(options).pipe(concatMap((message) => timer(50).pipe(map(() => message)))) });
    const driver = engineDriver({ eventStore: lagging });
    await driver.accept({ type: 'InitiatePayment', data: { paymentId: 'o1', orderId: 'o1', amount: cny(100), method: 'card' } }, 'host');
    await checkedOutOrder(driver);
    driver.clock.advance(29 * 60 * 1000);
    expect(E.isRight(await driver.send({ type: 'RecordProviderCallback', data: { paymentId: 'o1', providerTransactionId: 'tx-1', amount: cny(100), status: 'succeeded' } }, 'gateway'))).toBe(true);
    driver.clock.advance(2 * 60 * 1000);
    const fired = await driver.engine.runDueDeadlines(driver.clock.now());
    expect(fired.map((f) => [f.deadlineId, E.isRight(f.outcome)])).toEqual([['payment-expiry-o1', true]]);
    await driver.engine.settle();
    expect(await orderState(driver)).toMatchObject({ status: 'expired' });
    expect(await paymentState(driver)).toMatchObject({ amountCaptured: 100, amountRefunded: 100 });
    await driver.engine.close();
  });

  it("fire though a host sent a command under the deadline's command id: ids of the engine's own kind are refused to hosts", async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver);
    for (const commandId of ['deadline-payment-expiry-o1', 'pm-anything-1']) {
      expect(await driver.send({ type: 'RemoveCoupon', data: { cartId: 'c1' } }, 'alice', commandId)).toEqual(
        E.left(expect.objectContaining({ kind: 'invalid', code: 'RESERVED_COMMAND_ID' })),
      );
    }
    driver.clock.advance(30 * 60 * 1000);
    const fired = await driver.engine.runDueDeadlines(driver.clock.now());
    expect(fired.map((f) => [f.deadlineId, E.isRight(f.outcome)])).toEqual([['payment-expiry-o1', true]]);
    await driver.engine.settle();
    expect(await orderState(driver)).toMatchObject({ status: 'expired' });
  });

  it('fire for ids of the full 128 characters, whose streams and deadline ids are longer, and such a store exports and imports whole', async () => {
    const driver = engineDriver();
    const orderId = 'o'.repeat(128);
    await checkedOutOrder(driver, orderId, 'c'.repeat(128));
    driver.clock.advance(31 * 60 * 1000);
    const fired = await driver.engine.runDueDeadlines(driver.clock.now());
    expect(fired.map((f) => [f.deadlineId, E.isRight(f.outcome)])).toEqual([[`payment-expiry-${orderId}`, true]]);
    await driver.engine.settle();
    expect(await orderState(driver, orderId)).toMatchObject({ status: 'expired' });
    const lines = await exportLines(driver.engine.eventStore);
    const imported = await importLines(lines);
    expect(await exportLines(imported)).toEqual(lines);
    expect(await verifyStore(imported)).toMatchObject(E.right({ ok: true, eventCount: lines.length }));
  });

  it('survive a restart of the host: a new engine on the same store fires them, once', async () => {
    const driver = engineDriver();
    await checkedOutOrder(driver);
    const store = driver.engine.eventStore;
    const restarted = engineDriver({ eventStore: store });
    await restarted.engine.settle();
    const late = Date.UTC(2026, 10, 26);
    const [first, second] = await Promise.all([driver.engine.runDueDeadlines(late), restarted.engine.runDueDeadlines(late)]);
    expect([...first!, ...second!].map((f) => f.deadlineId)).toEqual(['payment-expiry-o1', 'payment-expiry-o1']);
    await restarted.engine.settle();
    expect((await store.readStream(orderStreamId('o1'))).filter((e) => e.type === 'OrderExpired')).toHaveLength(1);
  });

  it('survive a restart from the process manager position: those scheduled before it are read back', async () => {
    const store = new MemoryEventStore();
    const driver = engineDriver({ eventStore: store });
    await checkedOutOrder(driver, 'o1', 'c1');
    await checkedOutOrder(driver, 'o2', 'c2');
    await pay(driver, ORDER_TOTAL, 'tx-2', 'o2');
    const position = driver.engine.processManagerPosition;
    await driver.engine.close();
    const restarted = engineDriver({ eventStore: store, processManagerStartAfter: position });
    await restarted.engine.settle();
    const fired = await restarted.engine.runDueDeadlines(Date.UTC(2026, 10, 26));
    expect(fired.map((f) => f.deadlineId)).toEqual(['payment-expiry-o1']);
    await restarted.engine.settle();
    expect(await orderState(restarted, 'o1')).toMatchObject({ status: 'expired' });
    expect(await orderState(restarted, 'o2')).toMatchObject({ status: 'paid' });
    await restarted.engine.close();
  });

  it('survive a restart over a slow store: settling, and running what is due, wait until they are read back', async () => {
    const restartedOverSlowReads = async () => {
      const store = new MemoryEventStore();
      const driver = engineDriver({ eventStore: store });
      await checkedOutOrder(driver, 'o1', 'c1');
      await checkedOutOrder(driver, 'o2', 'c2');
      const position = driver.engine.processManagerPosition;
      await driver.engine.close();
      const slowReads = delegatingTo(store, { readAll: async (options) => (await new Promise((resolve) => setTimeout(resolve, 50)), store.readAll(options)) });
      return engineDriver({ eventStore: slowReads, processManagerStartAfter: position });
    };
    const settled = await restartedOverSlowReads();
    await settled.engine.settle();
    expect((await settled.engine.runDueDeadlines(Date.UTC(2026, 10, 26))).map((f) => f.deadlineId)).toEqual(['payment-expiry-o1', 'payment-expiry-o2']);
    await settled.engine.close();
    const unsettled = await restartedOverSlowReads();
    expect((await unsettled.engine.runDueDeadlines(Date.UTC(2026, 10, 26))).map((f) => f.deadlineId)).toEqual(['payment-expiry-o1', 'payment-expiry-o2']);
    await unsettled.engine.close();
  });

  it('being read back over a store that never answers, hold no settle or run of them past the engine closing', async () => {
    const store = new MemoryEventStore();
    const driver = engineDriver({ eventStore: store });
    await checkedOutOrder(driver);
    const position = driver.engine.processManagerPosition;
    await driver.engine.close();
    const hung = delegatingTo(store, { readAll: () => new Promise(() => undefined) });
    const restarted = engineDriver({ eventStore: hung, processManagerStartAfter: position });
    const settling = restarted.engine.settle();
    const running = restarted.engine.runDueDeadlines(Date.UTC(2026, 10, 26));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await restarted.engine.close();
    await expect(settling).resolves.toBeUndefined();
    await expect(running).resolves.toEqual([]);
  });
});

describe('engines sharing a store (host processes)', () => {
  it("the process manager's engine marks paid an order whose payment another engine captured, and its refunds go through", async () => {
    const store = new MemoryEventStore();
    const manager = engineDriver({ eventStore: store });
    const webhook = engineDriver({ eventStore: store, runProcessManager: false });
    await checkedOutOrder(manager);
    await pay(webhook);
    await manager.engine.settle();
    expect(await orderState(manager)).toMatchObject({ status: 'paid', amountPaid: ORDER_TOTAL });
    await webhook.accept({ type: 'CancelOrder', data: { orderId: 'o1', reason: 'changed my mind' } }, 'service-desk');
    await manager.engine.settle();
    expect(await paymentState(manager)).toMatchObject({ status: 'captured', amountRefunded: ORDER_TOTAL, refundIds: ['cancellation'] });
    expect(await manager.engine.rejections()).toEqual([]);
    await manager.engine.close();
  });

  it('a command refused on a state another engine has moved on from is decided again on the latest', async () => {
    const store = new MemoryEventStore();
    const first = engineDriver({ eventStore: store });
    const second = engineDriver({ eventStore: store, runProcessManager: false });
    await checkedOutOrder(first);
    expect(await orderState(second)).toMatchObject({ status: 'awaiting-payment' });
    await pay(first);
    expect(await second.send({ type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF', trackingNumber: 'SF1' } }, 'warehouse')).toMatchObject(E.right({ revision: 2 }));
    expect(await orderState(first)).toMatchObject({ status: 'shipped' });
    expect(await second.engine.rejections()).toEqual([]);
    await first.engine.close();
  });
});
