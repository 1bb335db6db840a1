import { isoInstant } from '../../domain/shared/instant';
import { format } from '../../domain/shared/money';
import type { StoredEvent } from '../schema/stored-event';

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;
const list = (items: readonly string[]): string => items.join(', ');

/** One short line saying what an event means, for timelines read by people. */
export const summariseEvent = (event: StoredEvent): string => {
  switch (event.type) {
    case 'CartOpened':
      return `cart opened for ${event.data.customerId} in ${event.data.currency}`;
    case 'CartItemAdded':
      return `added ${event.data.quantity} × ${event.data.name} (${event.data.sku}) at ${format(event.data.unitPrice)}`;
    case 'CartItemQuantityChanged':
      return `quantity of ${event.data.sku} set to ${event.data.quantity}`;
    case 'CartItemRemoved':
      return `removed ${event.data.sku}`;
    case 'CartItemsSelected':
      return `selected ${list(event.data.skus)}`;
    case 'CartItemsDeselected':
      return `deselected ${list(event.data.skus)}`;
    case 'CouponApplied':
      return `coupon ${event.data.coupon.code} applied`;
    case 'CouponRemoved':
      return `coupon ${event.data.code} removed`;
    case 'CartCheckedOut':
      return `checked out ${count(event.data.pricing.lines.length, 'line')} as order ${event.data.orderId}, ${format({ amount: event.data.pricing.total, currency: event.data.pricing.currency })} due`;
    case 'OrderPlaced':
      return `order placed: ${count(event.data.pricing.lines.length, 'line')}, ${format({ amount: event.data.pricing.total, currency: event.data.pricing.currency })} due by ${isoInstant(event.data.paymentDeadline)}`;
    case 'OrderPaid':
      return `paid ${format(event.data.amount)} (payment ${event.data.paymentId})`;
    case 'OrderShipped':
      return `shipped with ${event.data.carrier}, tracking ${event.data.trackingNumber}`;
    case 'OrderTrackingUpdated':
      return `${event.data.carrier} ${event.data.status}: ${event.data.description}${event.data.location === null ? '' : ` (${event.data.location})`}`;
    case 'OrderDelivered':
      return `delivered; after-sales open until ${isoInstant(event.data.afterSalesDeadline)}`;
    case 'OrderCompleted':
      return `completed, ${count(event.data.pointsEarned, 'point')} earned`;
    case 'OrderReviewed':
      return `reviewed ${event.data.rating}/5${event.data.comment === null ? '' : `: ${event.data.comment}`}`;
    case 'OrderCancelled':
      return `cancelled (${event.data.reason}), ${format(event.data.refundDue)} to refund`;
    case 'OrderExpired':
      return `expired unpaid at the deadline ${isoInstant(event.data.paymentDeadline)}`;
    case 'AfterSalesRequested':
      return `${event.data.kind} ${event.data.requestId} requested for ${format(event.data.refundAmount)}: ${event.data.reason}`;
    case 'AfterSalesApproved':
      return `${event.data.kind} ${event.data.requestId} approved, ${format(event.data.refundDue)} due`;
    case 'AfterSalesRejected':
      return `after-sales ${event.data.requestId} rejected: ${event.data.reason}`;
    case 'ReturnedGoodsReceived':
      return `goods of ${event.data.requestId} received back, ${format(event.data.refundDue)} due`;
    case 'OrderRefunded':
      return `refunded ${format(event.data.amount)} (${event.data.refundId})`;
    case 'OrderNoteAdded':
      return `note by ${event.data.author}: ${event.data.text}`;
    case 'PaymentInitiated':
      return `payment of ${format(event.data.amount)} by ${event.data.method} initiated for order ${event.data.orderId}`;
    case 'PaymentCaptured':
      return `captured ${format(event.data.amount)} (provider transaction ${event.data.providerTransactionId})`;
    case 'PaymentCallbackRejected':
      return `callback ${event.data.providerTransactionId} rejected (${event.data.reason}): ${event.data.explanation}`;
    case 'PaymentFailed':
      return `payment failed: ${event.data.reason}`;
    case 'PaymentRefunded':
      return `refunded ${format(event.data.amount)} (${event.data.refundId}): ${event.data.reason}`;
    case 'ProviderTransactionClaimed':
      return `provider transaction ${event.data.providerTransactionId} claimed by payment ${event.data.paymentId}`;
    case 'DeadlineScheduled':
      return `${event.data.command.type} scheduled for ${isoInstant(event.data.dueAt)}`;
    case 'DeadlineCancelled':
      return 'deadline cancelled';
    case 'DeadlineFired':
      return `deadline fired at ${isoInstant(event.data.firedAt)}`;
  }
};
