import fc from 'fast-check';
import type { CartCommand } from '../domain/cart/commands';
import type { OrderCommand } from '../domain/order/commands';
import type { PaymentCommand } from '../domain/payment/commands';
import type { Coupon } from '../domain/pricing/pricing-policy';
import { Identifier } from '../domain/shared/codecs';
import { MAX_CART_LINES } from '../domain/shared/limits';
import type { Money } from '../domain/shared/money';
import type { ShippingAddress } from '../domain/shared/shipping-address';

/**
 * Identifiers as the engine accepts them: short, no whitespace. A prefix that would make ids the engine
 * refuses (whitespace, or too long for the 128 characters an id may have) is refused at once, rather than
 * failing properties far from its cause.
 */
export const identifierArbitrary = (prefix = 'id'): fc.Arbitrary<string> => {
  if (!Identifier.is(`${prefix}-00000000`)) {
    throw new RangeError(`identifierArbitrary: prefix ${JSON.stringify(prefix).slice(0, 60)} makes ids the engine refuses (no whitespace, at most 119 characters)`);
  }
  return fc.stringMatching(/^[a-z0-9]{1,8}$/).map((suffix) => `${prefix}-${suffix}`);
};

export const currencyArbitrary: fc.Arbitrary<string> = fc.constantFrom('CNY', 'EUR', 'USD', 'JPY');

export const moneyArbitrary = (currency: string, max = 1_000_000): fc.Arbitrary<Money> =>
  fc.integer({ min: 0, max }).map((amount) => ({ amount, currency }));

export const shippingAddressArbitrary: fc.Arbitrary<ShippingAddress> = fc.record({
  recipient: fc.constantFrom('Alice Chen', 'Bo Li', 'Chloé Martin'),
  phone: fc.constantFrom('+86 138 0000 0000', '+33 6 00 00 00 00'),
  line1: fc.constantFrom('88 Century Avenue', '1 rue de Rivoli'),
  city: fc.constantFrom('Shanghai', 'Paris'),
  postalCode: fc.constantFrom('200120', '75001'),
  country: fc.constantFrom('CN', 'FR'),
});

export const couponArbitrary: fc.Arbitrary<Coupon> = fc.oneof(
  fc.record({
    code: identifierArbitrary('fixed'),
    kind: fc.constant('fixed' as const),
    amountOff: fc.integer({ min: 1, max: 50_000 }),
    minimumSpend: fc.integer({ min: 0, max: 100_000 }),
  }),
  fc.record({
    code: identifierArbitrary('pct'),
    kind: fc.constant('percentage' as const),
    percentOff: fc.integer({ min: 1, max: 100 }),
    minimumSpend: fc.integer({ min: 0, max: 100_000 }),
  }),
);

export interface CatalogueItem {
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly unitPrice: number;
}

/** A small catalogue, so that random commands keep meeting the same products. */
export const catalogueArbitrary = (size = 5): fc.Arbitrary<readonly CatalogueItem[]> =>
  fc.uniqueArray(
    fc.record({
      sku: identifierArbitrary('sku'),
      name: fc.constantFrom('Oolong tea', 'Celadon cup', 'Iron kettle', 'Bamboo tray', 'Silk scarf'),
      category: fc.constantFrom('tea', 'tableware', 'textiles'),
      unitPrice: fc.integer({ min: 1, max: 50_000 }),
    }),
    { minLength: 1, maxLength: size, selector: (item) => item.sku },
  );

/**
 * Any valid cart command for `cartId` over `catalogue`: well-formed, though the cart may still refuse it
 * (e.g. removing a product it does not hold), which is what makes it useful for properties.
 */
export const cartCommandArbitrary = (cartId: string, currency: string, catalogue: readonly CatalogueItem[]): fc.Arbitrary<CartCommand> => {
  const item = fc.constantFrom(...catalogue);
  // A selection names at most a cart's lines, as the codec allows, however large the catalogue.
  const skus = fc.uniqueArray(item.map((i) => i.sku), { minLength: 1, maxLength: Math.min(catalogue.length, MAX_CART_LINES) });
  return fc.oneof(
    // The cart's own id names its customer: any valid cart id is a valid customer id, whatever its length.
    fc.constant<CartCommand>({ type: 'OpenCart', data: { cartId, customerId: cartId, currency } }),
    fc.record({ item, quantity: fc.integer({ min: 1, max: 5 }) }).map(
      ({ item: i, quantity }): CartCommand => ({
        type: 'AddCartItem',
        data: { cartId, sku: i.sku, name: i.name, category: i.category, unitPrice: { amount: i.unitPrice, currency }, quantity },
      }),
    ),
    fc.record({ item, quantity: fc.integer({ min: 1, max: 9 }) }).map(
      ({ item: i, quantity }): CartCommand => ({ type: 'ChangeCartItemQuantity', data: { cartId, sku: i.sku, quantity } }),
    ),
    item.map((i): CartCommand => ({ type: 'RemoveCartItem', data: { cartId, sku: i.sku } })),
    skus.map((s): CartCommand => ({ type: 'SelectCartItems', data: { cartId, skus: s } })),
    skus.map((s): CartCommand => ({ type: 'DeselectCartItems', data: { cartId, skus: s } })),
    couponArbitrary.map((coupon): CartCommand => ({ type: 'ApplyCoupon', data: { cartId, coupon } })),
    fc.constant<CartCommand>({ type: 'RemoveCoupon', data: { cartId } }),
    fc.record({ orderId: identifierArbitrary('order'), address: shippingAddressArbitrary, points: fc.integer({ min: 0, max: 2_000 }) }).map(
      ({ orderId, address, points }): CartCommand => ({
        type: 'CheckOutCart',
        data: { cartId, orderId, shippingAddress: address, paymentMethod: 'card', pointsToRedeem: points },
      }),
    ),
  );
};

/**
 * Any valid order command for `orderId` after placement, amounts in `currency`. Amounts are drawn from
 * `likelyAmounts` half of the time (e.g. the order's total and line prices), so that payments and refunds
 * that match what is due are generated too, not only ones that are refused.
 */
export const orderCommandArbitrary = (
  orderId: string,
  currency: string,
  skus: readonly string[],
  likelyAmounts: readonly number[] = [],
): fc.Arbitrary<OrderCommand> => {
  const requestId = fc.constantFrom('r1', 'r2', 'r3');
  const amount =
    likelyAmounts.length === 0
      ? moneyArbitrary(currency, 100_000)
      : fc.oneof(fc.constantFrom(...likelyAmounts).map((a) => ({ amount: a, currency })), moneyArbitrary(currency, 100_000));
  return fc.oneof(
    fc.record({ paymentId: fc.constant(orderId), amount }).map((data): OrderCommand => ({ type: 'MarkOrderPaid', data: { orderId, ...data } })),
    fc.constant<OrderCommand>({ type: 'ShipOrder', data: { orderId, carrier: 'SF-Express', trackingNumber: 'SF1' } }),
    fc.constant<OrderCommand>({ type: 'RecordTrackingUpdate', data: { orderId, status: 'in-transit', description: 'moving', location: null } }),
    fc.constant<OrderCommand>({ type: 'DeliverOrder', data: { orderId } }),
    fc.integer({ min: 0, max: 500 }).map((pointsEarned): OrderCommand => ({ type: 'CompleteOrder', data: { orderId, pointsEarned } })),
    fc.integer({ min: 1, max: 5 }).map((rating): OrderCommand => ({ type: 'ReviewOrder', data: { orderId, rating, comment: null } })),
    fc.constant<OrderCommand>({ type: 'CancelOrder', data: { orderId, reason: 'changed my mind' } }),
    fc.constant<OrderCommand>({ type: 'ExpireUnpaidOrder', data: { orderId } }),
    fc
      .record({
        requestId,
        kind: fc.constantFrom('return' as const, 'refund' as const),
        sku: fc.constantFrom(...skus),
        quantity: fc.integer({ min: 1, max: 3 }),
      })
      .map(
        ({ requestId: id, kind, sku, quantity }): OrderCommand => ({
          type: 'RequestAfterSales',
          data: { orderId, requestId: id, kind, lines: [{ sku, quantity }], reason: 'not as described' },
        }),
      ),
    requestId.map((id): OrderCommand => ({ type: 'ApproveAfterSales', data: { orderId, requestId: id } })),
    requestId.map((id): OrderCommand => ({ type: 'RejectAfterSales', data: { orderId, requestId: id, reason: 'outside policy' } })),
    requestId.map((id): OrderCommand => ({ type: 'ReceiveReturnedGoods', data: { orderId, requestId: id } })),
    fc.record({ refundId: fc.constantFrom('r1', 'r2', 'cancellation'), amount }).map((data): OrderCommand => ({ type: 'RecordOrderRefund', data: { orderId, ...data } })),
    fc.constant<OrderCommand>({ type: 'AddOrderNote', data: { orderId, author: 'agent-7', text: 'called the customer' } }),
  );
};

/** Any valid payment command a host may send for `paymentId`. */
export const paymentCommandArbitrary = (paymentId: string, orderId: string, currency: string): fc.Arbitrary<PaymentCommand> => {
  const amount = fc.oneof(moneyArbitrary(currency, 20_000), moneyArbitrary('XXX', 20_000));
  return fc.oneof(
    moneyArbitrary(currency, 20_000).map((m): PaymentCommand => ({ type: 'InitiatePayment', data: { paymentId, orderId, amount: m, method: 'card' } })),
    fc.record({ tx: fc.constantFrom('tx-1', 'tx-2', 'tx-3'), amount, status: fc.constantFrom('succeeded' as const, 'failed' as const) }).map(
      ({ tx, amount: m, status }): PaymentCommand => ({ type: 'RecordProviderCallback', data: { paymentId, providerTransactionId: tx, amount: m, status } }),
    ),
    fc.constant<PaymentCommand>({ type: 'FailPayment', data: { paymentId, reason: 'provider timeout' } }),
    fc.record({ refundId: fc.constantFrom('rf-1', 'rf-2', 'rf-3'), amount }).map(
      ({ refundId, amount: m }): PaymentCommand => ({ type: 'RefundPayment', data: { paymentId, refundId, amount: m, reason: 'refund' } }),
    ),
  );
};
