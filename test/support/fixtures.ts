import type { CartEvent } from '../../src/domain/cart/events';
import type { OrderEvent } from '../../src/domain/order/events';
import type { PricedCheckout } from '../../src/domain/pricing/pricing-policy';
import type { ShippingAddress } from '../../src/domain/shared/shipping-address';

export const cny = (amount: number) => ({ amount, currency: 'CNY' });

export const address: ShippingAddress = {
  recipient: 'Alice Chen',
  phone: '+86 138 0000 0000',
  line1: '88 Century Avenue',
  city: 'Shanghai',
  postalCode: '200120',
  country: 'CN',
};

export const cartOpened: CartEvent = { type: 'CartOpened', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } };

export const itemAdded = (sku: string, unitPrice: number, quantity: number, category = 'tea'): CartEvent => ({
  type: 'CartItemAdded',
  data: { cartId: 'c1', sku, name: `Product ${sku}`, category, unitPrice: cny(unitPrice), quantity },
});

/** Two lines: 2 × tea at 50.00 and 1 × cup at 30.00, no discounts, shipping 8.00: 138.00 due. */
export const pricing: PricedCheckout = {
  currency: 'CNY',
  lines: [
    { sku: 'tea', name: 'Tea', category: 'tea', unitPrice: 5000, quantity: 2, lineTotal: 10000, paidAmount: 10000 },
    { sku: 'cup', name: 'Cup', category: 'tableware', unitPrice: 3000, quantity: 1, lineTotal: 3000, paidAmount: 3000 },
  ],
  subtotal: 13000,
  couponCode: null,
  couponDiscount: 0,
  rebateDiscount: 0,
  shippingFee: 800,
  shippingPaid: 800,
  gifts: [],
  pointsRedeemed: 0,
  pointsDiscount: 0,
  total: 13800,
};

export const PLACED_AT = Date.UTC(2026, 10, 25, 9);
export const PAYMENT_DEADLINE = PLACED_AT + 30 * 60 * 1000;

export const orderPlaced: OrderEvent = {
  type: 'OrderPlaced',
  data: { orderId: 'o1', cartId: 'c1', customerId: 'alice', shippingAddress: address, paymentMethod: 'card', pricing, paymentDeadline: PAYMENT_DEADLINE },
};
export const orderPaid: OrderEvent = { type: 'OrderPaid', data: { orderId: 'o1', paymentId: 'o1', amount: cny(13800) } };
export const orderShipped: OrderEvent = { type: 'OrderShipped', data: { orderId: 'o1', carrier: 'SF-Express', trackingNumber: 'SF1' } };
export const DELIVERED_AT = PLACED_AT + 2 * 24 * 3600 * 1000;
export const AFTER_SALES_DEADLINE = DELIVERED_AT + 7 * 24 * 3600 * 1000;
export const orderDelivered: OrderEvent = { type: 'OrderDelivered', data: { orderId: 'o1', afterSalesDeadline: AFTER_SALES_DEADLINE } };
