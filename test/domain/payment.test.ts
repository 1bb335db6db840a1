import { callbackWouldCapture, paymentDecider } from '../../src/domain/payment/decider';
import type { PaymentEvent } from '../../src/domain/payment/events';
import { deciderSpecification } from '../../src/testing';
import { cny } from '../support/fixtures';

const spec = deciderSpecification(paymentDecider);
const initiated: PaymentEvent = { type: 'PaymentInitiated', data: { paymentId: 'p1', orderId: 'o1', amount: cny(13800), method: 'card' } };
const captured: PaymentEvent = { type: 'PaymentCaptured', data: { paymentId: 'p1', orderId: 'o1', providerTransactionId: 'tx-1', amount: cny(13800) } };
const callback = (amount: { amount: number; currency: string }, providerTransactionId = 'tx-1', claimedBy = 'p1', status: 'succeeded' | 'failed' = 'succeeded') =>
  ({ type: 'DecideProviderCallback', data: { paymentId: 'p1', providerTransactionId, amount, status, claimedBy } }) as const;
const rejection = (reason: string, providerTransactionId = 'tx-1', amount = cny(13800)) => ({
  type: 'PaymentCallbackRejected',
  data: expect.objectContaining({ paymentId: 'p1', orderId: 'o1', providerTransactionId, amount, reason }),
});

describe('payment', () => {
  it('is initiated once', () => {
    spec.given([]).when({ type: 'InitiatePayment', data: initiated.data as never }).then([initiated]);
    spec.given([initiated]).when({ type: 'InitiatePayment', data: initiated.data as never }).thenRejects('PAYMENT_ALREADY_INITIATED');
  });

  it('is captured as it starts when nothing is due: no provider calls back about a payment of nothing', () =>
    spec.given([]).when({ type: 'InitiatePayment', data: { ...(initiated.data as never as object), amount: cny(0) } as never }).then([
      { type: 'PaymentInitiated', data: { paymentId: 'p1', orderId: 'o1', amount: cny(0), method: 'card' } },
      { type: 'PaymentCaptured', data: { paymentId: 'p1', orderId: 'o1', providerTransactionId: 'nothing-due', amount: cny(0) } },
    ]));

  it('is captured by a callback that matches the amount due', () => spec.given([initiated]).when(callback(cny(13800))).then([captured]));

  it('turns a callback with the wrong amount or currency into a rejection event that says why', () => {
    const wrongAmount = spec.given([initiated]).when(callback(cny(100)));
    expect(wrongAmount.decision).toEqual({ _tag: 'Right', right: [rejection('AMOUNT_MISMATCH', 'tx-1', cny(100))] });
    const wrongCurrency = spec.given([initiated]).when(callback({ amount: 13800, currency: 'USD' }));
    expect(wrongCurrency.decision).toEqual({ _tag: 'Right', right: [rejection('CURRENCY_MISMATCH', 'tx-1', { amount: 13800, currency: 'USD' })] });
  });

  it('refuses a transaction id used by another payment, or already reported, or after capture', () => {
    expect(spec.given([initiated]).when(callback(cny(13800), 'tx-1', 'p0')).decision).toEqual({ _tag: 'Right', right: [rejection('TRANSACTION_ALREADY_USED')] });
    expect(spec.given([initiated, captured]).when(callback(cny(13800))).decision).toEqual({ _tag: 'Right', right: [rejection('TRANSACTION_ALREADY_USED')] });
    expect(spec.given([initiated, captured]).when(callback(cny(13800), 'tx-2')).decision).toEqual({ _tag: 'Right', right: [rejection('ALREADY_CAPTURED', 'tx-2')] });
  });

  it('fails on a failed callback or when told, while pending', () => {
    spec.given([initiated]).when(callback(cny(13800), 'tx-9', 'p1', 'failed')).then([
      { type: 'PaymentFailed', data: { paymentId: 'p1', orderId: 'o1', providerTransactionId: 'tx-9', reason: 'the provider reported the payment as failed' } },
    ]);
    spec.given([initiated]).when({ type: 'FailPayment', data: { paymentId: 'p1', reason: 'timeout' } }).then([
      { type: 'PaymentFailed', data: { paymentId: 'p1', orderId: 'o1', providerTransactionId: null, reason: 'timeout' } },
    ]);
    spec.given([initiated, captured]).when({ type: 'FailPayment', data: { paymentId: 'p1', reason: 'timeout' } }).thenRejects('PAYMENT_NOT_PENDING');
  });

  it('captures a charge reported as succeeded after the payment failed: the money was taken all the same', () => {
    const failed: PaymentEvent = { type: 'PaymentFailed', data: { paymentId: 'p1', orderId: 'o1', providerTransactionId: null, reason: 'timeout' } };
    spec.given([initiated, failed]).when(callback(cny(13800))).then([captured]);
    expect(spec.given([initiated, failed]).when(callback(cny(100))).decision).toEqual({ _tag: 'Right', right: [rejection('AMOUNT_MISMATCH', 'tx-1', cny(100))] });
    expect(spec.given([initiated, failed]).when(callback(cny(13800), 'tx-2', 'p1', 'failed')).decision).toEqual({ _tag: 'Right', right: [rejection('PAYMENT_NOT_PENDING', 'tx-2')] });
  });

  it("captures the provider's late success of the very charge it reported failed: the same transaction id is no replay then", () => {
    const failedCharge: PaymentEvent = { type: 'PaymentFailed', data: { paymentId: 'p1', orderId: 'o1', providerTransactionId: 'tx-1', reason: 'the provider reported the payment as failed' } };
    spec.given([initiated, failedCharge]).when(callback(cny(13800))).then([captured]);
    expect(spec.given([initiated, failedCharge]).when(callback(cny(13800), 'tx-1', 'p1', 'failed')).decision).toEqual({ _tag: 'Right', right: [rejection('TRANSACTION_ALREADY_USED')] });
    const state = [initiated, failedCharge, captured].reduce(paymentDecider.evolve, paymentDecider.initialState);
    expect(state).toMatchObject({ status: 'captured', providerTransactionIds: ['tx-1'] });
    expect(spec.given([initiated, failedCharge, captured]).when(callback(cny(13800))).decision).toEqual({ _tag: 'Right', right: [rejection('TRANSACTION_ALREADY_USED')] });
  });

  it('stores a failed callback for a payment already captured as a rejection event, as any callback that fails a check', () =>
    expect(spec.given([initiated, captured]).when(callback(cny(13800), 'tx-2', 'p1', 'failed')).decision).toEqual({ _tag: 'Right', right: [rejection('ALREADY_CAPTURED', 'tx-2')] }));

  it("checks a failed callback as a succeeded one: another payment's transaction, another amount or currency do not fail it", () => {
    const failed = (amount: { amount: number; currency: string }, claimedBy = 'p1') => spec.given([initiated]).when(callback(amount, 'tx-9', claimedBy, 'failed')).decision;
    expect(failed(cny(13800), 'p0')).toEqual({ _tag: 'Right', right: [rejection('TRANSACTION_ALREADY_USED', 'tx-9')] });
    expect(failed(cny(100))).toEqual({ _tag: 'Right', right: [rejection('AMOUNT_MISMATCH', 'tx-9', cny(100))] });
    expect(failed({ amount: 13800, currency: 'USD' })).toEqual({ _tag: 'Right', right: [rejection('CURRENCY_MISMATCH', 'tx-9', { amount: 13800, currency: 'USD' })] });
  });

  it('says which succeeded callbacks would capture: only those its transaction id may then be claimed for', () => {
    const state = (history: readonly PaymentEvent[]) => history.reduce(paymentDecider.evolve, paymentDecider.initialState);
    const data = (amount: number, status: 'succeeded' | 'failed' = 'succeeded', providerTransactionId = 'tx-1') =>
      ({ paymentId: 'p1', providerTransactionId, amount: cny(amount), status }) as const;
    expect(callbackWouldCapture(state([initiated]), data(13800))).toBe(true);
    expect(callbackWouldCapture(state([initiated]), data(13799))).toBe(false);
    expect(callbackWouldCapture(state([initiated]), data(13800, 'failed'))).toBe(false);
    expect(callbackWouldCapture(state([initiated, captured]), data(13800, 'succeeded', 'tx-2'))).toBe(false);
    expect(callbackWouldCapture(state([]), data(13800))).toBe(false);
  });

  it('refunds in parts, never above what was captured', () => {
    const refund = (refundId: string, amount: number) => ({ type: 'RefundPayment', data: { paymentId: 'p1', refundId, amount: cny(amount), reason: 'r' } }) as const;
    const refunded = (refundId: string, amount: number): PaymentEvent => ({ type: 'PaymentRefunded', data: { paymentId: 'p1', orderId: 'o1', refundId, amount: cny(amount), reason: 'r' } });
    spec.given([initiated, captured]).when(refund('a', 5000)).then([refunded('a', 5000)]);
    spec.given([initiated, captured, refunded('a', 5000)]).when(refund('b', 8800)).then([refunded('b', 8800)]);
    spec.given([initiated, captured, refunded('a', 5000)]).when(refund('b', 8801)).thenRejects('REFUND_EXCEEDS_CAPTURED');
    spec.given([initiated, captured, refunded('a', 5000)]).when(refund('a', 1)).thenRejects('REFUND_ALREADY_RECORDED');
    spec.given([initiated, captured]).when(refund('a', 0)).thenRejects('REFUND_OF_NOTHING');
    spec.given([initiated]).when(refund('a', 1)).thenRejects('PAYMENT_NOT_CAPTURED');
    spec.given([]).when(refund('a', 1)).thenRejects('PAYMENT_NOT_FOUND');
  });

  it('gives back what it still holds of a capture its order cannot take, whatever was refunded before', () => {
    const refundRemaining = { type: 'RefundRemainingCapture', data: { paymentId: 'p1', refundId: 'late-capture', reason: 'r' } } as const;
    const refunded = (refundId: string, amount: number): PaymentEvent => ({ type: 'PaymentRefunded', data: { paymentId: 'p1', orderId: 'o1', refundId, amount: cny(amount), reason: 'r' } });
    spec.given([initiated, captured]).when(refundRemaining).then([refunded('late-capture', 13800)]);
    spec.given([initiated, captured, refunded('goodwill', 800)]).when(refundRemaining).then([refunded('late-capture', 13000)]);
    spec.given([initiated, captured, refunded('goodwill', 13800)]).when(refundRemaining).then([refunded('late-capture', 0)]);
    spec.given([initiated, captured, refunded('late-capture', 800)]).when(refundRemaining).thenRejects('REFUND_ALREADY_RECORDED');
    spec.given([initiated]).when(refundRemaining).thenRejects('PAYMENT_NOT_CAPTURED');
    spec.given([]).when(refundRemaining).thenRejects('PAYMENT_NOT_FOUND');
  });
});
