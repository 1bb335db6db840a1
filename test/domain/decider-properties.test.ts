import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { cartDecider, CartState } from '../../src/domain/cart/decider';
import type { CartEvent } from '../../src/domain/cart/events';
import { orderDecider, OrderState, OrderStatus } from '../../src/domain/order/decider';
import type { OrderDecision } from '../../src/domain/order/commands';
import type { OrderEvent } from '../../src/domain/order/events';
import type { PaymentDecision } from '../../src/domain/payment/commands';
import { paymentDecider, PaymentState } from '../../src/domain/payment/decider';
import type { PaymentEvent } from '../../src/domain/payment/events';
import { pricingInconsistency, standardPricingPolicy } from '../../src/domain/pricing/pricing-policy';
import type { Decider } from '../../src/domain/shared/decider';
import { replay } from '../../src/domain/shared/decider';
import { cartCommandArbitrary, catalogueArbitrary, orderCommandArbitrary, paymentCommandArbitrary } from '../../src/testing';
import { orderPlaced, PLACED_AT, pricing } from '../support/fixtures';

const RUNS = 300;

/** Runs commands one by one (each at its own time), keeping what was accepted, and checks `invariant` after each. */
const drive = <C, Ev, S>(
  decider: Decider<C, Ev, S>,
  history: readonly Ev[],
  steps: readonly { command: C; elapsedMs: number }[],
  invariant: (before: S, after: S, events: readonly Ev[]) => void,
): Ev[] => {
  const events = [...history];
  let state = replay(decider, events);
  let now = PLACED_AT;
  for (const { command, elapsedMs } of steps) {
    now += elapsedMs;
    const decision = decider.decide(command, state, { now });
    if (E.isLeft(decision)) continue;
    let next = state;
    for (const event of decision.right) next = decider.evolve(next, event);
    invariant(state, next, decision.right);
    events.push(...decision.right);
    state = next;
  }
  return events;
};

const elapsed = fc.integer({ min: 0, max: 3 * 24 * 3600 * 1000 });

describe(`decider properties (${RUNS} runs each)`, () => {
  describe('cart', () => {
    const scenario = catalogueArbitrary().chain((catalogue) =>
      fc.array(fc.record({ command: cartCommandArbitrary('c1', 'CNY', catalogue), elapsedMs: fc.constant(0) }), { maxLength: 40 }),
    );
    const decider = cartDecider(standardPricingPolicy());
    const open: CartEvent[] = [{ type: 'CartOpened', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } }];

    it('keeps every line priced at zero or more, with a quantity of at least one; every checkout adds up', () =>
      fc.assert(
        fc.property(scenario, (steps) => {
          drive<unknown, CartEvent, CartState>(decider as Decider<unknown, CartEvent, CartState>, open, steps, (_, after, events) => {
            if (after.status !== 'open') throw new Error('the cart closed');
            for (const line of after.lines) expect(line.unitPrice >= 0 && line.quantity >= 1).toBe(true);
            for (const event of events) if (event.type === 'CartCheckedOut') expect(pricingInconsistency(event.data.pricing)).toBeNull();
          });
        }),
        { numRuns: RUNS },
      ));

    it('folding the emitted events again gives the same state (evolve is deterministic)', () =>
      fc.assert(
        fc.property(scenario, (steps) => {
          let live = replay(decider, open);
          const events = drive(decider as Decider<unknown, CartEvent, CartState>, open, steps, (_, after) => {
            live = after;
          });
          expect(replay(decider, events)).toEqual(live);
        }),
        { numRuns: RUNS },
      ));
  });

  describe('order', () => {
    const decider = orderDecider();
    const ALLOWED: Record<OrderStatus, readonly OrderStatus[]> = {
      'awaiting-payment': ['paid', 'cancelled', 'expired'],
      paid: ['shipped', 'cancelled'],
      shipped: ['delivered'],
      delivered: ['completed'],
      completed: [],
      cancelled: [],
      expired: [],
    };
    // Paid in full half of the time, so that the paths after payment are explored too.
    const pay = fc.boolean().map((paid): OrderEvent[] =>
      paid ? [{ type: 'OrderPaid', data: { orderId: 'o1', paymentId: 'o1', amount: { amount: pricing.total, currency: 'CNY' } } }] : [],
    );
    const steps = fc.array(fc.record({ command: orderCommandArbitrary('o1', 'CNY', ['tea', 'cup'], [pricing.total, 5000, 10000, 3000]), elapsedMs: elapsed }), { minLength: 10, maxLength: 80 });

    const reached = new Set<string>();
    afterAll(() => {
      // The generators must reach the far end of the lifecycle, or the property says little about it.
      expect([...reached]).toEqual(expect.arrayContaining(['completed', 'cancelled', 'expired', 'refunded']));
    });

    const lifecycle = fc.property(pay, steps, (paid, commands) => {
      drive(decider, [orderPlaced, ...paid], commands, (before, after) => {
        if (before.status === 'none' || after.status === 'none') throw new Error('the order vanished');
        if (before.status !== after.status) expect(ALLOWED[before.status]).toContain(after.status);
        reached.add(after.status);
        if (after.amountRefunded > 0) reached.add('refunded');
        expect(after.amountPaid === 0 || after.amountPaid === after.total).toBe(true);
        expect(after.amountRefunded).toBeGreaterThanOrEqual(0);
        expect(after.amountRefunded + Object.values(after.refundsDue).reduce((s, x) => s + x, 0)).toBeLessThanOrEqual(after.amountPaid);
        for (const line of after.lines) {
          const claimed = after.afterSales.filter((c) => c.status !== 'rejected').flatMap((c) => c.lines.filter((l) => l.sku === line.sku));
          expect(claimed.reduce((s, l) => s + l.amount, 0)).toBeLessThanOrEqual(line.paidAmount);
          expect(claimed.reduce((s, l) => s + l.quantity, 0)).toBeLessThanOrEqual(line.quantity);
        }
      });
    });

    // A fresh seed every run, and a fixed one as well: the fixed run makes the reach check above hold every time.
    it('moves only along the lifecycle; refunds never exceed what was paid; no amount is negative', () => {
      fc.assert(lifecycle, { numRuns: RUNS });
      fc.assert(lifecycle, { numRuns: RUNS, seed: 20261125 });
    });

    // The process manager records each refund the payment makes: the order's own, and others a host sent
    // straight to the payment (or to a payment that never paid the order).
    const paymentRefunds = fc
      .record({ refundId: fc.constantFrom('r1', 'r2', 'cancellation', 'goodwill-1', 'goodwill-2'), paymentId: fc.constantFrom('o1', 'o1', 'p-other'), amount: fc.constantFrom(100, 500, 3000, 10000, pricing.total) })
      .map(({ refundId, paymentId, amount }): OrderDecision => ({ type: 'RecordPaymentRefund', data: { orderId: 'o1', paymentId, refundId, amount: { amount, currency: 'CNY' } } }));
    const withPaymentRefunds = fc.array(
      fc.record({ command: fc.oneof(orderCommandArbitrary('o1', 'CNY', ['tea', 'cup'], [pricing.total, 5000, 10000, 3000]), paymentRefunds), elapsedMs: elapsed }),
      { minLength: 10, maxLength: 80 },
    );
    const dueTotal = (state: OrderState) => (state.status === 'none' ? 0 : Object.values(state.refundsDue).reduce((s, x) => s + x, 0));

    it("counting a host's refunds too, it never refunds more than it was paid, and owes no more than the payment holds as it decides", () =>
      fc.assert(
        fc.property(pay, withPaymentRefunds, (paid, commands) => {
          drive(decider, [orderPlaced, ...paid], commands, (before, after, events) => {
            if (before.status === 'none' || after.status === 'none') throw new Error('the order vanished');
            expect(after.amountRefunded).toBeLessThanOrEqual(after.amountPaid);
            expect(dueTotal(after)).toBeLessThanOrEqual(after.amountPaid);
            if (dueTotal(after) > dueTotal(before)) expect(dueTotal(after)).toBeLessThanOrEqual(after.amountPaid - after.amountRefunded);
            expect(new Set(after.refundIds).size).toBe(after.refundIds.length);
            for (const event of events) if (event.type === 'OrderRefunded') expect(before.refundIds).not.toContain(event.data.refundId);
          });
        }),
        { numRuns: RUNS },
      ));

    it('folding the emitted events again gives the same state', () =>
      fc.assert(
        fc.property(pay, withPaymentRefunds, (paid, commands) => {
          let live: OrderState = replay(decider, [orderPlaced, ...paid]);
          const events = drive(decider, [orderPlaced, ...paid], commands, (_, after) => {
            live = after;
          });
          expect(replay(decider, events)).toEqual(live);
        }),
        { numRuns: RUNS },
      ));
  });

  describe('payment', () => {
    const decider = paymentDecider;
    // The engine turns a host's callback into a decision knowing who claimed the transaction id first.
    const asDecision = fc
      .tuple(paymentCommandArbitrary('p1', 'o1', 'CNY'), fc.constantFrom('p1', 'p1', 'p0'))
      .map(([command, claimedBy]): PaymentDecision => (command.type === 'RecordProviderCallback' ? { type: 'DecideProviderCallback', data: { ...command.data, claimedBy } } : command));
    const steps = fc.array(fc.record({ command: asDecision, elapsedMs: fc.constant(0) }), { maxLength: 40 });
    const initiated: PaymentEvent[] = [{ type: 'PaymentInitiated', data: { paymentId: 'p1', orderId: 'o1', amount: { amount: 12000, currency: 'CNY' }, method: 'card' } }];

    it('captures exactly the amount due, refunds never above captured, nothing negative', () =>
      fc.assert(
        fc.property(steps, (commands) => {
          drive(decider, initiated, commands, (_, after, events) => {
            if (after.status === 'none') throw new Error('the payment vanished');
            if (after.status === 'captured') expect(after.amountCaptured).toBe(after.amountDue);
            expect(after.amountRefunded).toBeGreaterThanOrEqual(0);
            expect(after.amountRefunded).toBeLessThanOrEqual(after.amountCaptured);
            for (const event of events) if (event.type === 'PaymentCaptured') expect(event.data.amount).toEqual({ amount: 12000, currency: 'CNY' });
          });
        }),
        { numRuns: RUNS },
      ));

    it('folding the emitted events again gives the same state', () =>
      fc.assert(
        fc.property(steps, (commands) => {
          let live: PaymentState = replay(decider, initiated);
          const events = drive(decider, initiated, commands, (_, after) => {
            live = after;
          });
          expect(replay(decider, events)).toEqual(live);
        }),
        { numRuns: RUNS },
      ));
  });
});
