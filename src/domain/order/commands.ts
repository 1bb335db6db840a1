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

