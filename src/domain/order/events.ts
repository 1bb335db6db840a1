import * as t from 'io-ts';
import { PricedCheckout } from '../pricing/pricing-policy';
import { Identifier, NonNegativeInteger, Text, Timestamp } from '../shared/codecs';
import { message } from '../shared/message';
import { Money } from '../shared/money';
import { ShippingAddress } from '../shared/shipping-address';
import { AfterSalesKind, Rating, RefundLine } from './values';

export const OrderPlaced = message('OrderPlaced', {
  orderId: Identifier,
  cartId: Identifier,
  customerId: Identifier,
  shippingAddress: ShippingAddress,
  paymentMethod: Identifier,
  pricing: PricedCheckout,
  paymentDeadline: Timestamp,
});
export const OrderPaid = message('OrderPaid', { orderId: Identifier, paymentId: Identifier, amount: Money });
export const OrderShipped = message('OrderShipped', { orderId: Identifier, carrier: Identifier, trackingNumber: Identifier });
export const OrderTrackingUpdated = message('OrderTrackingUpdated', {
  orderId: Identifier,
  carrier: Identifier,
  trackingNumber: Identifier,
  status: Identifier,
  description: Text,
  location: t.union([Text, t.null]),
});
export const OrderDelivered = message('OrderDelivered', { orderId: Identifier, afterSalesDeadline: Timestamp });
export const OrderCompleted = message('OrderCompleted', { orderId: Identifier, pointsEarned: NonNegativeInteger });
export const OrderReviewed = message('OrderReviewed', { orderId: Identifier, rating: Rating, comment: t.union([Text, t.null]) });
/** `refundDue` is what was paid and must go back: zero when the order was not paid. */
export const OrderCancelled = message('OrderCancelled', { orderId: Identifier, reason: Text, paymentId: t.union([Identifier, t.null]), refundDue: Money });
export const OrderExpired = message('OrderExpired', { orderId: Identifier, paymentDeadline: Timestamp });
export const AfterSalesRequested = message('AfterSalesRequested', {
  orderId: Identifier,
  requestId: Identifier,
  kind: AfterSalesKind,
  lines: t.readonlyArray(RefundLine),
  refundAmount: Money,
  reason: Text,
});
/** For a `refund` request the money is due now; for a `return`, once the goods are back. */
export const AfterSalesApproved = message('AfterSalesApproved', {
  orderId: Identifier,
  requestId: Identifier,
  kind: AfterSalesKind,
  paymentId: Identifier,
  refundDue: Money,
});
export const AfterSalesRejected = message('AfterSalesRejected', { orderId: Identifier, requestId: Identifier, reason: Text });
export const ReturnedGoodsReceived = message('ReturnedGoodsReceived', { orderId: Identifier, requestId: Identifier, paymentId: Identifier, refundDue: Money });
export const OrderRefunded = message('OrderRefunded', { orderId: Identifier, refundId: Identifier, amount: Money });
export const OrderNoteAdded = message('OrderNoteAdded', { orderId: Identifier, author: Identifier, text: Text });

export const OrderEvent = t.union(
  [
    OrderPlaced,
    OrderPaid,
    OrderShipped,
    OrderTrackingUpdated,
    OrderDelivered,
    OrderCompleted,
    OrderReviewed,
    OrderCancelled,
    OrderExpired,
    AfterSalesRequested,
    AfterSalesApproved,
    AfterSalesRejected,
    ReturnedGoodsReceived,
    OrderRefunded,
    OrderNoteAdded,
  ],
  'OrderEvent',
);
export type OrderEvent = t.TypeOf<typeof OrderEvent>;
