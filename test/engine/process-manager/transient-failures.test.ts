import * as E from 'fp-ts/Either';
import { concat, merge, of, Subject, throwError } from 'rxjs';
import { concatMap } from 'rxjs/operators';
import { MemoryEventStore } from '../../../src/adapters/event-store/memory/memory-event-store';
import { cartStreamId, orderStreamId, paymentStreamId } from '../../../src/engine/aggregates';
import type { EventStore } from '../../../src/engine/event-store/event-store';
import { createEngine, EngineOptions, OrderEngine } from '../../../src/engine/order-engine';
import { deadlineStreamId } from '../../../src/engine/process-manager/deadline-events';
import { PROCESS_MANAGER_ACTOR, ProcessManagerFailure } from '../../../src/engine/process-manager/process-manager';
import { paymentExpiryDeadlineId } from '../../../src/engine/process-manager/reactions';
import { delayAfter, retryPolicyOf } from '../../../src/engine/retry-policy';
import { eventSchemaDefinitions } from '../../../src/engine/schema/current-event-schemas';
import { eventSchemas } from '../../../src/engine/schema/event-schemas';
import { delegatingTo } from '../../support/delegating-event-store';
import { checkOut, failuresSeen } from '../../support/checkout-journey';

/**
 * A store that answers "unavailable" to the process manager's appends on one stream while `down` is set, as a
 * server does when it cannot be reached, counting the appends it turned away.
 */
const outageOn = (memory: MemoryEventStore, streamId: string) => {
  const outage = { down: true, refused: 0 };
  const store: EventStore = delegatingTo(memory, {
    append: async (stream, events, expected) => {
      if (outage.down && stream === streamId && events.some((event) => event.actor === PROCESS_MANAGER_ACTOR)) {
        outage.refused += 1;
        return E.left({ code: 'STORE_UNAVAILABLE' as const, message: 'connection refused' });
      }
      return memory.append(stream, events, expected);
    },
  });
  return { store, outage };
};

/** Every engine a test made: closed after it, so that a failed test leaves no process manager retrying. */
const engines: OrderEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

const engineOver = (store: EventStore, options: EngineOptions = {}) => {
  const failures: ProcessManagerFailure[] = [];
  const engine = createEngine({ eventStore: store, processManagerRetry: { firstDelayMs: 1, maxDelayMs: 4 }, onProcessManagerFailure: (f) => failures.push(f), ...options });
  engines.push(engine);
  return { engine, failures };
};

describe('the process manager when the store cannot take a reaction', () => {
  it('tries the command again until the store is back, and the journey goes on', async () => {
    const memory = new MemoryEventStore();
    const { store, outage } = outageOn(memory, paymentStreamId('o0'));
    const { engine, failures } = engineOver(store);
    await checkOut(engine);
    await failuresSeen(failures, 3);

    const [placed] = await memory.readStream(orderStreamId('o0'));
    expect(engine.processManagerPosition).toBeLessThan(placed!.position);
    expect(failures.slice(0, 3)).toEqual([1, 2, 4].map((retryInMs) => ({ position: placed!.position, eventId: placed!.eventId, error: expect.objectContaining({ code: 'STORE_UNAVAILABLE' }), retryInMs })));

    outage.down = false;
    await engine.settle();
    const payment = await engine.paymentState('o0');
    expect(E.isRight(payment) && payment.right.state.status).toBe('pending');
    expect(engine.processManagerPosition).toBe(await memory.headPosition());
    // The command that got through was the reaction's own: one payment initiated, under its id (the second
    // reaction to the placement, after scheduling the payment deadline).
    expect((await memory.readStream(paymentStreamId('o0'))).map((event) => [event.type, event.commandId])).toEqual([['PaymentInitiated', `pm-${placed!.eventId}-2`]]);
    expect(failures.length).toBe(outage.refused);
  });

  it('tries a deadline it could not schedule again, so an unpaid order still expires', async () => {
    const memory = new MemoryEventStore();
    const expiry = deadlineStreamId(paymentExpiryDeadlineId('o0'));
    const { store, outage } = outageOn(memory, expiry);
    const { engine, failures } = engineOver(store);
    await checkOut(engine);
    await failuresSeen(failures, 2);
    outage.down = false;
    await engine.settle();

    expect((await memory.readStream(expiry)).map((event) => event.type)).toEqual(['DeadlineScheduled']);
    const [fired] = await engine.runDueDeadlines(Number.MAX_SAFE_INTEGER);
    expect(fired?.deadlineId).toBe(paymentExpiryDeadlineId('o0'));
    const order = await engine.orderState('o0');
    expect(E.isRight(order) && order.right.state.status).toBe('expired');
  });

  it('tries again a command whose stream kept changing under it beyond the engine’s own attempts', async () => {
    const memory = new MemoryEventStore();
    let conflicts = 4;
    const store = delegatingTo(memory, {
      append: async (stream, events, expected) => {
        if (stream === paymentStreamId('o0') && conflicts > 0) {
          conflicts -= 1;
          return E.left({ code: 'WRONG_EXPECTED_REVISION' as const, streamId: stream, expected, actual: 0, message: 'the stream moved' });
        }
        return memory.append(stream, events, expected);
      },
    });
    const { engine, failures } = engineOver(store, { maxAttempts: 1 });
    await checkOut(engine);
    await engine.settle();

    // The engine does not count the race a new stream loses as an attempt, so fewer failures than conflicts.
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.map((failure) => [failure.error.code, failure.retryInMs])).toEqual(
      [1, 2, 4, 4].slice(0, failures.length).map((retryInMs) => ['CONCURRENCY_CONFLICT', retryInMs]),
    );
    expect(conflicts).toBe(0);
    const payment = await engine.paymentState('o0');
    expect(E.isRight(payment) && payment.right.state.status).toBe('pending');
  });

  it('gives up a command whose stream holds an event it cannot read: reported once, and the position goes on', async () => {
    const memory = new MemoryEventStore();
    // A payment stream that already holds an event no codec reads, as a tampering hand might leave it.
    const proposed = { eventId: 'bad-1', type: 'PaymentInitiated', schemaVersion: 1, data: { nonsense: true }, occurredAt: 0, recordedAt: 0, commandId: 'bad-1', correlationId: 'bad', causationId: 'bad', actor: 'tester' };
    expect(E.isRight(await memory.append(paymentStreamId('o0'), [proposed], 'no-stream'))).toBe(true);
    const { engine, failures } = engineOver(memory);
    await checkOut(engine);
    await engine.settle();

    const [placed] = await memory.readStream(orderStreamId('o0'));
    // Not the bad event itself, a kind nothing follows from, which the process manager does not read; the
    // placement, whose payment cannot be initiated on a stream that cannot be read.
    expect(failures).toEqual([{ position: placed!.position, eventId: placed!.eventId, error: expect.objectContaining({ code: 'UNREADABLE_EVENT' }) }]);
    expect(engine.processManagerPosition).toBe(await memory.headPosition());
  });

  describe('an event it cannot read', () => {
    // CartCheckedOut raised to a version 2 whose upcaster fails while `broken` (a host's lookup table not loaded).
    const flakyUpcaster = () => {
      const upcaster = { broken: true };
      const schemas = eventSchemas({
        ...eventSchemaDefinitions,
        CartCheckedOut: {
          version: 2,
          upcasters: {
            1: (data) => {
              if (upcaster.broken) throw new Error('lookup table not loaded');
              return data;
            },
          },
        },
      });
      return { upcaster, schemas };
    };
    const checkedOutBefore = async (memory: MemoryEventStore) => {
      await checkOut(engineOver(memory, { runProcessManager: false }).engine);
      const checkedOut = (await memory.readStream(cartStreamId('c0'))).find((event) => event.type === 'CartCheckedOut');
      if (checkedOut === undefined) throw new Error('not checked out');
      return checkedOut;
    };

    it('is read again, its position held, until it can be, and the journey goes on', async () => {
      const memory = new MemoryEventStore();
      const checkedOut = await checkedOutBefore(memory);
      const { upcaster, schemas } = flakyUpcaster();
      const { engine, failures } = engineOver(memory, { eventSchemas: schemas });
      await failuresSeen(failures, 3);
      expect(failures[0]).toEqual({ position: checkedOut.position, eventId: checkedOut.eventId, error: expect.objectContaining({ code: 'UNREADABLE_EVENT' }), retryInMs: 1 });
      expect(engine.processManagerPosition).toBeLessThan(checkedOut.position);
      expect(await memory.readStream(orderStreamId('o0'))).toEqual([]);
      upcaster.broken = false;
      await engine.settle();
      const order = await engine.orderState('o0');
      expect(E.isRight(order) && order.right.state.status).toBe('awaiting-payment');
    });

    it('is reacted to by a restart from the position held, once the host has fixed what could not read it', async () => {
      const memory = new MemoryEventStore();
      const checkedOut = await checkedOutBefore(memory);
      const first = engineOver(memory, { eventSchemas: flakyUpcaster().schemas });
      await failuresSeen(first.failures, 1);
      const position = first.engine.processManagerPosition;
      expect(position).toBeLessThan(checkedOut.position);
      await first.engine.close();
      const second = engineOver(memory, { processManagerStartAfter: position });
      await second.engine.settle();
      const order = await second.engine.orderState('o0');
      expect(E.isRight(order) && order.right.state.status).toBe('awaiting-payment');
    });
  });

  it('gives up when the engine closes, and a restart from its position carries the journey on', async () => {
    const memory = new MemoryEventStore();
    const { store, outage } = outageOn(memory, paymentStreamId('o0'));
    const first = engineOver(store, { processManagerRetry: { firstDelayMs: 5, maxDelayMs: 5 } });
    await checkOut(first.engine);
    await failuresSeen(first.failures, 1);
    const position = first.engine.processManagerPosition;
    await first.engine.close();
    const failedBeforeClose = first.failures.length;

    outage.down = false;
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Closed, it tried no more, though its next attempt was due and would have got through.
    expect(await memory.readStream(paymentStreamId('o0'))).toEqual([]);
    expect(first.failures).toHaveLength(failedBeforeClose);
    expect(first.engine.processManagerPosition).toBe(position);

    const second = engineOver(store, { processManagerStartAfter: position });
    await second.engine.settle();
    const payment = await second.engine.paymentState('o0');
    expect(E.isRight(payment) && payment.right.state.status).toBe('pending');
    expect(second.failures).toEqual([]);
  });

  it('holds back later events of the same order while one of its reactions waits', async () => {
    const memory = new MemoryEventStore();
    const { store, outage } = outageOn(memory, paymentStreamId('o0'));
    const { engine, failures } = engineOver(store);
    await checkOut(engine);
    await failuresSeen(failures, 1);
    const cancelled = await engine.execute({ commandId: 'cancel', actor: 'shopper', command: { type: 'CancelOrder', data: { orderId: 'o0', reason: 'changed my mind' } } });
    expect(E.isRight(cancelled)).toBe(true);
    await failuresSeen(failures, 3);
    // The placement scheduled the expiry before it met the outage; the cancellation, which cancels it,
    // waits for the placement's reactions to be over.
    expect((await memory.readStream(deadlineStreamId(paymentExpiryDeadlineId('o0')))).map((event) => event.type)).toEqual(['DeadlineScheduled']);

    outage.down = false;
    await engine.settle();
    expect((await memory.readStream(deadlineStreamId(paymentExpiryDeadlineId('o0')))).map((event) => event.type)).toEqual(['DeadlineScheduled', 'DeadlineCancelled']);
    expect(await engine.runDueDeadlines(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });
});

describe('the process manager when its subscription to the store fails', () => {
  it('loses no event that waited for a reaction slot as the subscription failed', async () => {
    const memory = new MemoryEventStore();
    const outage = { down: true };
    let lost = new Subject<never>();
    // The process manager's commands cannot be stored while `down`; `lost` ends the subscriptions made so far.
    const store = delegatingTo(memory, {
      append: (streamId, events, expected) =>
        outage.down && events.some((event) => event.actor === PROCESS_MANAGER_ACTOR)
          ? Promise.resolve(E.left({ code: 'STORE_UNAVAILABLE' as const, message: 'connection refused' }))
          : memory.append(streamId, events, expected),
      subscribe: (options) => merge(memory.subscribe(options), lost),
    });
    const { engine, failures } = engineOver(store, { processManagerConcurrency: 1 });
    // Shopper 0's placement holds the one slot, trying again; shopper 1's checkout waits for the slot.
    await checkOut(engine, 0);
    await failuresSeen(failures, 1);
    await checkOut(engine, 1);
    const failed = lost;
    lost = new Subject<never>();
    failed.error(new Error('connection lost'));
    await failuresSeen(failures, failures.length + 1);
    // Delivered by the next subscription, shopper 2's checkout waits for the slot too.
    await checkOut(engine, 2);
    outage.down = false;
    await engine.settle();
    for (const orderId of ['o0', 'o1', 'o2']) {
      const order = await engine.orderState(orderId);
      expect([orderId, E.isRight(order) && order.right.state.status]).toEqual([orderId, 'awaiting-payment']);
    }
  });

  it('subscribes again after the last event it took in, and the journey goes on', async () => {
    const memory = new MemoryEventStore();
    const subscribedAfter: (number | undefined)[] = [];
    // The first subscription is lost right after it delivers the placed order, as when a server restarts.
    const store = delegatingTo(memory, {
      subscribe: (options) => {
        subscribedAfter.push(options?.after);
        const messages = memory.subscribe(options);
        if (subscribedAfter.length > 1) return messages;
        return messages.pipe(
          concatMap((message) =>
            message.kind === 'event' && message.event.type === 'OrderPlaced' ? concat(of(message), throwError(() => new Error('connection lost'))) : of(message),
          ),
        );
      },
    });
    const { engine, failures } = engineOver(store);
    await checkOut(engine);
    await engine.settle();

    const [placed] = await memory.readStream(orderStreamId('o0'));
    // Events the failed subscription had delivered but the process manager had not yet taken in come again.
    const [checkedOut] = (await memory.readStream(cartStreamId('c0'))).filter((event) => event.type === 'CartCheckedOut');
    expect(subscribedAfter).toHaveLength(2);
    expect([checkedOut!.position, placed!.position]).toContain(subscribedAfter[1]);
    expect(failures).toEqual([{ position: expect.any(Number), eventId: '', error: { code: 'STORE_UNAVAILABLE', message: expect.stringContaining('connection lost') }, retryInMs: 1 }]);
    expect((await memory.readStream(paymentStreamId('o0'))).map((event) => event.type)).toEqual(['PaymentInitiated']);
    expect((await memory.readStream(deadlineStreamId(paymentExpiryDeadlineId('o0')))).map((event) => event.type)).toEqual(['DeadlineScheduled']);
    expect(engine.processManagerPosition).toBe(await memory.headPosition());
  });

  it('keeps trying, with growing waits, while the store refuses to subscribe, and stops when the engine closes', async () => {
    const memory = new MemoryEventStore();
    let subscriptions = 0;
    const store = delegatingTo(memory, {
      subscribe: () => {
        subscriptions += 1;
        return throwError(() => new Error('connection refused'));
      },
    });
    const { engine, failures } = engineOver(store);
    await failuresSeen(failures, 4);
    await engine.close();
    const tried = subscriptions;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(subscriptions).toBe(tried);
    expect(failures.slice(0, 4).map((failure) => [failure.error.code, failure.retryInMs])).toEqual([
      ['STORE_UNAVAILABLE', 1],
      ['STORE_UNAVAILABLE', 2],
      ['STORE_UNAVAILABLE', 4],
      ['STORE_UNAVAILABLE', 4],
    ]);
  });
});

describe('the retry policy', () => {
  it('doubles the wait from the first delay up to the cap', () => {
    const policy = retryPolicyOf({ firstDelayMs: 50, maxDelayMs: 300 });
    expect([1, 2, 3, 4, 5, 100].map((failures) => delayAfter(policy, failures))).toEqual([50, 100, 200, 300, 300, 300]);
  });

  it('takes defaults for options that are missing or not finite, and never caps below the first delay', () => {
    expect(retryPolicyOf()).toEqual({ firstDelayMs: 50, maxDelayMs: 5_000 });
    expect(retryPolicyOf({ firstDelayMs: Number.NaN, maxDelayMs: Infinity })).toEqual({ firstDelayMs: 50, maxDelayMs: 5_000 });
    expect(retryPolicyOf({ firstDelayMs: 10_000, maxDelayMs: 0.5 })).toEqual({ firstDelayMs: 10_000, maxDelayMs: 10_000 });
  });
});
