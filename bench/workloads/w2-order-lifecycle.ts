import * as E from 'fp-ts/Either';
import type { CartEvent } from '../../src/domain/cart/events';
import type { OrderEvent } from '../../src/domain/order/events';
import type { PaymentEvent } from '../../src/domain/payment/events';
import { defaultOrderPolicy } from '../../src/domain/order/decider';
import { standardPricingPolicy } from '../../src/domain/pricing/pricing-policy';
import type { DomainError } from '../../src/domain/shared/domain-error';
import { aggregates, EngineCommand, HostCommand, isCartCommand, isPaymentCommand } from '../../src/engine/aggregates';
import type { EventStore } from '../../src/engine/event-store/event-store';
import { createEngine } from '../../src/engine/order-engine';
import { deadlineStreamId } from '../../src/engine/process-manager/deadline-events';
import { reactionsTo } from '../../src/engine/process-manager/reactions';
import { BenchFailure } from '../failure';
import type { Measurement, Progress } from '../jobs';
import { LatencyRecorder } from '../measure/latency';
import { collectGarbage } from '../measure/process-memory';
import { type Elapsed, startStopwatch } from '../measure/stopwatch';
import { PlainStreams } from '../plain/plain-streams';
import { addItem, BENCH_CURRENCY, checkOut, itemQuantity, itemSku, itemUnitPrice, openCart, selectItems } from './shop-commands';
import { countStoredEvents } from './stored-event-count';
import { forEachConcurrently } from './writers';

/** A command as a host sends it, with its id. */
export interface PlannedCommand {
  readonly commandId: string;
  readonly command: HostCommand;
}

/**
 * The lifecycle in three phases of step-major steps. Between phases the driver waits for the process
 * manager, which places the order and initiates its payment after the checkout, and marks the order paid
 * after the captured callback: a host cannot send the callback of a payment that does not exist yet.
 */
export interface W2Plan {
  readonly phases: readonly (readonly (readonly PlannedCommand[])[])[];
  readonly hostCommands: number;
  /** Of the host commands, those sent to the hot orders (all of them in the hot variant). */
  readonly hotCommands: number;
  readonly events: number;
  readonly processManagerCommands: number;
}

const ITEMS = [0, 1, 2] as const;
/** The host's commands per order: open, 3 × add, select, check out, callback, ship, 2 × tracking, deliver, complete, review. */
const HOST_COMMANDS_PER_ORDER = 13;
/** PlaceOrder and InitiatePayment after the checkout, MarkOrderPaid after the capture. */
const PROCESS_MANAGER_COMMANDS_PER_ORDER = 3;
/** Cart 6, order 8, payment 2, provider transaction 1, payment-expiry deadline 2 (scheduled, cancelled). */
const EVENTS_PER_ORDER = 19;
/** The engine's default payment window, which the plain journey's reactions need too. */
const PAYMENT_WINDOW_MS = 30 * 60 * 1000;
/** Hot variant: this share of the host's commands goes to `HOT_ORDER_SHARE` of the orders. */
const HOT_COMMAND_SHARE = 0.2;
const HOT_ORDER_SHARE = 0.01;

const amountDue = (): number => {
  const priced = standardPricingPolicy()({
    currency: BENCH_CURRENCY,
    lines: ITEMS.map((item) => ({ sku: itemSku(item), name: `Item ${item}`, category: 'bench', unitPrice: itemUnitPrice(item), quantity: itemQuantity(item) })),
    coupon: null,
    pointsToRedeem: 0,
  });
  if (E.isLeft(priced)) throw new BenchFailure(`the W2 cart cannot be priced: ${priced.left.message}`);
  return priced.right.total;
};

/** A small seeded generator (mulberry32), so that every run sends the same hot commands. */
const seededRandom = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/**
 * W2 for `orders` orders. The hot variant adds order notes to every hundredth order until 20% of the host's
 * commands go to that 1% (their own lifecycle commands included), spread evenly over the steps after the
 * orders are placed (a note needs a placed order), each to a hot order picked at random.
 */
export const w2Plan = (orders: number, hot: boolean): W2Plan => {
  const due = amountDue();
  const order = (i: number) => ({ cartId: `w2-cart-${i}`, orderId: `w2-order-${i}` });
  const step = (name: string, command: (i: number) => HostCommand): PlannedCommand[] =>
    Array.from({ length: orders }, (_, i) => ({ commandId: `w2-${i}-${name}`, command: command(i) }));

  const beforePayment = [
    step('open', (i) => openCart(order(i).cartId, `customer-${i}`)),
    ...ITEMS.map((item) => step(`add-${item}`, (i) => addItem(order(i).cartId, item))),
    step('select', (i) => selectItems(order(i).cartId, ITEMS)),
    step('check-out', (i) => checkOut(order(i).cartId, order(i).orderId)),
  ];
  const payment = [
    step('callback', (i) => ({
      type: 'RecordProviderCallback',
      data: { paymentId: order(i).orderId, providerTransactionId: `txn-${i}`, amount: { amount: due, currency: BENCH_CURRENCY }, status: 'succeeded' },
    })),
  ];
  const afterPayment = [
    step('ship', (i) => ({ type: 'ShipOrder', data: { orderId: order(i).orderId, carrier: 'SF-Express', trackingNumber: `SF${i}` } })),
    step('tracking-1', (i) => ({
      type: 'RecordTrackingUpdate',
      data: { orderId: order(i).orderId, status: 'in-transit', description: 'Left the sorting centre', location: 'Hangzhou' },
    })),
    step('tracking-2', (i) => ({
      type: 'RecordTrackingUpdate',
      data: { orderId: order(i).orderId, status: 'out-for-delivery', description: 'With the courier', location: 'Shanghai' },
    })),
    step('deliver', (i) => ({ type: 'DeliverOrder', data: { orderId: order(i).orderId } })),
    step('complete', (i) => ({ type: 'CompleteOrder', data: { orderId: order(i).orderId, pointsEarned: 10 } })),
    step('review', (i) => ({ type: 'ReviewOrder', data: { orderId: order(i).orderId, rating: 5, comment: null } })),
  ];

  const lifecycle = orders * HOST_COMMANDS_PER_ORDER;
  const hotOrders = hot ? Math.ceil(orders * HOT_ORDER_SHARE) : 0;
  const notes = hot ? Math.ceil((HOT_COMMAND_SHARE * lifecycle - hotOrders * HOST_COMMANDS_PER_ORDER) / (1 - HOT_COMMAND_SHARE)) : 0;
  const placedSteps = [...payment, ...afterPayment];
  if (notes > 0) {
    const random = seededRandom(2026);
    let written = 0;
    placedSteps.forEach((lifecycleStep, index) => {
      const inStep = Math.floor(((index + 1) * notes) / placedSteps.length) - Math.floor((index * notes) / placedSteps.length);
      const mixed: PlannedCommand[] = [];
      let placed = 0;
      lifecycleStep.forEach((planned, k) => {
        mixed.push(planned);
        while (placed < Math.floor(((k + 1) * inStep) / lifecycleStep.length)) {
          const hotOrder = Math.floor(random() * hotOrders) * 100;
          mixed.push({
            commandId: `w2-note-${written}`,
            command: { type: 'AddOrderNote', data: { orderId: order(hotOrder).orderId, author: 'bench-support', text: `note ${written}` } },
          });
          placed += 1;
          written += 1;
        }
      });
      placedSteps[index] = mixed;
    });
  }
  return {
    phases: [beforePayment, placedSteps.slice(0, payment.length), placedSteps.slice(payment.length)],
    hostCommands: lifecycle + notes,
    hotCommands: notes + hotOrders * HOST_COMMANDS_PER_ORDER,
    events: orders * EVENTS_PER_ORDER + notes,
    processManagerCommands: orders * PROCESS_MANAGER_COMMANDS_PER_ORDER,
  };
};

const REPORT_EVERY = 4096;

/**
 * W2 through `engine.execute` with the process manager running, as a deployment would. The clock runs
 * from the first command to the moment the process manager has handled everything (`settle`), so the
 * commands it sends (place, initiate payment, mark paid) are inside the time and are counted as commands;
 * latency percentiles are of the host's commands only, as those are the ones a caller waits for.
 */
export const runW2OnEngine = async (store: EventStore, orders: number, writers: number, hot: boolean, progress: Progress): Promise<Measurement> => {
  let conflictRetries = 0;
  const failures: string[] = [];
  const engine = createEngine({
    eventStore: store,
    onConflictRetry: () => {
      conflictRetries += 1;
    },
    // A failure the process manager tries again is part of the run; one it gave up would lose a step.
    onProcessManagerFailure: (failure) => {
      if (failure.retryInMs === undefined) failures.push(`${failure.error.code}: ${failure.error.message}`);
    },
  });
  const plan = w2Plan(orders, hot);
  collectGarbage();

  const latency = new LatencyRecorder(plan.hostCommands);
  let done = 0;
  const stopwatch = startStopwatch();
  for (const phase of plan.phases) {
    for (const commands of phase) {
      await forEachConcurrently(commands.length, writers, async (k) => {
        const { commandId, command } = commands[k] as PlannedCommand;
        const sent = performance.now();
        const outcome = await engine.execute({ commandId, actor: 'bench-host', command });
        latency.record(performance.now() - sent);
        if (E.isLeft(outcome)) throw new BenchFailure(`${command.type} ${commandId} was not accepted: ${outcome.left.code}: ${outcome.left.message}`);
        done += 1;
        if (done % REPORT_EVERY === 0) progress(done, plan.hostCommands);
      });
    }
    await engine.settle();
  }
  const elapsed = stopwatch.stop();
  progress(plan.hostCommands, plan.hostCommands);

  if (failures.length > 0) throw new BenchFailure(`the process manager failed ${failures.length} time(s), first: ${failures[0] ?? ''}`);
  const [refused] = await engine.rejections({ limit: 1 });
  if (refused !== undefined) throw new BenchFailure(`the engine refused ${refused.commandId}: ${refused.error.code}: ${refused.error.message}`);
  const stored = await countStoredEvents(store);
  if (stored !== plan.events) throw new BenchFailure(`the store holds ${stored} events, W2 should have written ${plan.events}`);
  return {
    operations: plan.hostCommands + plan.processManagerCommands,
    ...elapsed,
    latency: latency.recorded(),
    conflictRetries,
    details: { hostCommands: plan.hostCommands, processManagerCommands: plan.processManagerCommands, hotCommands: plan.hotCommands, events: plan.events },
  };
};

type JourneyEvent = CartEvent | OrderEvent | PaymentEvent;

/** An event of the plain journey, in the stream the engine would append it to. */
export interface JourneyRow {
  readonly streamId: string;
  readonly type: string;
  readonly data: unknown;
}

/**
 * What one write of the journey appends, as a store would take it: a command's events (a captured callback
 * writes to its provider transaction and its payment), or a deadline being scheduled or cancelled.
 */
export type JourneyWrite = readonly JourneyRow[];

/**
 * The plain journey: the engine's four deciders on plain maps, and the process manager's rules
 * (`reactionsTo`) applied at once, depth first, instead of by a subscriber. Deadlines are an array push.
 * Given `writes`, a command also lists what it wrote there: its own events, then its reactions' writes.
 */
class PlainJourney {
  private readonly defs = aggregates(standardPricingPolicy(), defaultOrderPolicy);
  private readonly carts = new PlainStreams(this.defs.cart.decider);
  private readonly orders = new PlainStreams(this.defs.order.decider);
  private readonly payments = new PlainStreams(this.defs.payment.decider);
  private readonly providerTransactions = new PlainStreams(this.defs.providerTransaction.decider);
  readonly deadlineEvents: unknown[] = [];
  commands = 0;

  send(command: EngineCommand, now: number, writes?: JourneyWrite[]): E.Either<DomainError, void> {
    this.commands += 1;
    const written: JourneyRow[] | undefined = writes === undefined ? undefined : [];
    const decided = this.decide(command, now, written);
    if (E.isLeft(decided)) return decided;
    if (written !== undefined) writes?.push(written);
    for (const event of decided.right) {
      for (const reaction of reactionsTo(event, now, { paymentWindowMs: PAYMENT_WINDOW_MS })) {
        if (reaction.kind === 'command') {
          const followed = this.send(reaction.command, now, writes);
          if (E.isLeft(followed)) return followed;
        } else {
          this.deadlineEvents.push(reaction);
          writes?.push([
            { streamId: deadlineStreamId(reaction.deadlineId), type: reaction.kind === 'schedule' ? 'DeadlineScheduled' : 'DeadlineCancelled', data: reaction },
          ]);
        }
      }
    }
    return E.right(undefined);
  }

  /** Decides a command on its streams; lists its events in `written` when given (the plain run gives none). */
  private decide(command: EngineCommand, now: number, written: JourneyRow[] | undefined): E.Either<DomainError, readonly JourneyEvent[]> {
    if (isCartCommand(command)) {
      const decision = this.carts.execute(command.data.cartId, command, now);
      return written === undefined ? decision : recorded(written, this.defs.cart.streamIdOf(command), decision);
    }
    if (!isPaymentCommand(command)) {
      const decision = this.orders.execute(command.data.orderId, command, now);
      return written === undefined ? decision : recorded(written, this.defs.order.streamIdOf(command), decision);
    }
    const { paymentId } = command.data;
    if (command.type !== 'RecordProviderCallback') {
      const decision = this.payments.execute(paymentId, command, now);
      return written === undefined ? decision : recorded(written, this.defs.payment.streamIdOf(command), decision);
    }
    const { providerTransactionId } = command.data;
    let claimedBy = paymentId;
    if (command.data.status === 'succeeded') {
      const claim = { type: 'ClaimProviderTransaction', data: { providerTransactionId, paymentId } } as const;
      const claimed = this.providerTransactions.execute(providerTransactionId, claim, now);
      if (E.isLeft(claimed)) return claimed;
      if (written !== undefined) recorded(written, this.defs.providerTransaction.streamIdOf(claim), claimed);
      claimedBy = this.providerTransactions.stateOf(providerTransactionId).claimedBy ?? paymentId;
    }
    const decide = { type: 'DecideProviderCallback', data: { ...command.data, claimedBy } } as const;
    const decision = this.payments.execute(paymentId, decide, now);
    return written === undefined ? decision : recorded(written, this.defs.payment.streamIdOf(decide), decision);
  }
}

/** Lists a decision's events in `written`, in `streamId`, and hands the decision on. */
const recorded = <D extends E.Either<DomainError, readonly { readonly type: string; readonly data: unknown }[]>>(written: JourneyRow[], streamId: string, decision: D): D => {
  if (E.isRight(decision)) for (const { type, data } of decision.right) written.push({ streamId, type, data });
  return decision;
};

/**
 * W2 without the engine, for the raw baselines of stores: the plain journey's writes, decided beforehand with
 * the same deciders and process-manager rules and turned by `prepare` into what `store` takes (untimed, in
 * plan order); then, under the clock, stored step-major, `writers` host commands at a time, each followed
 * by the writes it leads to, in order, as the process manager would send them. Latency is that of the host
 * command's own write.
 */
export const runW2Writes = async <P>(
  orders: number,
  writers: number,
  hot: boolean,
  prepare: (write: JourneyWrite) => P,
  store: (prepared: P) => Promise<unknown>,
  progress: Progress,
): Promise<Measurement> => {
  const plan = w2Plan(orders, hot);
  const journey = new PlainJourney();
  const now = Date.now();
  const steps = plan.phases.flat().map((commands) =>
    commands.map(({ commandId, command }) => {
      // The host command's write, then those of the process manager's commands and deadlines it leads to.
      const writes: JourneyWrite[] = [];
      const outcome = journey.send(command, now, writes);
      if (E.isLeft(outcome)) throw new BenchFailure(`plain ${command.type} ${commandId} was refused: ${outcome.left.code}: ${outcome.left.message}`);
      return writes.map(prepare);
    }),
  );
  const latency = new LatencyRecorder(plan.hostCommands);
  let done = 0;
  collectGarbage();
  const stopwatch = startStopwatch();
  for (const step of steps) {
    await forEachConcurrently(step.length, writers, async (index) => {
      const [own, ...following] = step[index] as P[];
      const sent = performance.now();
      if (own !== undefined) await store(own);
      latency.record(performance.now() - sent);
      for (const prepared of following) await store(prepared);
      done += 1;
      if (done % REPORT_EVERY === 0) progress(done, plan.hostCommands);
    });
  }
  const elapsed = stopwatch.stop();
  progress(plan.hostCommands, plan.hostCommands);
  return {
    operations: plan.hostCommands + plan.processManagerCommands,
    ...elapsed,
    latency: latency.recorded(),
    conflictRetries: null,
    details: { hostCommands: plan.hostCommands, processManagerCommands: plan.processManagerCommands, events: plan.events },
  };
};

/** The plain limit for W2 (and its hot variant, where no race can happen): every command in plan order. */
export const runW2Plain = (orders: number, hot: boolean, progress: Progress): Measurement => {
  const plan = w2Plan(orders, hot);
  const pass = (timeEach: LatencyRecorder | undefined): { elapsed: Elapsed; journey: PlainJourney } => {
    const journey = new PlainJourney();
    collectGarbage();
    const stopwatch = startStopwatch();
    for (const phase of plan.phases) {
      for (const commands of phase) {
        for (const { commandId, command } of commands) {
          const sent = timeEach === undefined ? 0 : performance.now();
          const outcome = journey.send(command, Date.now());
          if (timeEach !== undefined) timeEach.record(performance.now() - sent);
          if (E.isLeft(outcome)) throw new BenchFailure(`plain ${command.type} ${commandId} was refused: ${outcome.left.code}: ${outcome.left.message}`);
        }
      }
    }
    return { elapsed: stopwatch.stop(), journey };
  };
  const untimed = pass(undefined);
  progress(1, 2);
  const latency = new LatencyRecorder(plan.hostCommands);
  pass(latency);
  progress(2, 2);
  const expected = plan.hostCommands + plan.processManagerCommands;
  if (untimed.journey.commands !== expected) throw new BenchFailure(`the plain journey ran ${untimed.journey.commands} commands, W2 has ${expected}`);
  return {
    operations: expected,
    ...untimed.elapsed,
    latency: latency.recorded(),
    conflictRetries: null,
    details: { hostCommands: plan.hostCommands, processManagerCommands: plan.processManagerCommands, hotCommands: plan.hotCommands },
  };
};
