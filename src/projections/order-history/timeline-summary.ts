import type { OrderEvent } from '../../domain/order/events';
import type { PaymentEvent } from '../../domain/payment/events';
import { format } from '../../domain/shared/money';

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** One line, for people, saying what an event did to an order. */
export const summarize = (event: OrderEvent | PaymentEvent): string => {
  switch (event.type) {
    case 'OrderPlaced': {
      const { pricing } = event.data;
      const units = pricing.lines.reduce((sum, line) => sum + line.quantity, 0);
      return `Order placed: ${plural(units, 'item')} in ${plural(pricing.lines.length, 'line')}, total ${format({ amount: pricing.total, currency: pricing.currency })}`;
    }
    case 'OrderPaid':
      return `Paid ${format(event.data.amount)}`;
    case 'OrderShipped':
      return `Shipped with ${event.data.carrier}, tracking number ${event.data.trackingNumber}`;
    case 'OrderTrackingUpdated': {
      const { status, description, location } = event.data;
      return `${status}: ${description}${location === null ? '' : ` (${location})`}`;
    }
    case 'OrderDelivered':
      return 'Delivered';
    case 'OrderCompleted':
      return `Completed, ${plural(event.data.pointsEarned, 'point')} earned`;
    case 'OrderReviewed':
      return `Reviewed: ${event.data.rating}/5${event.data.comment === null ? '' : ` "${event.data.comment}"`}`;
    case 'OrderCancelled': {
      const { reason, refundDue } = event.data;
      return `Cancelled: ${reason}${refundDue.amount > 0 ? `; ${format(refundDue)} to refund` : ''}`;
    }
    case 'OrderExpired':
      return 'Expired: not paid by the payment deadline';
    case 'AfterSalesRequested': {
      const { kind, requestId, refundAmount, reason } = event.data;
      return `${kind === 'return' ? 'Return' : 'Refund'} ${requestId} requested for ${format(refundAmount)}: ${reason}`;
    }
    case 'AfterSalesApproved':
      return `Request ${event.data.requestId} approved`;
    case 'AfterSalesRejected':
      return `Request ${event.data.requestId} rejected: ${event.data.reason}`;
    case 'ReturnedGoodsReceived':
      return `Goods of request ${event.data.requestId} received back`;
    case 'OrderRefunded':
      return `Refunded ${format(event.data.amount)} (${event.data.refundId})`;
    case 'OrderNoteAdded':
      return `Note by ${event.data.author}: ${event.data.text}`;
    case 'PaymentInitiated':
      return `Payment of ${format(event.data.amount)} by ${event.data.method} started`;
    case 'PaymentCaptured':
      return `Payment of ${format(event.data.amount)} captured (transaction ${event.data.providerTransactionId})`;
    case 'PaymentCallbackRejected':
      return `Payment callback refused (${event.data.reason}): ${event.data.explanation}`;
    case 'PaymentFailed':
      return `Payment failed: ${event.data.reason}`;
    case 'PaymentRefunded':
      return `${format(event.data.amount)} paid back to the payer (${event.data.refundId})`;
  }
};
