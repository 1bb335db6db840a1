import * as t from 'io-ts';
import { PricedCheckout } from '../pricing/pricing-policy';
import { Identifier, NonNegativeInteger, Text, Timestamp } from '../shared/codecs';
import { MAX_CART_LINES } from '../shared/limits';
import { message } from '../shared/message';
import { Money } from '../shared/money';
import { ShippingAddress } from '../shared/shipping-address';
import { AfterSalesKind, Rating, RequestedLine } from './values';

export const PlaceOrder = message('PlaceOrder', {
  orderId: Identifier,
  cartId: Identifier,
  customerId: Identifier,
  shippingAddress: ShippingAddress,
  paymentMethod: Identifier,
  pricing: PricedCheckout,
  paymentDeadline: Timestamp,
});
export const MarkOrderPaid = message('MarkOrderPaid', { orderId: Identifier, paymentId: Identifier, amount: Money });
export const ShipOrder = message('ShipOrder', { orderId: Identifier, carrier: Identifier, trackingNumber: Identifier });
export const RecordTrackingUpdate = message('RecordTrackingUpdate', {
  orderId: Identifier,
  status: Identifier,
  description: Text,
  location: t.union([Text, t.null]),
});
export const DeliverOrder = message('DeliverOrder', { orderId: Identifier });
export const CompleteOrder = message('CompleteOrder', { orderId: Identifier, pointsEarned: NonNegativeInteger });
export const ReviewOrder = message('ReviewOrder', { orderId: Identifier, rating: Rating, comment: t.union([Text, t.null]) });
export const CancelOrder = message('CancelOrder', { orderId: Identifier, reason: Text });
export const ExpireUnpaidOrder = message('ExpireUnpaidOrder', { orderId: Identifier });
export const RequestAfterSales = message('RequestAfterSales', {
  orderId: Identifier,
  requestId: Identifier,
  kind: AfterSalesKind,
  lines: t.refinement(
    t.readonlyArray(RequestedLine),
    (lines) => lines.length > 0 && lines.length <= MAX_CART_LINES && new Set(lines.map((l) => l.sku)).size === lines.length,
    'RequestedLines',
  ),
  reason: Text,
});
export const ApproveAfterSales = message('ApproveAfterSales', { orderId: Identifier, requestId: Identifier });
export const RejectAfterSales = message('RejectAfterSales', { orderId: Identifier, requestId: Identifier, reason: Text });
export const ReceiveReturnedGoods = message('ReceiveReturnedGoods', { orderId: Identifier, requestId: Identifier });
/** Sent by the process manager once the payment has refunded `amount` for `refundId` (a request id or `cancellation`). */
export const RecordOrderRefund = message('RecordOrderRefund', { orderId: Identifier, refundId: Identifier, amount: Money });
export const AddOrderNote = message('AddOrderNote', { orderId: Identifier, author: Identifier, text: Text });

/**
 * What the process manager sends for every refund a payment makes. The order records it when that payment is
 * the one that paid it: a refund the order owes is settled by it, and any other is one a host sent straight
 * to the payment, which the order counts as given back too, so that what it owes later is what the payment
 * still holds. No host sends it: a host keeping its own books records what its order owes with
 * `RecordOrderRefund`.
 */
export const RecordPaymentRefund = message('RecordPaymentRefund', { orderId: Identifier, paymentId: Identifier, refundId: Identifier, amount: Money });
export type RecordPaymentRefund = t.TypeOf<typeof RecordPaymentRefund>;

/**
 * What the process manager sends when the order's own payment went back before the order could take it (a
 * host refunded part of it first): that payment can pay it no more, nor capture again, so an order still
 * awaiting payment is cancelled. One paid meanwhile (by another payment) or closed is left as it is. No host
 * sends it: a host cancels with `CancelOrder`.
 */
export const CancelUnpayableOrder = message('CancelUnpayableOrder', { orderId: Identifier, reason: Text });
export type CancelUnpayableOrder = t.TypeOf<typeof CancelUnpayableOrder>;

export const OrderCommand = t.union(
  [
    PlaceOrder,
    MarkOrderPaid,
    ShipOrder,
    RecordTrackingUpdate,
    DeliverOrder,
    CompleteOrder,
    ReviewOrder,
    CancelOrder,
    ExpireUnpaidOrder,
    RequestAfterSales,
    ApproveAfterSales,
    RejectAfterSales,
    ReceiveReturnedGoods,
    RecordOrderRefund,
    AddOrderNote,
  ],
  'OrderCommand',
);
export type OrderCommand = t.TypeOf<typeof OrderCommand>;

/** What the order decider decides on: the host's commands and the process manager's own. */
export type OrderDecision = OrderCommand | RecordPaymentRefund | CancelUnpayableOrder;
