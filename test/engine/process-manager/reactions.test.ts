import { paymentStreamId } from '../../../src/engine/aggregates';
import { JourneyEvent, REACTING_EVENT_TYPES, reactionsTo } from '../../../src/engine/process-manager/reactions';
import { currentSamples } from '../../fixtures/golden-event-samples';
import { cny } from '../../support/fixtures';

describe('the process manager’s rules', () => {
  it('react to the kinds of event listed as reacted to, and to no other: those the process manager does not read', () => {
    const journeyTypes = Object.keys(currentSamples).filter((type) => !type.startsWith('Deadline') && type !== 'ProviderTransactionClaimed');
    for (const type of journeyTypes) {
      const event = { type, data: currentSamples[type as keyof typeof currentSamples] } as JourneyEvent;
      expect([type, reactionsTo(event, 0, { paymentWindowMs: 60_000 }).length > 0]).toEqual([type, REACTING_EVENT_TYPES.has(type)]);
    }
  });

  it('send the follow-up to a refused command to the stream of the event reacted to, which the process manager orders by', () => {
    const captured = { type: 'PaymentCaptured', data: { paymentId: 'p1', orderId: 'o1', providerTransactionId: 'tx-1', amount: cny(13000) } } as const;
    const [markPaid] = reactionsTo(captured, 0, { paymentWindowMs: 60_000 });
    const [followUp] = markPaid?.kind === 'command' ? (markPaid.onRejected?.({ code: 'INVALID_ORDER_STATUS', message: 'the order has closed' }) ?? []) : [];
    expect(followUp).toMatchObject({ type: 'RefundRemainingCapture', data: { paymentId: 'p1', refundId: 'late-capture' } });
    expect(followUp?.type === 'RefundRemainingCapture' && paymentStreamId(followUp.data.paymentId)).toBe(paymentStreamId(captured.data.paymentId));
  });

  it('cancel an order its own payment can no longer pay, refused for a refund of it; not for another payment of the order', () => {
    const capturedBy = (paymentId: string) => ({ type: 'PaymentCaptured', data: { paymentId, orderId: 'o1', providerTransactionId: 'tx-1', amount: cny(13000) } }) as const;
    const followUpsOf = (paymentId: string, code: string) => {
      const [markPaid] = reactionsTo(capturedBy(paymentId), 0, { paymentWindowMs: 60_000 });
      return markPaid?.kind === 'command' ? (markPaid.onRejected?.({ code, message: 'refused' }) ?? []).map((command) => command.type) : [];
    };
    expect(followUpsOf('o1', 'PAYMENT_REFUNDED')).toEqual(['RefundRemainingCapture', 'CancelUnpayableOrder']);
    expect(followUpsOf('p-host', 'PAYMENT_REFUNDED')).toEqual(['RefundRemainingCapture']);
    expect(followUpsOf('o1', 'INVALID_ORDER_STATUS')).toEqual(['RefundRemainingCapture']);
  });

  it("have the order record every refund of a payment, naming the payment, a late capture's too (the order takes only its paying payment's)", () => {
    const refunded = (refundId: string) => ({ type: 'PaymentRefunded', data: { paymentId: 'p1', orderId: 'o1', refundId, amount: cny(500), reason: 'goodwill' } }) as const;
    for (const refundId of ['goodwill', 'late-capture']) {
      expect(reactionsTo(refunded(refundId), 0, { paymentWindowMs: 60_000 })).toEqual([
        { kind: 'command', command: { type: 'RecordPaymentRefund', data: { orderId: 'o1', paymentId: 'p1', refundId, amount: cny(500) } } },
      ]);
    }
  });
});
