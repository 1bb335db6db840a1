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

/** The payment commands a host may send. */
export const PaymentCommand = t.union([InitiatePayment, RecordProviderCallback, FailPayment, RefundPayment], 'PaymentCommand');
export type PaymentCommand = t.TypeOf<typeof PaymentCommand>;

/** What the payment decider decides on: the host's commands, with callbacks checked for reuse first. */
export type PaymentDecision = Exclude<PaymentCommand, { type: 'RecordProviderCallback' }> | t.TypeOf<typeof DecideProviderCallback>;
