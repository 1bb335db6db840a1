import * as E from 'fp-ts/Either';
import { MemoryEventStore } from '../../../src/adapters/event-store/memory/memory-event-store';
import { cartStreamId } from '../../../src/engine/aggregates';
import type { EventStore } from '../../../src/engine/event-store/event-store';
import { createEngine, EngineOptions, OrderEngine } from '../../../src/engine/order-engine';
import { deadlineStreamId } from '../../../src/engine/process-manager/deadline-events';
import { PROCESS_MANAGER_ACTOR, ProcessManagerFailure } from '../../../src/engine/process-manager/process-manager';
import { paymentExpiryDeadlineId } from '../../../src/engine/process-manager/reactions';
import { delegatingTo } from '../../support/delegating-event-store';
import { accepted, checkOut } from '../../support/checkout-journey';
import { cny } from '../../support/fixtures';


/** A promise and the function that resolves it: a test holds a store call back until it says so. */
const signal = () => {
  let fire: () => void = () => undefined;
  const fired = new Promise<void>((resolve) => (fire = resolve));
  return { fired, fire };
};

/**
 * A store whose appends each take a trip through the timers, as a server's do, counting how many of the
 * process manager's are out at once.
 */
const slowStore = () => {
  const memory = new MemoryEventStore();
  let out = 0;
  let mostAtOnce = 0;
  const store: EventStore = delegatingTo(memory, {
    append: async (streamId, events, expected) => {
      const byProcessManager = events.some((event) => event.actor === PROCESS_MANAGER_ACTOR);
      if (byProcessManager) mostAtOnce = Math.max(mostAtOnce, (out += 1));
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (byProcessManager) out -= 1;
      return memory.append(streamId, events, expected);
    },
  });
  return { memory, store, mostAtOnce: () => mostAtOnce };
};

/** Checks out and pays `orders` orders, the host sending every order's commands at once, then settles. */
const shopAtOnce = async (options: EngineOptions, orders: number): Promise<OrderEngine> => {
  const engine = createEngine(options);
  const ids = Array.from({ length: orders }, (_, n) => n);
  const pay = async (n: number): Promise<void> => {
    const order = await engine.orderState(`o${n}`);
    if (E.isLeft(order) || order.right.state.status === 'none') throw new Error(`order o${n} was not placed`);
    const amount = cny(order.right.state.total);
    await accepted(engine, `pay-${n}`, { type: 'RecordProviderCallback', data: { paymentId: `o${n}`, providerTransactionId: `tx-${n}`, amount, status: 'succeeded' } });
  };
  await Promise.all(ids.map((n) => checkOut(engine, n)));
  await engine.settle();
  await Promise.all(ids.map(pay));
  await engine.settle();
  return engine;
};

describe('the process manager reacting to many events at once', () => {
  it('reacts to several orders at a time over a slow store, and every journey runs its course', async () => {
    const { memory, store, mostAtOnce } = slowStore();
    const engine = await shopAtOnce({ eventStore: store }, 20);

    expect(mostAtOnce()).toBeGreaterThan(1);
    for (let n = 0; n < 20; n += 1) {
      const order = await engine.orderState(`o${n}`);
      expect(E.isRight(order) && order.right.state.status).toBe('paid');
      expect((await memory.readStream(deadlineStreamId(paymentExpiryDeadlineId(`o${n}`)))).map((event) => event.type)).toEqual(['DeadlineScheduled', 'DeadlineCancelled']);
    }
    expect(await engine.runDueDeadlines(Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect(engine.processManagerPosition).toBe(await memory.headPosition());
  });

  it('reacts to an event only after the earlier events of the same streams, even when they are slow', async () => {
    const memory = new MemoryEventStore();
    const expiry = deadlineStreamId(paymentExpiryDeadlineId('o0'));
    const deadlineCalls: string[] = [];
    const scheduleReleased = signal();
    const scheduleHeld = signal();
    // Scheduling the expiry of the placed order is held back until the host has cancelled the order.
    const gated = delegatingTo(memory, {
      append: async (streamId, events, expected) => {
        if (streamId === expiry) {
          deadlineCalls.push(...events.map((event) => event.type));
          if (events.some((event) => event.type === 'DeadlineScheduled')) {
            scheduleHeld.fire();
            await scheduleReleased.fired;
          }
        }
        return memory.append(streamId, events, expected);
      },
    });
    const engine = createEngine({ eventStore: gated });
    await checkOut(engine);
    await scheduleHeld.fired;
    await accepted(engine, 'cancel', { type: 'CancelOrder', data: { orderId: 'o0', reason: 'changed my mind' } });
    // Time enough for the cancellation to reach the process manager, which must not act on it yet.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(deadlineCalls).toEqual(['DeadlineScheduled']);

    scheduleReleased.fire();
    await engine.settle();
    // Cancelled before it was scheduled, the expiry would stay pending and fire on a cancelled order.
    expect((await memory.readStream(expiry)).map((event) => event.type)).toEqual(['DeadlineScheduled', 'DeadlineCancelled']);
    expect(await engine.runDueDeadlines(Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('takes a reaction that throws for one the store could not take: reported, tried again, and nothing is skipped', async () => {
    const memory = new MemoryEventStore();
    // A store that throws, twice, instead of answering with an error value, for one deadline stream only.
    let throwsLeft = 2;
    const broken = delegatingTo(memory, {
      append: async (streamId, events, expected) => {
        if (streamId === deadlineStreamId(paymentExpiryDeadlineId('o0')) && throwsLeft > 0) {
          throwsLeft -= 1;
          throw new Error('connection reset');
        }
        return memory.append(streamId, events, expected);
      },
    });
    const failures: ProcessManagerFailure[] = [];
    const engine = createEngine({
      eventStore: broken,
      processManagerRetry: { firstDelayMs: 1, maxDelayMs: 4 },
      onProcessManagerFailure: (failure) => failures.push(failure),
    });
    for (const n of [0, 1]) await checkOut(engine, n);
    await engine.settle();

    const [placed] = await memory.readStream('order-o0');
    expect(failures).toEqual(
      [1, 2].map((retryInMs) => ({
        position: placed!.position,
        eventId: placed!.eventId,
        error: { code: 'STORE_UNAVAILABLE', message: expect.stringContaining('connection reset') },
        retryInMs,
      })),
    );
    expect((await memory.readStream(deadlineStreamId(paymentExpiryDeadlineId('o0')))).map((event) => event.type)).toEqual(['DeadlineScheduled']);
    const second = await engine.paymentState('o1');
    expect(E.isRight(second) && second.right.state.status).toBe('pending');
    expect(engine.processManagerPosition).toBe(await memory.headPosition());
    await engine.close();
  });

  it('reacts to one event at a time when its concurrency is 1', async () => {
    const { store, mostAtOnce } = slowStore();
    const engine = await shopAtOnce({ eventStore: store, processManagerConcurrency: 1 }, 5);
    expect(mostAtOnce()).toBe(1);
    const order = await engine.orderState('o4');
    expect(E.isRight(order) && order.right.state.status).toBe('paid');
  });

  it('counts an event handled only once every event before it is, so a restart from its position skips nothing', async () => {
    const memory = new MemoryEventStore();
    const firstReleased = signal();
    const secondPlaced = signal();
    // Placing the first order is held back while the second is placed.
    const gated = delegatingTo(memory, {
      append: async (streamId, events, expected) => {
        if (streamId === 'order-o0') await firstReleased.fired;
        const appended = await memory.append(streamId, events, expected);
        if (streamId === 'order-o1') secondPlaced.fire();
        return appended;
      },
    });
    const engine = createEngine({ eventStore: gated });
    for (const n of [0, 1]) await checkOut(engine, n);
    const [firstCheckOut] = (await memory.readStream(cartStreamId('c0'))).filter((event) => event.type === 'CartCheckedOut');

    await secondPlaced.fired;
    expect(engine.processManagerPosition).toBeLessThan(firstCheckOut!.position);

    firstReleased.fire();
    await engine.settle();
    expect(engine.processManagerPosition).toBe(await memory.headPosition());
    const first = await engine.orderState('o0');
    expect(E.isRight(first) && first.right.state.status).toBe('awaiting-payment');
  });
});
