import type { CartEvent } from '../../domain/cart/events';
import type { DomainError } from '../../domain/shared/domain-error';
import type { OrderEvent } from '../../domain/order/events';
import { CANCELLATION_REFUND_ID, LATE_CAPTURE_REFUND_ID } from '../../domain/order/values';
import type { PaymentEvent } from '../../domain/payment/events';
import type { Money } from '../../domain/shared/money';
import type { EngineCommand } from '../aggregates';

export type Reaction =
  | {
      readonly kind: 'command';
      readonly command: EngineCommand;
      /**
       * Follow-ups for when the command is refused, sent in order, e.g. give the money back when an order can
       * no longer be paid. They must go to the stream of the event reacted to, or to the command's own: the
       * process manager orders reactions by the streams it knows before it starts (see `ProcessManager`).
       */
      readonly onRejected?: (error: DomainError) => readonly EngineCommand[];
    }
  | { readonly kind: 'schedule'; readonly deadlineId: string; readonly dueAt: number; readonly command: EngineCommand }
  | { readonly kind: 'cancel-deadline'; readonly deadlineId: string };

export interface ReactionSettings {
  /** How long a placed order waits for its payment before it expires. */
  readonly paymentWindowMs: number;
}

export const paymentExpiryDeadlineId = (orderId: string): string => `payment-expiry-${orderId}`;

/**
 * The refund an order owes, from its payment. The order owes no more than its payment holds once it has
 * recorded the refunds a host sent straight to the payment; one not recorded yet (sent as the order's refund
 * was decided) can leave the payment short of it. Then the payment gives back all it still holds, rather than
 * nothing, and the order takes that as its refund, since there is no more to come.
 */
const refundOwed = (paymentId: string, refundId: string, amount: Money, reason: string): Reaction => ({
  kind: 'command',
  command: { type: 'RefundPayment', data: { paymentId, refundId, amount, reason } },
  onRejected: (error) => (error.code === 'REFUND_EXCEEDS_CAPTURED' ? [{ type: 'RefundRemainingCapture', data: { paymentId, refundId, reason } }] : []),
});

/**
 * What the shopper's journey does next after `event`: the process manager's rules, as a pure function of
 * the event and when it occurred.
 */
export type JourneyEvent = CartEvent | OrderEvent | PaymentEvent;

/**
 * The event types `reactionsTo` reacts to. The process manager need not read any other, nor hold its position
 * for one it cannot read (an event a newer version wrote, say): nothing follows from it.
 */
export const REACTING_EVENT_TYPES: ReadonlySet<string> = new Set<JourneyEvent['type']>([
  'CartCheckedOut',
  'OrderPlaced',
  'PaymentCaptured',
  'OrderPaid',
  'OrderExpired',
  'OrderCancelled',
  'AfterSalesApproved',
  'ReturnedGoodsReceived',
  'PaymentRefunded',
]);

export const reactionsTo = (event: JourneyEvent, occurredAt: number, settings: ReactionSettings): readonly Reaction[] => {
  switch (event.type) {
    case 'CartCheckedOut': {
      const { orderId, cartId, customerId, shippingAddress, paymentMethod, pricing } = event.data;
      return [
        {
          kind: 'command',
          command: {
            type: 'PlaceOrder',
            data: { orderId, cartId, customerId, shippingAddress, paymentMethod, pricing, paymentDeadline: occurredAt + settings.paymentWindowMs },
          },
          // An order that cannot be placed (its id already taken) must not take the shopper's lines with it.
          onRejected: () => [
            {
              type: 'ReturnCheckedOutLines',
              data: {
                cartId,
                orderId,
                lines: pricing.lines.map(({ sku, name, category, unitPrice, quantity }) => ({ sku, name, category, unitPrice: { amount: unitPrice, currency: pricing.currency }, quantity })),
              },
            },
          ],
        },
      ];
    }
    case 'OrderPlaced': {
      const { orderId, pricing, paymentMethod, paymentDeadline } = event.data;
      return [
        { kind: 'schedule', deadlineId: paymentExpiryDeadlineId(orderId), dueAt: paymentDeadline, command: { type: 'ExpireUnpaidOrder', data: { orderId } } },
        {
          kind: 'command',
          command: { type: 'InitiatePayment', data: { paymentId: orderId, orderId, amount: { amount: pricing.total, currency: pricing.currency }, method: paymentMethod } },
        },
      ];
    }
    case 'PaymentCaptured': {
      const { paymentId, orderId, amount } = event.data;
      return [
        {
          kind: 'command',
          command: { type: 'MarkOrderPaid', data: { orderId, paymentId, amount } },
          // Money the order does not take (closed, paid by another payment, or never placed) goes straight back:
          // what the payment still holds of it, since a host may have refunded part of it meanwhile. The order's
          // own payment refused for a refund of it (a host's, sent before the order was marked paid) can pay it
          // no more, nor can it capture again: the order, if still awaiting payment, is cancelled; one another
          // payment paid is not. Left to its deadline, it would wait for ever where that deadline had fired
          // already, refused then for this very capture.
          onRejected: (error) => [
            ...(amount.amount === 0
              ? []
              : [{ type: 'RefundRemainingCapture', data: { paymentId, refundId: LATE_CAPTURE_REFUND_ID, reason: `order ${orderId} could not take the payment: ${error.message}` } } as const]),
            ...(error.code === 'PAYMENT_REFUNDED' && paymentId === orderId
              ? [{ type: 'CancelUnpayableOrder', data: { orderId, reason: `its payment ${paymentId} went back before the order could take it` } } as const]
              : []),
          ],
        },
      ];
    }
    case 'OrderPaid':
    case 'OrderExpired':
      return [{ kind: 'cancel-deadline', deadlineId: paymentExpiryDeadlineId(event.data.orderId) }];
    case 'OrderCancelled': {
      const { orderId, paymentId, refundDue, reason } = event.data;
      const cancelDeadline: Reaction = { kind: 'cancel-deadline', deadlineId: paymentExpiryDeadlineId(orderId) };
      return paymentId === null || refundDue.amount === 0 ? [cancelDeadline] : [cancelDeadline, refundOwed(paymentId, CANCELLATION_REFUND_ID, refundDue, reason)];
    }
    case 'AfterSalesApproved':
    case 'ReturnedGoodsReceived': {
      const { paymentId, requestId, refundDue } = event.data;
      const refundNow = event.type === 'ReturnedGoodsReceived' || event.data.kind === 'refund';
      return refundNow && refundDue.amount > 0 ? [refundOwed(paymentId, requestId, refundDue, `after-sales request ${requestId}`)] : [];
    }
    case 'PaymentRefunded': {
      // Every refund, a late capture's too: that payment paid no order, but for one another process marked
      // paid by it as the capture went back, whose books must then show the money gone.
      const { orderId, paymentId, refundId, amount } = event.data;
      return [{ kind: 'command', command: { type: 'RecordPaymentRefund', data: { orderId, paymentId, refundId, amount } } }];
    }
    default:
      return [];
  }
};
