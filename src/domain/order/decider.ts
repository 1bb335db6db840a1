import * as E from 'fp-ts/Either';
import { PricedLine, pricingInconsistency } from '../pricing/pricing-policy';
import { type CurrencyCode, MAX_TIMESTAMP, Timestamp } from '../shared/codecs';
import { isoInstant } from '../shared/instant';
import type { Decider, DecisionContext } from '../shared/decider';
import { DomainError, domainError } from '../shared/domain-error';
import { format, Money, money, scaleDown } from '../shared/money';
import type { OrderCommand, OrderDecision, RecordPaymentRefund } from './commands';
import type { OrderEvent } from './events';
import { AfterSalesKind, CANCELLATION_REFUND_ID, RefundLine, RESERVED_REFUND_IDS } from './values';

export type OrderStatus = 'awaiting-payment' | 'paid' | 'shipped' | 'delivered' | 'completed' | 'cancelled' | 'expired';

export type AfterSalesStatus = 'requested' | 'approved' | 'rejected' | 'goods-received' | 'refunded';

export interface AfterSalesCase {
  readonly requestId: string;
  readonly kind: AfterSalesKind;
  readonly lines: readonly RefundLine[];
  readonly refundAmount: number;
  readonly status: AfterSalesStatus;
}

export interface PlacedOrder {
  readonly status: OrderStatus;
  readonly orderId: string;
  readonly customerId: string;
  readonly currency: CurrencyCode;
  readonly lines: readonly PricedLine[];
  readonly total: number;
  readonly paymentDeadline: Timestamp;
  readonly paymentId: string | null;
  readonly amountPaid: number;
  readonly amountRefunded: number;
  /** The refunds recorded, the order's own and those a host sent straight to its payment. */
  readonly refundIds: readonly string[];
  /** Refunds decided but not yet recorded as paid back, by refund id. */
  readonly refundsDue: Readonly<Record<string, number>>;
  readonly shipment: { readonly carrier: string; readonly trackingNumber: string } | null;
  readonly afterSalesDeadline: Timestamp | null;
  readonly reviewed: boolean;
  readonly afterSales: readonly AfterSalesCase[];
}

export type OrderState = { readonly status: 'none' } | PlacedOrder;

export interface OrderPolicy {
  /** How long after delivery a return or refund may be requested. */
  readonly afterSalesWindowMs: number;
}

export const defaultOrderPolicy: OrderPolicy = { afterSalesWindowMs: 7 * 24 * 60 * 60 * 1000 };

type Decision = E.Either<DomainError, readonly OrderEvent[]>;

const reject = (code: string, message: string, details?: Record<string, unknown>): Decision => E.left(domainError(code, message, details));
const accept = (...events: OrderEvent[]): Decision => E.right(events);

const wrongStatus = (order: PlacedOrder, action: string, allowed: readonly OrderStatus[]): Decision =>
  reject('INVALID_ORDER_STATUS', `cannot ${action} order ${order.orderId}: it is ${order.status}, and this needs ${allowed.join(' or ')}`, {
    orderId: order.orderId,
    status: order.status,
    allowed,
  });

/** Runs `decide` only when the order exists and is in one of `allowed`. */
const inStatus = (state: OrderState, orderId: string, action: string, allowed: readonly OrderStatus[], decide: (order: PlacedOrder) => Decision): Decision => {
  if (state.status === 'none') return reject('ORDER_NOT_FOUND', `order ${orderId} has not been placed`, { orderId });
  return allowed.includes(state.status) ? decide(state) : wrongStatus(state, action, allowed);
};

const caseOf = (order: PlacedOrder, requestId: string): AfterSalesCase | undefined => order.afterSales.find((c) => c.requestId === requestId);

/** Units of `sku` and the amount already claimed by after-sales cases that were not rejected. */
const claimed = (order: PlacedOrder, sku: string): { units: number; amount: number } => {
  let units = 0;
  let amount = 0;
  for (const c of order.afterSales) {
    if (c.status === 'rejected') continue;
    for (const line of c.lines) {
      if (line.sku === sku) {
        units += line.quantity;
        amount += line.amount;
      }
    }
  }
  return { units, amount };
};

const decideAfterSalesRequest = (order: PlacedOrder, data: Extract<OrderCommand, { type: 'RequestAfterSales' }>['data'], now: Timestamp): Decision => {
  if (caseOf(order, data.requestId) !== undefined) {
    return reject('AFTER_SALES_REQUEST_EXISTS', `request ${data.requestId} already exists on order ${order.orderId}`, { requestId: data.requestId });
  }
  if (RESERVED_REFUND_IDS.includes(data.requestId)) {
    return reject('RESERVED_REQUEST_ID', `${data.requestId} is the id of the engine's own refunds: choose another request id`, { requestId: data.requestId });
  }
  if (order.afterSalesDeadline === null || now > order.afterSalesDeadline) {
    return reject('AFTER_SALES_WINDOW_CLOSED', `the after-sales window of order ${order.orderId} has closed`, {
      afterSalesDeadline: order.afterSalesDeadline,
    });
  }
  const lines: RefundLine[] = [];
  for (const requested of data.lines) {
    const line = order.lines.find((l) => l.sku === requested.sku);
    if (line === undefined) return reject('LINE_NOT_FOUND', `order ${order.orderId} has no line for ${requested.sku}`, { sku: requested.sku });
    const already = claimed(order, requested.sku);
    const units = already.units + requested.quantity;
    if (units > line.quantity) {
      return reject('AFTER_SALES_QUANTITY_EXCEEDED', `only ${line.quantity - already.units} unit(s) of ${requested.sku} can still be returned`, {
        sku: requested.sku,
        available: line.quantity - already.units,
      });
    }
    // Rounded on all the units claimed so far, not on this request's alone: returned one at a time, units
    // refund what they would together (floors taken per request would each lose up to a minor unit, all
    // made up on the last unit), and the last unit takes whatever is left, so the parts of a line add up to
    // exactly what it was paid. Never below nothing, for requests an older version rounded otherwise.
    const remaining = line.paidAmount - already.amount;
    const amount = Math.max(0, Math.min(scaleDown(line.paidAmount, units, line.quantity) - already.amount, remaining));
    lines.push({ sku: requested.sku, quantity: requested.quantity, amount });
  }
  const refundAmount = lines.reduce((sum, line) => sum + line.amount, 0);
  return accept({
    type: 'AfterSalesRequested',
    data: { orderId: order.orderId, requestId: data.requestId, kind: data.kind, lines, refundAmount: money(refundAmount, order.currency), reason: data.reason },
  });
};

const inCase = (order: PlacedOrder, requestId: string, allowed: readonly AfterSalesStatus[], decide: (c: AfterSalesCase) => Decision): Decision => {
  const found = caseOf(order, requestId);
  if (found === undefined) return reject('AFTER_SALES_REQUEST_NOT_FOUND', `order ${order.orderId} has no request ${requestId}`, { requestId });
  return allowed.includes(found.status)
    ? decide(found)
    : reject('INVALID_AFTER_SALES_STATUS', `request ${requestId} is ${found.status}, and this needs ${allowed.join(' or ')}`, {
        requestId,
        status: found.status,
        allowed,
      });
};

// Own fields only: refund ids are the host's, and "constructor" would find Object's.
const dueOf = (order: PlacedOrder, refundId: string): number | undefined => (Object.hasOwn(order.refundsDue, refundId) ? order.refundsDue[refundId] : undefined);

/**
 * What the order's payment still holds beyond the refunds the order already owes. Refunds a host sent
 * straight to the payment count: what the order owes later can only come out of what is left.
 */
const refundableNow = (order: PlacedOrder): number =>
  Math.max(0, order.amountPaid - order.amountRefunded - Object.values(order.refundsDue).reduce((sum, due) => sum + due, 0));

/** The order cancelled, owing back what its payment still holds beyond the refunds it already owes. */
const cancellation = (order: PlacedOrder, reason: string): Decision =>
  accept({ type: 'OrderCancelled', data: { orderId: order.orderId, reason, paymentId: order.paymentId, refundDue: money(refundableNow(order), order.currency) } });

const notDue = (order: PlacedOrder, refundId: string): Decision => reject('REFUND_NOT_DUE', `order ${order.orderId} owes no refund ${refundId}`, { refundId });

const amountMismatch = (order: PlacedOrder, refundId: string, due: number, got: Money): Decision =>
  reject('REFUND_AMOUNT_MISMATCH', `refund ${refundId} of order ${order.orderId} is ${format(money(due, order.currency))}`, {
    refundId,
    due,
    currency: order.currency,
    got,
  });

/** Refused when it would have the order refund more than it was paid: a refund cannot be recorded twice over. */
const beyondPaid = (order: PlacedOrder, refundId: string, amount: Money, decide: () => Decision): Decision =>
  order.amountRefunded + amount.amount > order.amountPaid
    ? reject('REFUND_EXCEEDS_PAID', `order ${order.orderId} was paid ${format(money(order.amountPaid, order.currency))} and has refunded ${format(money(order.amountRefunded, order.currency))} of it`, {
        refundId,
        amountPaid: money(order.amountPaid, order.currency),
        amountRefunded: money(order.amountRefunded, order.currency),
        got: amount,
      })
    : decide();

const decideRefundRecord = (order: PlacedOrder, data: Extract<OrderCommand, { type: 'RecordOrderRefund' }>['data']): Decision => {
  const due = dueOf(order, data.refundId);
  if (due === undefined) return notDue(order, data.refundId);
  if (data.amount.currency !== order.currency || data.amount.amount !== due) return amountMismatch(order, data.refundId, due, data.amount);
  return beyondPaid(order, data.refundId, data.amount, () => accept({ type: 'OrderRefunded', data }));
};

const decidePaymentRefund = (order: PlacedOrder, { orderId, paymentId, refundId, amount }: RecordPaymentRefund['data']): Decision => {
  // A payment the order never took (a late capture's, another the host started) refunds none of its money.
  if (paymentId !== order.paymentId) return accept();
  // The process manager's repeat.
  if (order.refundIds.includes(refundId)) return accept();
  const due = dueOf(order, refundId);
  // An after-sales request whose refund is not due yet (goods not back) keeps its id for that refund.
  if (due === undefined && caseOf(order, refundId) !== undefined) return notDue(order, refundId);
  if (amount.currency !== order.currency) {
    return reject('CURRENCY_MISMATCH', `order ${orderId} is in ${order.currency}`, { expected: order.currency, actual: amount.currency });
  }
  const refunded = accept({ type: 'OrderRefunded', data: { orderId, refundId, amount } });
  return beyondPaid(order, refundId, amount, () => {
    // Owed nothing under this id: a refund a host sent straight to the payment.
    if (due === undefined || amount.amount === due) return refunded;
    // Short of what is owed only when the payment had no more to give: a host refunded the rest straight to it.
    const paymentEmptied = amount.amount < due && order.amountRefunded + amount.amount === order.amountPaid;
    return paymentEmptied ? refunded : amountMismatch(order, refundId, due, amount);
  });
};

/**
 * A refund of nothing (lines that cost nothing after discounts) is settled as it falls due, since no
 * payment moves to settle it; otherwise its request would wait for a refund that never comes.
 */
const settledWhenNothingIsDue = (order: PlacedOrder, requestId: string, refundDue: number): readonly OrderEvent[] =>
  refundDue === 0 ? [{ type: 'OrderRefunded', data: { orderId: order.orderId, refundId: requestId, amount: money(0, order.currency) } }] : [];

/** Delivered orders were paid, but the state's type cannot say so: check rather than assume. */
const paidBy = (order: PlacedOrder, decide: (paymentId: string) => Decision): Decision =>
  order.paymentId === null ? reject('ORDER_NOT_PAID', `order ${order.orderId} has no payment`, { orderId: order.orderId }) : decide(order.paymentId);

const SHIPPABLE: readonly OrderStatus[] = ['paid'];
const CANCELLABLE: readonly OrderStatus[] = ['awaiting-payment', 'paid'];
const AFTER_DELIVERY: readonly OrderStatus[] = ['delivered', 'completed'];
const PLACED: readonly OrderStatus[] = ['awaiting-payment', 'paid', 'shipped', 'delivered', 'completed', 'cancelled', 'expired'];

const decideCommand = (command: OrderDecision, state: OrderState, { now }: DecisionContext, policy: OrderPolicy): Decision => {
  switch (command.type) {
    case 'PlaceOrder': {
      if (state.status !== 'none') return reject('ORDER_ALREADY_PLACED', `order ${command.data.orderId} was already placed`, { orderId: command.data.orderId });
      // A deadline no `Date` holds could never be shown, in a refusal to expire the order or to anyone else.
      if (command.data.paymentDeadline > MAX_TIMESTAMP) {
        return reject('PAYMENT_DEADLINE_OUT_OF_RANGE', `the payment deadline ${command.data.paymentDeadline} is past the last time a date holds`, {
          paymentDeadline: command.data.paymentDeadline,
        });
      }
      const inconsistency = pricingInconsistency(command.data.pricing);
      return inconsistency === null
        ? accept({ type: 'OrderPlaced', data: command.data })
        : reject('PRICING_INCONSISTENT', `the order's prices do not add up: ${inconsistency}`, { reason: inconsistency });
    }
    case 'MarkOrderPaid':
      // The payment that paid the order, reported again (by a host and by the process manager, say), has
      // nothing left to do: refused, it would read as money the order cannot take, and be refunded.
      if (state.status !== 'none' && state.paymentId === command.data.paymentId) return accept();
      return inStatus(state, command.data.orderId, 'mark paid', ['awaiting-payment'], (order) =>
        command.data.amount.currency === order.currency && command.data.amount.amount === order.total
          ? accept({ type: 'OrderPaid', data: command.data })
          : reject('PAYMENT_AMOUNT_MISMATCH', `order ${order.orderId} is due ${format(money(order.total, order.currency))}`, {
              due: money(order.total, order.currency),
              got: command.data.amount,
            }),
      );
    case 'ShipOrder':
      return inStatus(state, command.data.orderId, 'ship', SHIPPABLE, (order) =>
        // Everything it was paid has gone back (a host's refunds, or a capture sent back as the order was marked
        // paid by another process): shipped, the goods would go for nothing.
        order.amountPaid > 0 && order.amountRefunded >= order.amountPaid
          ? reject('ORDER_REFUNDED', `order ${order.orderId} has given back all it was paid: cancel it`, { orderId: order.orderId })
          : accept({ type: 'OrderShipped', data: command.data }),
      );
    case 'RecordTrackingUpdate':
      return inStatus(state, command.data.orderId, 'record tracking for', ['shipped'], (order) =>
        order.shipment === null
          ? reject('NO_SHIPMENT', `order ${order.orderId} has no shipment`, { orderId: order.orderId })
          : accept({ type: 'OrderTrackingUpdated', data: { ...command.data, ...order.shipment } }),
      );
    case 'DeliverOrder':
      return inStatus(state, command.data.orderId, 'deliver', ['shipped'], () => {
        // The policy is the host's: a deadline no event can hold (a fraction, NaN, before 1970) would make the
        // order unreadable for good once stored.
        const afterSalesDeadline = now + policy.afterSalesWindowMs;
        return Timestamp.is(afterSalesDeadline) && afterSalesDeadline <= MAX_TIMESTAMP && policy.afterSalesWindowMs >= 0
          ? accept({ type: 'OrderDelivered', data: { orderId: command.data.orderId, afterSalesDeadline } })
          : reject('ORDER_POLICY_INVALID', `the order policy's after-sales window ${policy.afterSalesWindowMs} ms is not a whole number of ms ≥ 0, or puts the deadline past the last time a date holds`, {
              afterSalesWindowMs: policy.afterSalesWindowMs,
            });
      });
    case 'CompleteOrder':
      return inStatus(state, command.data.orderId, 'complete', ['delivered'], () => accept({ type: 'OrderCompleted', data: command.data }));
    case 'ReviewOrder':
      return inStatus(state, command.data.orderId, 'review', ['completed'], (order) =>
        order.reviewed
          ? reject('ORDER_ALREADY_REVIEWED', `order ${order.orderId} has already been reviewed`, { orderId: order.orderId })
          : accept({ type: 'OrderReviewed', data: command.data }),
      );
    case 'CancelOrder':
      if (state.status !== 'none' && (state.status === 'shipped' || state.status === 'delivered' || state.status === 'completed')) {
        return reject('ORDER_ALREADY_SHIPPED', `order ${state.orderId} has shipped: it can be returned, not cancelled`, { orderId: state.orderId });
      }
      return inStatus(state, command.data.orderId, 'cancel', CANCELLABLE, (order) => cancellation(order, command.data.reason));
    case 'ExpireUnpaidOrder':
      return inStatus(state, command.data.orderId, 'expire', ['awaiting-payment'], (order) =>
        now >= order.paymentDeadline
          ? accept({ type: 'OrderExpired', data: { orderId: order.orderId, paymentDeadline: order.paymentDeadline } })
          : reject('PAYMENT_DEADLINE_NOT_REACHED', `order ${order.orderId} may be paid until ${isoInstant(order.paymentDeadline)}`, {
              paymentDeadline: order.paymentDeadline,
            }),
      );
    case 'RequestAfterSales':
      return inStatus(state, command.data.orderId, 'request after-sales for', AFTER_DELIVERY, (order) => decideAfterSalesRequest(order, command.data, now));
    case 'ApproveAfterSales':
      return inStatus(state, command.data.orderId, 'approve after-sales for', AFTER_DELIVERY, (order) =>
        inCase(order, command.data.requestId, ['requested'], (c) =>
          paidBy(order, (paymentId) => {
            const refundDue = Math.min(c.refundAmount, refundableNow(order));
            return accept(
              {
                type: 'AfterSalesApproved',
                data: { orderId: order.orderId, requestId: c.requestId, kind: c.kind, paymentId, refundDue: money(refundDue, order.currency) },
              },
              ...(c.kind === 'refund' ? settledWhenNothingIsDue(order, c.requestId, refundDue) : []),
            );
          }),
        ),
      );
    case 'RejectAfterSales':
      return inStatus(state, command.data.orderId, 'reject after-sales for', AFTER_DELIVERY, (order) =>
        inCase(order, command.data.requestId, ['requested'], () => accept({ type: 'AfterSalesRejected', data: command.data })),
      );
    case 'ReceiveReturnedGoods':
      return inStatus(state, command.data.orderId, 'receive returned goods for', AFTER_DELIVERY, (order) =>
        inCase(order, command.data.requestId, ['approved'], (c) =>
          c.kind === 'return'
            ? paidBy(order, (paymentId) => {
                const refundDue = Math.min(c.refundAmount, refundableNow(order));
                return accept(
                  {
                    type: 'ReturnedGoodsReceived',
                    data: { orderId: order.orderId, requestId: c.requestId, paymentId, refundDue: money(refundDue, order.currency) },
                  },
                  ...settledWhenNothingIsDue(order, c.requestId, refundDue),
                );
              })
            : reject('NOT_A_RETURN', `request ${c.requestId} is a refund without return: no goods come back`, { requestId: c.requestId }),
        ),
      );
    case 'RecordOrderRefund':
      return inStatus(state, command.data.orderId, 'record a refund for', PLACED, (order) => decideRefundRecord(order, command.data));
    case 'RecordPaymentRefund':
      // A payment for an order never placed (a host's) paid nothing of it: its refunds are none of the order's.
      if (state.status === 'none') return accept();
      return inStatus(state, command.data.orderId, 'record a refund for', PLACED, (order) => decidePaymentRefund(order, command.data));
    case 'CancelUnpayableOrder':
      return state.status === 'awaiting-payment' ? cancellation(state, command.data.reason) : accept();
    case 'AddOrderNote':
      return inStatus(state, command.data.orderId, 'add a note to', PLACED, () => accept({ type: 'OrderNoteAdded', data: command.data }));
  }
};

const withCase = (order: PlacedOrder, requestId: string, status: AfterSalesStatus): readonly AfterSalesCase[] =>
  order.afterSales.map((c) => (c.requestId === requestId ? { ...c, status } : c));

const withRefundDue = (order: PlacedOrder, refundId: string, amount: number): Readonly<Record<string, number>> =>
  amount > 0 ? { ...order.refundsDue, [refundId]: amount } : order.refundsDue;

const evolvePlaced = (order: PlacedOrder, event: OrderEvent): PlacedOrder => {
  switch (event.type) {
    case 'OrderPlaced':
      return order;
    case 'OrderPaid':
      return { ...order, status: 'paid', paymentId: event.data.paymentId, amountPaid: event.data.amount.amount };
    case 'OrderShipped':
      return { ...order, status: 'shipped', shipment: { carrier: event.data.carrier, trackingNumber: event.data.trackingNumber } };
    case 'OrderTrackingUpdated':
    case 'OrderNoteAdded':
      return order;
    case 'OrderDelivered':
      return { ...order, status: 'delivered', afterSalesDeadline: event.data.afterSalesDeadline };
    case 'OrderCompleted':
      return { ...order, status: 'completed' };
    case 'OrderReviewed':
      return { ...order, reviewed: true };
    case 'OrderCancelled':
      return { ...order, status: 'cancelled', refundsDue: withRefundDue(order, CANCELLATION_REFUND_ID, event.data.refundDue.amount) };
    case 'OrderExpired':
      return { ...order, status: 'expired' };
    case 'AfterSalesRequested':
      return {
        ...order,
        afterSales: [
          ...order.afterSales,
          { requestId: event.data.requestId, kind: event.data.kind, lines: event.data.lines, refundAmount: event.data.refundAmount.amount, status: 'requested' },
        ],
      };
    case 'AfterSalesApproved':
      return {
        ...order,
        afterSales: withCase(order, event.data.requestId, 'approved'),
        refundsDue: event.data.kind === 'refund' ? withRefundDue(order, event.data.requestId, event.data.refundDue.amount) : order.refundsDue,
      };
    case 'AfterSalesRejected':
      return { ...order, afterSales: withCase(order, event.data.requestId, 'rejected') };
    case 'ReturnedGoodsReceived':
      return {
        ...order,
        afterSales: withCase(order, event.data.requestId, 'goods-received'),
        refundsDue: withRefundDue(order, event.data.requestId, event.data.refundDue.amount),
      };
    case 'OrderRefunded': {
      const { [event.data.refundId]: _settled, ...stillDue } = order.refundsDue;
      return {
        ...order,
        amountRefunded: order.amountRefunded + event.data.amount.amount,
        refundIds: [...order.refundIds, event.data.refundId],
        refundsDue: stillDue,
        afterSales: caseOf(order, event.data.refundId) === undefined ? order.afterSales : withCase(order, event.data.refundId, 'refunded'),
      };
    }
  }
};

const evolve = (state: OrderState, event: OrderEvent): OrderState => {
  if (state.status !== 'none') return evolvePlaced(state, event);
  if (event.type !== 'OrderPlaced') return state;
  const { orderId, customerId, pricing, paymentDeadline } = event.data;
  return {
    status: 'awaiting-payment',
    orderId,
    customerId,
    currency: pricing.currency,
    lines: pricing.lines,
    total: pricing.total,
    paymentDeadline,
    paymentId: null,
    amountPaid: 0,
    amountRefunded: 0,
    refundIds: [],
    refundsDue: {},
    shipment: null,
    afterSalesDeadline: null,
    reviewed: false,
    afterSales: [],
  };
};

export const orderDecider = (policy: OrderPolicy = defaultOrderPolicy): Decider<OrderDecision, OrderEvent, OrderState> => ({
  initialState: { status: 'none' },
  decide: (command, state, context) => decideCommand(command, state, context, policy),
  evolve,
});
