import * as E from 'fp-ts/Either';
import type { CurrencyCode } from '../shared/codecs';
import type { Decider } from '../shared/decider';
import { DomainError, domainError } from '../shared/domain-error';
import { format, money } from '../shared/money';
import type { PaymentDecision } from './commands';
import type { CallbackRejectionReason, PaymentEvent } from './events';

export type PaymentStatus = 'pending' | 'captured' | 'failed';

/** The provider transaction id of a payment of nothing, captured as it starts: no provider took part. */
export const NOTHING_DUE_TRANSACTION_ID = 'nothing-due';

export interface ExistingPayment {
  readonly status: PaymentStatus;
  readonly paymentId: string;
  readonly orderId: string;
  readonly currency: CurrencyCode;
  readonly amountDue: number;
  readonly amountCaptured: number;
  readonly amountRefunded: number;
  readonly providerTransactionIds: readonly string[];
  readonly refundIds: readonly string[];
}

export type PaymentState = { readonly status: 'none' } | ExistingPayment;

type Decision = E.Either<DomainError, readonly PaymentEvent[]>;

const reject = (code: string, message: string, details?: Record<string, unknown>): Decision => E.left(domainError(code, message, details));
const accept = (...events: PaymentEvent[]): Decision => E.right(events);

const existing = (state: PaymentState, paymentId: string, decide: (payment: ExistingPayment) => Decision): Decision =>
  state.status === 'none' ? reject('PAYMENT_NOT_FOUND', `payment ${paymentId} has not been initiated`, { paymentId }) : decide(state);

type CallbackData = Extract<PaymentDecision, { type: 'DecideProviderCallback' }>['data'];

type CallbackProblem = { reason: CallbackRejectionReason; explanation: string };

/**
 * Why a callback is not about this payment's charge, or null when it is: its transaction id used by no
 * other payment and not reported here before (but as the failure of a charge now reported succeeded), its currency and amount those due, the payment not captured
 * yet (nor failed already, for a failed callback). A succeeded callback that passes is the capture; a
 * failed one, the payment's failure.
 */
const callbackProblem = (payment: ExistingPayment, data: CallbackData): CallbackProblem | null => {
  const { status } = data;
  if (data.claimedBy !== payment.paymentId) {
    return { reason: 'TRANSACTION_ALREADY_USED', explanation: `provider transaction ${data.providerTransactionId} already paid for ${data.claimedBy}` };
  }
  // The one id a failed payment holds is its failed charge's: the provider's late word that the very charge
  // succeeded is no replay.
  const lateSuccess = payment.status === 'failed' && status === 'succeeded';
  if (!lateSuccess && payment.providerTransactionIds.includes(data.providerTransactionId)) {
    return { reason: 'TRANSACTION_ALREADY_USED', explanation: `provider transaction ${data.providerTransactionId} was already reported for this payment` };
  }
  if (payment.status === 'captured') return { reason: 'ALREADY_CAPTURED', explanation: `payment ${payment.paymentId} was already captured` };
  // A charge reported as succeeded after the payment failed (a provider's late answer, or a host that gave
  // up waiting) took the money all the same: it is captured, so that it can be taken or given back.
  if (payment.status === 'failed' && status === 'failed') return { reason: 'PAYMENT_NOT_PENDING', explanation: `payment ${payment.paymentId} is failed` };
  if (data.amount.currency !== payment.currency) {
    return { reason: 'CURRENCY_MISMATCH', explanation: `the provider ${status === 'succeeded' ? 'paid' : 'reported a charge'} in ${data.amount.currency}, the order is due in ${payment.currency}` };
  }
  if (data.amount.amount !== payment.amountDue) {
    const reported = `${status === 'succeeded' ? 'paid' : 'reported a failed charge of'} ${format(data.amount)}`;
    return { reason: 'AMOUNT_MISMATCH', explanation: `the provider ${reported}, the order is due ${format(money(payment.amountDue, payment.currency))}` };
  }
  return null;
};

/**
 * Whether a succeeded callback would capture this payment, if its transaction id is this payment's to
 * claim. Only then is the id claimed: a callback refused for its amount, say, must not take the id from
 * the payment it really paid for.
 */
export const callbackWouldCapture = (state: PaymentState, data: Omit<CallbackData, 'claimedBy'>): boolean =>
  state.status !== 'none' && data.status === 'succeeded' && callbackProblem(state, { ...data, claimedBy: state.paymentId }) === null;

const decideCallback = (payment: ExistingPayment, data: CallbackData): Decision => {
  const { paymentId, orderId } = payment;
  const { providerTransactionId, amount } = data;
  const problem = callbackProblem(payment, data);
  if (problem !== null) return accept({ type: 'PaymentCallbackRejected', data: { paymentId, orderId, providerTransactionId, amount, ...problem } });
  return data.status === 'succeeded'
    ? accept({ type: 'PaymentCaptured', data: { paymentId, orderId, providerTransactionId, amount } })
    : accept({ type: 'PaymentFailed', data: { paymentId, orderId, providerTransactionId, reason: 'the provider reported the payment as failed' } });
};

const decideRefund = (payment: ExistingPayment, data: Extract<PaymentDecision, { type: 'RefundPayment' }>['data']): Decision => {
  if (payment.refundIds.includes(data.refundId)) {
    return reject('REFUND_ALREADY_RECORDED', `refund ${data.refundId} of payment ${payment.paymentId} was already made`, { refundId: data.refundId });
  }
  if (payment.status !== 'captured') {
    return reject('PAYMENT_NOT_CAPTURED', `payment ${payment.paymentId} is ${payment.status}: nothing to refund`, { status: payment.status });
  }
  if (data.amount.currency !== payment.currency) {
    return reject('CURRENCY_MISMATCH', `payment ${payment.paymentId} is in ${payment.currency}`, { expected: payment.currency, actual: data.amount.currency });
  }
  if (data.amount.amount === 0) {
    return reject('REFUND_OF_NOTHING', `a refund of payment ${payment.paymentId} gives back at least 1 minor unit`, { requested: data.amount });
  }
  const refundable = payment.amountCaptured - payment.amountRefunded;
  if (data.amount.amount > refundable) {
    return reject('REFUND_EXCEEDS_CAPTURED', `payment ${payment.paymentId} can refund at most ${format(money(refundable, payment.currency))}`, {
      refundable: money(refundable, payment.currency),
      requested: data.amount,
    });
  }
  return accept({ type: 'PaymentRefunded', data: { ...data, orderId: payment.orderId } });
};

const decideRemainingCaptureRefund = (payment: ExistingPayment, data: Extract<PaymentDecision, { type: 'RefundRemainingCapture' }>['data']): Decision => {
  if (payment.refundIds.includes(data.refundId)) {
    return reject('REFUND_ALREADY_RECORDED', `refund ${data.refundId} of payment ${payment.paymentId} was already made`, { refundId: data.refundId });
  }
  if (payment.status !== 'captured') {
    return reject('PAYMENT_NOT_CAPTURED', `payment ${payment.paymentId} is ${payment.status}: nothing to refund`, { status: payment.status });
  }
  // Refunded in full already (by the host, straight to the payment), it gives back nothing, and says so: an
  // order owed this refund then learns that nothing more will come.
  const remaining = payment.amountCaptured - payment.amountRefunded;
  const { paymentId, orderId, currency } = payment;
  return accept({ type: 'PaymentRefunded', data: { paymentId, orderId, refundId: data.refundId, amount: money(remaining, currency), reason: data.reason } });
};

const decideCommand = (command: PaymentDecision, state: PaymentState): Decision => {
  switch (command.type) {
    case 'InitiatePayment': {
      if (state.status !== 'none') return reject('PAYMENT_ALREADY_INITIATED', `payment ${command.data.paymentId} was already initiated`, { paymentId: command.data.paymentId });
      const { paymentId, orderId, amount } = command.data;
      // Nothing due (a fully discounted order): no provider will ever call back about it, so it is captured
      // as it starts, and the order it pays goes on as any paid order does.
      return amount.amount === 0
        ? accept({ type: 'PaymentInitiated', data: command.data }, { type: 'PaymentCaptured', data: { paymentId, orderId, providerTransactionId: NOTHING_DUE_TRANSACTION_ID, amount } })
        : accept({ type: 'PaymentInitiated', data: command.data });
    }
    case 'DecideProviderCallback':
      return existing(state, command.data.paymentId, (payment) => decideCallback(payment, command.data));
    case 'FailPayment':
      return existing(state, command.data.paymentId, (payment) =>
        payment.status === 'pending'
          ? accept({ type: 'PaymentFailed', data: { paymentId: payment.paymentId, orderId: payment.orderId, providerTransactionId: null, reason: command.data.reason } })
          : reject('PAYMENT_NOT_PENDING', `payment ${payment.paymentId} is ${payment.status}`, { status: payment.status }),
      );
    case 'RefundPayment':
      return existing(state, command.data.paymentId, (payment) => decideRefund(payment, command.data));
    case 'RefundRemainingCapture':
      return existing(state, command.data.paymentId, (payment) => decideRemainingCaptureRefund(payment, command.data));
  }
};

const evolve = (state: PaymentState, event: PaymentEvent): PaymentState => {
  if (state.status === 'none') {
    if (event.type !== 'PaymentInitiated') return state;
    const { paymentId, orderId, amount } = event.data;
    return {
      status: 'pending',
      paymentId,
      orderId,
      currency: amount.currency,
      amountDue: amount.amount,
      amountCaptured: 0,
      amountRefunded: 0,
      providerTransactionIds: [],
      refundIds: [],
    };
  }
  switch (event.type) {
    case 'PaymentInitiated':
      return state;
    case 'PaymentCaptured':
      return {
        ...state,
        status: 'captured',
        amountCaptured: event.data.amount.amount,
        providerTransactionIds: state.providerTransactionIds.includes(event.data.providerTransactionId)
          ? state.providerTransactionIds
          : [...state.providerTransactionIds, event.data.providerTransactionId],
      };
    case 'PaymentCallbackRejected':
      return state;
    case 'PaymentFailed':
      return {
        ...state,
        status: 'failed',
        providerTransactionIds:
          event.data.providerTransactionId === null ? state.providerTransactionIds : [...state.providerTransactionIds, event.data.providerTransactionId],
      };
    case 'PaymentRefunded':
      return { ...state, amountRefunded: state.amountRefunded + event.data.amount.amount, refundIds: [...state.refundIds, event.data.refundId] };
  }
};

export const paymentDecider: Decider<PaymentDecision, PaymentEvent, PaymentState> = {
  initialState: { status: 'none' },
  decide: (command, state) => decideCommand(command, state),
  evolve,
};

