import * as t from 'io-ts';
import { Identifier, Text } from '../shared/codecs';
import { message } from '../shared/message';
import { Money } from '../shared/money';

export const PaymentInitiated = message('PaymentInitiated', { paymentId: Identifier, orderId: Identifier, amount: Money, method: Identifier });
export const PaymentCaptured = message('PaymentCaptured', { paymentId: Identifier, orderId: Identifier, providerTransactionId: Identifier, amount: Money });

export const CallbackRejectionReason = t.keyof(
  {
    AMOUNT_MISMATCH: null,
    CURRENCY_MISMATCH: null,
    TRANSACTION_ALREADY_USED: null,
    ALREADY_CAPTURED: null,
    PAYMENT_NOT_PENDING: null,
  },
  'CallbackRejectionReason',
);
export type CallbackRejectionReason = t.TypeOf<typeof CallbackRejectionReason>;

/** A provider callback that did not count, and why; kept as a fact so operators can see every attempt. */
export const PaymentCallbackRejected = message('PaymentCallbackRejected', {
  paymentId: Identifier,
  orderId: Identifier,
  providerTransactionId: Identifier,
  amount: Money,
  reason: CallbackRejectionReason,
  explanation: Text,
});
export const PaymentFailed = message('PaymentFailed', {
  paymentId: Identifier,
  orderId: Identifier,
  providerTransactionId: t.union([Identifier, t.null]),
  reason: Text,
});
export const PaymentRefunded = message('PaymentRefunded', {
  paymentId: Identifier,
  orderId: Identifier,
  refundId: Identifier,
  amount: Money,
  reason: Text,
});

export const PaymentEvent = t.union([PaymentInitiated, PaymentCaptured, PaymentCallbackRejected, PaymentFailed, PaymentRefunded], 'PaymentEvent');
export type PaymentEvent = t.TypeOf<typeof PaymentEvent>;
