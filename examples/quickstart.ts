/**
 * One shopper's whole journey on the embedded in-memory store: cart, checkout, order, payment callback,
 * shipment, tracking, delivery, review and a partial refund; then the order's timeline and final state.
 */
import * as E from 'fp-ts/Either';
import { createEngine, formatMoney, manualClock, orderStreamId, sequentialIds } from '../src';
import type { CommandOutcome, HostCommand } from '../src';

const clock = manualClock(Date.parse('2026-11-25T09:00:00Z'));
const engine = createEngine({ clock: clock.now, newId: sequentialIds() });

let commandNumber = 0;
const send = async (actor: string, command: HostCommand): Promise<CommandOutcome> => {
  commandNumber += 1;
  clock.advance(60_000);
  const outcome = await engine.execute({ commandId: `cmd-${commandNumber}`, actor, correlationId: 'journey-alice', command });
  if (E.isLeft(outcome)) throw new Error(`${command.type} was refused: ${outcome.left.message}`);
  await engine.settle();
  return outcome;
};

const cny = (amount: number) => ({ amount, currency: 'CNY' });
const cartId = 'alice-cart';
const orderId = '20261125-0001';

const main = async (): Promise<void> => {
  await send('alice', { type: 'OpenCart', data: { cartId, customerId: 'alice', currency: 'CNY' } });
  await send('alice', { type: 'AddCartItem', data: { cartId, sku: 'tea-oolong', name: 'Oolong tea 250 g', category: 'tea', unitPrice: cny(6800), quantity: 2 } });
  await send('alice', { type: 'AddCartItem', data: { cartId, sku: 'cup-celadon', name: 'Celadon cup', category: 'tableware', unitPrice: cny(4500), quantity: 1 } });
  await send('alice', { type: 'AddCartItem', data: { cartId, sku: 'kettle-iron', name: 'Cast-iron kettle', category: 'tableware', unitPrice: cny(32000), quantity: 1 } });
  await send('alice', { type: 'ChangeCartItemQuantity', data: { cartId, sku: 'tea-oolong', quantity: 3 } });
  await send('alice', { type: 'DeselectCartItems', data: { cartId, skus: ['kettle-iron'] } });
  await send('alice', { type: 'ApplyCoupon', data: { cartId, coupon: { code: 'TEA20', kind: 'fixed', amountOff: 2000, minimumSpend: 15000 } } });
  await send('alice', {
    type: 'CheckOutCart',
    data: {
      cartId,
      orderId,
      paymentMethod: 'alipay',
      pointsToRedeem: 500,
      shippingAddress: { recipient: 'Alice Chen', phone: '+86 138 0000 0000', line1: '88 Century Avenue', city: 'Shanghai', postalCode: '200120', country: 'CN' },
    },
  });

  const placed = await engine.orderState(orderId);
  const due = E.isRight(placed) && placed.right.state.status !== 'none' ? placed.right.state.total : 0;
  await send('payment-gateway', {
    type: 'RecordProviderCallback',
    data: { paymentId: orderId, providerTransactionId: 'alipay-7781', amount: cny(due), status: 'succeeded' },
  });
  await send('warehouse', { type: 'ShipOrder', data: { orderId, carrier: 'SF-Express', trackingNumber: 'SF1234567890' } });
  await send('carrier-feed', { type: 'RecordTrackingUpdate', data: { orderId, status: 'in-transit', description: 'Left Hangzhou sorting centre', location: 'Hangzhou' } });
  await send('carrier-feed', { type: 'RecordTrackingUpdate', data: { orderId, status: 'out-for-delivery', description: 'With the courier', location: 'Shanghai' } });
  await send('carrier-feed', { type: 'DeliverOrder', data: { orderId } });
  await send('system', { type: 'CompleteOrder', data: { orderId, pointsEarned: 185 } });
  await send('alice', { type: 'ReviewOrder', data: { orderId, rating: 5, comment: 'Lovely tea, one cup arrived chipped.' } });
  await send('alice', { type: 'RequestAfterSales', data: { orderId, requestId: 'as-1', kind: 'refund', lines: [{ sku: 'cup-celadon', quantity: 1 }], reason: 'Cup arrived chipped' } });
  await send('service-desk', { type: 'ApproveAfterSales', data: { orderId, requestId: 'as-1' } });

  const events = await engine.eventStore.readStream(orderStreamId(orderId));
  console.log(`Timeline of ${orderStreamId(orderId)}`);
  console.log('rev  time (UTC)            event                   actor            command');
  for (const event of events) {
    const time = new Date(event.occurredAt).toISOString().slice(0, 19).replace('T', ' ');
    console.log(`${String(event.revision).padStart(3)}  ${time}   ${event.type.padEnd(22)}  ${event.actor.padEnd(15)}  ${event.commandId}`);
  }

  const final = await engine.orderState(orderId);
  if (E.isLeft(final) || final.right.state.status === 'none') throw new Error('the order is missing');
  const order = final.right.state;
  console.log('\nFinal state');
  console.log(`  status         ${order.status}${order.reviewed ? ', reviewed' : ''}`);
  console.log(`  lines          ${order.lines.map((l) => `${l.quantity} × ${l.name}`).join('; ')}`);
  console.log(`  total due      ${formatMoney({ amount: order.total, currency: order.currency })}`);
  console.log(`  paid           ${formatMoney({ amount: order.amountPaid, currency: order.currency })}`);
  console.log(`  refunded       ${formatMoney({ amount: order.amountRefunded, currency: order.currency })}`);
  console.log(`  shipment       ${order.shipment === null ? '—' : `${order.shipment.carrier} ${order.shipment.trackingNumber}`}`);
  console.log(`  after-sales    ${order.afterSales.map((c) => `${c.requestId} ${c.kind} ${c.status}`).join('; ')}`);
  const cartNow = await engine.cartState(cartId);
  if (E.isRight(cartNow) && cartNow.right.state.status === 'open') {
    console.log(`  still in cart  ${cartNow.right.state.lines.map((l) => l.name).join('; ')}`);
  }
  await engine.close();
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
