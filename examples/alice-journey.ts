/**
 * Alice's journey, shared by the quickstart and the audit replay: cart, checkout, payment callback,
 * shipment, tracking, delivery, completion, review and a partial refund of one order.
 */
import * as E from 'fp-ts/Either';
import type { CommandOutcome, HostCommand, ManualClock, OrderEngine } from '../src';

export const ALICE_CART_ID = 'alice-cart';
export const ALICE_ORDER_ID = '20261125-0001';

const cny = (amount: number) => ({ amount, currency: 'CNY' });

/**
 * Sends each command a minute after the previous one and waits for the process manager, so that the
 * timeline reads as the story is told. Throws on a refused command: in an example, that is a bug.
 */
export const runAliceJourney = async (engine: OrderEngine, clock: ManualClock): Promise<void> => {
  let commandNumber = 0;
  const send = async (actor: string, command: HostCommand): Promise<CommandOutcome> => {
    commandNumber += 1;
    clock.advance(60_000);
    const outcome = await engine.execute({ commandId: `cmd-${commandNumber}`, actor, correlationId: 'journey-alice', command });
    if (E.isLeft(outcome)) throw new Error(`${command.type} was refused: ${outcome.left.message}`);
    await engine.settle();
    return outcome;
  };
  const cartId = ALICE_CART_ID;
  const orderId = ALICE_ORDER_ID;

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
};
