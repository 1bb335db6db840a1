import * as E from 'fp-ts/Either';
import { MAX_TIMESTAMP, Timestamp } from '../../src/domain/shared/codecs';
import { orderDecider } from '../../src/domain/order/decider';
import { OrderEvent } from '../../src/domain/order/events';
import { summariseEvent } from '../../src/engine/audit/event-summary';
import { deciderSpecification } from '../../src/testing';
import { DELIVERED_AT, orderPaid, orderPlaced, orderShipped } from '../support/fixtures';

/** What the h34 report's host policy (`afterSalesWindowMs: 9e15`) put in an OrderDelivered: past any Date. */
const PAST_ANY_DATE = 9_001_795_597_206_000;

describe('times past what a Date holds', () => {
  it('are still read back from a store an older version wrote them to', () => {
    expect(new Date(MAX_TIMESTAMP).toISOString()).toBe('+275760-09-13T00:00:00.000Z');
    expect(Timestamp.is(PAST_ANY_DATE)).toBe(true);
    expect(E.isRight(OrderEvent.decode({ type: 'OrderDelivered', data: { orderId: 'o1', afterSalesDeadline: PAST_ANY_DATE } }))).toBe(true);
  });

  it('refuse a delivery whose after-sales window ends past them, rather than store a deadline no one can show', () => {
    deciderSpecification(orderDecider({ afterSalesWindowMs: 9e15 }), { now: DELIVERED_AT })
      .given([orderPlaced, orderPaid, orderShipped])
      .when({ type: 'DeliverOrder', data: { orderId: 'o1' } })
      .thenRejects('ORDER_POLICY_INVALID');
  });

  it('refuse an order placed with a payment deadline past them, and show one stored before as its number', () => {
    const decider = orderDecider({ afterSalesWindowMs: 0 });
    const placed = (paymentDeadline: number) => ({ ...(orderPlaced as Extract<OrderEvent, { type: 'OrderPlaced' }>).data, paymentDeadline });
    deciderSpecification(decider).given([]).when({ type: 'PlaceOrder', data: placed(MAX_TIMESTAMP + 1) }).thenRejects('PAYMENT_DEADLINE_OUT_OF_RANGE');
    deciderSpecification(decider).given([]).when({ type: 'PlaceOrder', data: placed(MAX_TIMESTAMP) }).then([{ type: 'OrderPlaced', data: placed(MAX_TIMESTAMP) }]);

    const state = decider.evolve(decider.initialState, { type: 'OrderPlaced', data: placed(PAST_ANY_DATE) });
    const expired = decider.decide({ type: 'ExpireUnpaidOrder', data: { orderId: 'o1' } }, state, { now: DELIVERED_AT });
    expect(expired).toEqual(E.left(expect.objectContaining({ code: 'PAYMENT_DEADLINE_NOT_REACHED', message: `order o1 may be paid until ${PAST_ANY_DATE} (out of range)` })));
  });

  it('are summarised as their number when an altered event holds one', () => {
    expect(summariseEvent({ type: 'OrderDelivered', data: { orderId: 'o1', afterSalesDeadline: PAST_ANY_DATE } })).toBe(
      `delivered; after-sales open until ${PAST_ANY_DATE} (out of range)`,
    );
    expect(summariseEvent({ type: 'OrderDelivered', data: { orderId: 'o1', afterSalesDeadline: 0 } })).toBe('delivered; after-sales open until 1970-01-01T00:00:00.000Z');
  });
});
