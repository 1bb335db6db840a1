import * as t from 'io-ts';
import { Identifier, Text } from '../shared/codecs';
import { message } from '../shared/message';
import { Money } from '../shared/money';

export const InitiatePayment = message('InitiatePayment', { paymentId: Identifier, orderId: Identifier, amount: Money, method: Identifier });

/** What the payment provider's callback says, as the host received it. */
export const RecordProviderCallback = message('RecordProviderCallback', {
  paymentId: Identifier,
  providerTransactionId: Identifier,
  amount: Money,
  status: t.keyof({ succeeded: null, failed: null }),
});

/**
 * A callback after the engine has checked its transaction id across all payments: `claimedBy` is the
 * payment that used the id first (this one, on a retry), so the decider can refuse a replayed transaction.
 */
export const DecideProviderCallback = message('DecideProviderCallback', {
  paymentId: Identifier,
  providerTransactionId: Identifier,
  amount: Money,
  status: t.keyof({ succeeded: null, failed: null }),
  claimedBy: Identifier,
});

export const FailPayment = message('FailPayment', { paymentId: Identifier, reason: Text });
export const RefundPayment = message('RefundPayment', { paymentId: Identifier, refundId: Identifier, amount: Money, reason: Text });

/**
 * What the process manager sends when a capture cannot pay its order: the payment gives back all it still
 * holds of the capture, under `refundId`. Not `RefundPayment`, whose amount is fixed when the reaction is
 * made: a host may have refunded part of the capture meanwhile, and a refund of the whole would be refused,
 * leaving the rest with no order and no refund. When the payment holds nothing more, it refunds nothing,
 * as an event all the same. No host sends it.
 */
export const RefundRemainingCapture = message('RefundRemainingCapture', { paymentId: Identifier, refundId: Identifier, reason: Text });
export type RefundRemainingCapture = t.TypeOf<typeof RefundRemainingCapture>;

/** The payment commands a host may send. */
export const PaymentCommand = t.union([InitiatePayment, RecordProviderCallback, FailPayment, RefundPayment], 'PaymentCommand');
export type PaymentCommand = t.TypeOf<typeof PaymentCommand>;

/**
 * What the payment decider decides on: the host's commands, with callbacks checked for reuse first, and the
 * process manager's own.
 */
export type PaymentDecision = Exclude<PaymentCommand, { type: 'RecordProviderCallback' }> | t.TypeOf<typeof DecideProviderCallback> | RefundRemainingCapture;
