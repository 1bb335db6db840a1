import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { OrderEvent } from '../../domain/order/events';
import { PaymentEvent } from '../../domain/payment/events';
import { ORDER_STREAM_PREFIX, PAYMENT_STREAM_PREFIX } from '../../engine/aggregates';
import type { EventEnvelope } from '../../engine/event-store/envelope';
import type { ProjectionDefinition } from '../projection';
import { OrderHistoryOrder, orders, timeline } from './documents';
import { summarize } from './timeline-summary';

export const ORDER_HISTORY = 'order-history';

/** Every order and payment event: a type added to those streams later is skipped until a version reads it. */
const OrderHistoryEvent = t.union([OrderEvent, PaymentEvent]);
export type OrderHistoryEvent = t.TypeOf<typeof OrderHistoryEvent>;
type Placed = Extract<OrderEvent, { type: 'OrderPlaced' }>;

const placedOrder = ({ data }: Placed, at: number): OrderHistoryOrder => {
  const { pricing } = data;
  return {
    orderId: data.orderId,
    customerId: data.customerId,
    cartId: data.cartId,
    placedAt: at,
    updatedAt: at,
    status: 'awaiting-payment',
    currency: pricing.currency,
    lines: pricing.lines,
    gifts: pricing.gifts,
    amounts: {
      subtotal: pricing.subtotal,
      couponCode: pricing.couponCode,
      couponDiscount: pricing.couponDiscount,
      rebateDiscount: pricing.rebateDiscount,
      shippingFee: pricing.shippingFee,
      pointsRedeemed: pricing.pointsRedeemed,
      pointsDiscount: pricing.pointsDiscount,
      total: pricing.total,
      paid: 0,
      refunded: 0,
    },
    paymentMethod: data.paymentMethod,
    payment: { paymentId: null, status: 'not-started', paidTheOrder: false },
    shippingAddress: data.shippingAddress,
    shipment: null,
    closure: null,
    completedAt: null,
    review: null,
    afterSales: [],
  };
};

type AfterSalesStatus = OrderHistoryOrder['afterSales'][number]['status'];

const withCase = (order: OrderHistoryOrder, requestId: string, status: AfterSalesStatus): OrderHistoryOrder['afterSales'] =>
  order.afterSales.map((c) => (c.requestId === requestId ? { ...c, status } : c));

/** The order after `event`, from the order before it: the order's own state and the event, nothing else. */
const evolve = (order: OrderHistoryOrder, event: OrderHistoryEvent, at: number): OrderHistoryOrder => {
  const next = { ...order, updatedAt: at };
  switch (event.type) {
    case 'OrderPlaced':
      return order;
    case 'OrderPaid':
      return {
        ...next,
        status: 'paid',
        amounts: { ...order.amounts, paid: event.data.amount.amount },
        payment: { paymentId: event.data.paymentId, status: 'captured', paidTheOrder: true },
      };
    case 'OrderShipped':
      return { ...next, status: 'shipped', shipment: { carrier: event.data.carrier, trackingNumber: event.data.trackingNumber, shippedAt: at, lastStatus: 'shipped', deliveredAt: null } };
    case 'OrderTrackingUpdated':
      return order.shipment === null ? next : { ...next, shipment: { ...order.shipment, lastStatus: event.data.status } };
    case 'OrderDelivered':
      return { ...next, status: 'delivered', shipment: order.shipment === null ? null : { ...order.shipment, lastStatus: 'delivered', deliveredAt: at } };
    case 'OrderCompleted':
      return { ...next, status: 'completed', completedAt: at };
    case 'OrderReviewed':
      return { ...next, review: { rating: event.data.rating, comment: event.data.comment } };
    case 'OrderCancelled':
      return { ...next, status: 'cancelled', closure: { kind: 'cancelled', reason: event.data.reason, at } };
    case 'OrderExpired':
      return { ...next, status: 'expired', closure: { kind: 'expired', reason: 'not paid by the payment deadline', at } };
    case 'AfterSalesRequested': {
      const { requestId, kind, refundAmount, reason } = event.data;
      return { ...next, afterSales: [...order.afterSales, { requestId, kind, status: 'requested', refundAmount: refundAmount.amount, reason }] };
    }
    case 'AfterSalesApproved':
      return { ...next, afterSales: withCase(order, event.data.requestId, 'approved') };
    case 'AfterSalesRejected':
      return { ...next, afterSales: withCase(order, event.data.requestId, 'rejected') };
    case 'ReturnedGoodsReceived':
      return { ...next, afterSales: withCase(order, event.data.requestId, 'goods-received') };
    case 'OrderRefunded':
      return {
        ...next,
        amounts: { ...order.amounts, refunded: order.amounts.refunded + event.data.amount.amount },
        afterSales: withCase(order, event.data.refundId, 'refunded'),
      };
    case 'OrderNoteAdded':
      return next;
    case 'PaymentInitiated':
    case 'PaymentCaptured':
    case 'PaymentFailed':
    case 'PaymentRefunded':
      return withPayment(order, next, event);
    case 'PaymentCallbackRejected':
      return next;
  }
};

const PAYMENT_STATUS = { PaymentInitiated: 'pending', PaymentCaptured: 'captured', PaymentFailed: 'failed' } as const;

/**
 * The order after an event of one of its payments. Once a payment has paid the order, the others (a second
 * one a host started, say) no longer change what it shows. Refunds of the payment that paid are the order's
 * `amounts.refunded`; a payment the order never took shows as refunded when its money goes back.
 */
const withPayment = (
  order: OrderHistoryOrder,
  next: OrderHistoryOrder,
  event: Extract<OrderHistoryEvent, { type: 'PaymentInitiated' | 'PaymentCaptured' | 'PaymentFailed' | 'PaymentRefunded' }>,
): OrderHistoryOrder => {
  const { paymentId } = event.data;
  if (order.payment.paidTheOrder) return next;
  if (event.type !== 'PaymentRefunded') return { ...next, payment: { paymentId, status: PAYMENT_STATUS[event.type], paidTheOrder: false } };
  return order.payment.paymentId === paymentId ? { ...next, payment: { ...order.payment, status: 'refunded' } } : next;
};

/**
 * Order history, for the shopper's personal centre and for customer service: each order with its lines,
 * amounts, status, payment, shipment and after-sales cases, and each event of its life as a timeline entry.
 */
export const orderHistoryProjection: ProjectionDefinition<OrderHistoryEvent> = {
  name: ORDER_HISTORY,
  // 2: the payment shown is the one that paid the order, and a payment refunded whole shows as refunded.
  version: 2,
  filter: { streamPrefixes: [ORDER_STREAM_PREFIX, PAYMENT_STREAM_PREFIX], eventTypes: OrderHistoryEvent.types.flatMap((union) => union.types.map((codec) => codec.name)) },
  codec: OrderHistoryEvent,
  collections: [orders.definition, timeline.definition],
  prefetch: (event) => [orders.key(event.data.orderId)],
  apply: async (event, envelope: EventEnvelope, view) => {
    const { orderId } = event.data;
    const at = envelope.occurredAt;
    const entry = timeline.put(envelope.eventId, { orderId, position: envelope.position, type: event.type, at, actor: envelope.actor, summary: summarize(event) });
    if (event.type === 'OrderPlaced') return E.right([orders.put(orderId, placedOrder(event, at)), entry]);
    const current = await orders.read(view, orderId);
    if (E.isLeft(current)) return current;
    // A payment a host started for an order never placed has a timeline and nothing else.
    return E.right(current.right === undefined ? [entry] : [orders.put(orderId, evolve(current.right, event, at)), entry]);
  },
};
