import * as E from 'fp-ts/Either';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import { wrongExpectedRevision } from '../../src/engine/event-store/event-store';
import { createEngine } from '../../src/engine/order-engine';
import type { ProcessManagerFailure } from '../../src/engine/process-manager/process-manager';
import type { RejectionJournal } from '../../src/engine/rejection-journal';
import { delegatingTo } from '../support/delegating-event-store';
import { checkedOutOrder, engineDriver, ORDER_TOTAL } from '../support/engine-driver';
import { sequentialIds } from '../../src/engine/ids';
import { eventSchemaDefinitions } from '../../src/engine/schema/current-event-schemas';
import { eventSchemas, MAX_SCHEMA_VERSION } from '../../src/engine/schema/event-schemas';
import { cny } from '../support/fixtures';
import { proposedEvents } from '../../src/testing/contract/proposed-events';

const openCart = { type: 'OpenCart', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } } as const;
const request = (command: unknown, commandId = 'cmd-1') => ({ commandId, actor: 'alice', command });
const storedCount = async (store: MemoryEventStore) => (await store.readAll()).events.length;

describe('settings the engine is made with', () => {
  it("refuses event schemas with a version no store keeps, naming the event type, where every command writing one was refused as if the store were down", () => {
    for (const version of [0, 1.5, Number.NaN, '2', MAX_SCHEMA_VERSION + 1]) {
      expect(() => eventSchemas({ ...eventSchemaDefinitions, CartOpened: { version: version as number, upcasters: {} } })).toThrow(
        new RangeError(`eventSchemas: CartOpened's version must be a whole number from 1 to ${MAX_SCHEMA_VERSION}, not ${typeof version === 'string' ? '"2"' : String(version)}`),
      );
    }
    expect(eventSchemas({ ...eventSchemaDefinitions, CartOpened: { version: MAX_SCHEMA_VERSION, upcasters: {} } }).currentVersion('CartOpened')).toBe(MAX_SCHEMA_VERSION);
  });

  it('refuses a payment window or a start position that is no whole number, naming it', () => {
    // Past a thousand years, a deadline soon passes what an event can hold, and every order would be lost.
    for (const paymentWindowMs of [Number.POSITIVE_INFINITY, Number.NaN, 1.5, '60000', -1, Number.MAX_SAFE_INTEGER]) {
      expect(() => createEngine({ paymentWindowMs: paymentWindowMs as number })).toThrow(RangeError);
    }
    expect(() => createEngine({ processManagerStartAfter: '1' as unknown as number })).toThrow(
      `createEngine: processManagerStartAfter must be a whole number of positions from -1 to ${Number.MAX_SAFE_INTEGER}, not "1"`,
    );
    expect(() => createEngine({ processManagerStartAfter: Number.NaN })).toThrow(RangeError);
    // A window of nothing has the deadline due at once, and null is no saved position: both as before.
    const kept = [createEngine({ paymentWindowMs: 0 }), createEngine({ processManagerStartAfter: null as unknown as number }), createEngine({ processManagerStartAfter: -1 })];
    return Promise.all(kept.map((engine) => engine.close()));
  });

  it('refuses an order policy whose after-sales window is no whole number of ms, where every order went through payment and shipping to be refused at delivery', () => {
    for (const afterSalesWindowMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, 1.5, 1e300, undefined]) {
      expect(() => createEngine({ orderPolicy: { afterSalesWindowMs: afterSalesWindowMs as number } })).toThrow(RangeError);
    }
    expect(() => createEngine({ orderPolicy: { afterSalesWindowMs: -1 } })).toThrow(
      'createEngine: orderPolicy.afterSalesWindowMs must be a whole number of milliseconds from 0 to 31536000000000, not -1',
    );
    return createEngine({ orderPolicy: { afterSalesWindowMs: 0 } }).close();
  });

  it('refuses a state cache or command memo size that is no whole number, where NaN kept one command id and never evicted a state', async () => {
    for (const size of [Number.NaN, -1, 1.5, '100']) {
      expect(() => createEngine({ commandMemoSize: size as number })).toThrow(RangeError);
      expect(() => createEngine({ stateCacheSize: size as number })).toThrow(RangeError);
    }
    expect(() => createEngine({ commandMemoSize: Number.NaN })).toThrow(
      `createEngine: commandMemoSize must be a whole number of entries (or Infinity) from 0 to ${Number.MAX_SAFE_INTEGER}, not NaN`,
    );
    // No memo at all, or one without bound: an id reused for another command acts as new, or is a conflict.
    for (const [commandMemoSize, stateCacheSize, answer] of [
      [0, 0, E.right(expect.anything())],
      [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, E.left(expect.objectContaining({ code: 'COMMAND_ID_CONFLICT' }))],
    ] as const) {
      const engine = createEngine({ commandMemoSize, stateCacheSize });
      await engine.execute(request(openCart, 'open'));
      expect(await engine.execute(request({ ...openCart, data: { ...openCart.data, cartId: 'c2' } }, 'open'))).toEqual(answer);
      await engine.close();
    }
  });

  it('takes a number of attempts that is no whole number as the default, where NaN or Infinity retried a lost race for ever', async () => {
    const store = new MemoryEventStore();
    const alwaysLosing = delegatingTo(store, { append: (streamId) => Promise.resolve(E.left(wrongExpectedRevision(streamId, 'no-stream', 0))) });
    for (const maxAttempts of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const engine = createEngine({ eventStore: alwaysLosing, maxAttempts, runProcessManager: false });
      expect(await engine.execute(request(openCart))).toEqual(E.left(expect.objectContaining({ kind: 'conflict', code: 'CONCURRENCY_CONFLICT' })));
      await engine.close();
    }
  });
});

describe("the host's clock and ids, when they fail", () => {
  it('a clock that throws, or reads no time, is answered DECISION_THREW naming it, and nothing is written', async () => {
    const clocks: readonly (() => number)[] = [
      () => {
        throw new Error('clock failed');
      },
      () => -5000,
      () => '1767225600000' as unknown as number,
    ];
    const messages: string[] = [];
    for (const clock of clocks) {
      const store = new MemoryEventStore();
      const engine = createEngine({ eventStore: store, clock, runProcessManager: false });
      const outcome = await engine.execute(request(openCart));
      expect(outcome).toEqual(E.left(expect.objectContaining({ kind: 'unavailable', code: 'DECISION_THREW' })));
      if (E.isLeft(outcome)) messages.push(outcome.left.message);
      expect(await storedCount(store)).toBe(0);
      await engine.close();
    }
    expect(messages).toEqual([
      'handling OpenCart cmd-1 threw: clock failed',
      'handling OpenCart cmd-1 threw: the clock read -5000, not a whole number of milliseconds since 1970',
      'handling OpenCart cmd-1 threw: the clock read "1767225600000", not a whole number of milliseconds since 1970',
    ]);
  });

  it("an id generator that fails once while the process manager marks an order paid only delays it: the reaction is tried again", async () => {
    const ids = sequentialIds();
    let calls = 0;
    let failingCall = -1;
    const failures: ProcessManagerFailure[] = [];
    const driver = engineDriver({
      newId: () => {
        calls += 1;
        if (calls === failingCall) throw new Error('id service blip');
        return ids();
      },
      processManagerRetry: { firstDelayMs: 1 },
      onProcessManagerFailure: (failure) => failures.push(failure),
    });
    await checkedOutOrder(driver);
    // The callback takes two ids (the transaction's claim, the capture); OrderPaid, the process manager's, the third.
    failingCall = calls + 3;
    await driver.accept({ type: 'RecordProviderCallback', data: { paymentId: 'o1', providerTransactionId: 'tx-1', amount: cny(ORDER_TOTAL), status: 'succeeded' } }, 'gateway');
    const order = await driver.engine.orderState('o1');
    expect(E.isRight(order) && order.right.state.status).toBe('paid');
    expect(failures).toEqual([expect.objectContaining({ error: expect.objectContaining({ code: 'DECISION_THREW', message: expect.stringContaining('MarkOrderPaid') }), retryInMs: 1 })]);
    await driver.engine.close();
  });

  it('a clock that throws when deadlines are run finds none due, and says so where failures go', async () => {
    const failures: ProcessManagerFailure[] = [];
    const engine = createEngine({
      clock: () => {
        throw new Error('clock failed');
      },
      onProcessManagerFailure: (failure) => failures.push(failure),
    });
    await expect(engine.runDueDeadlines()).resolves.toEqual([]);
    expect(failures).toEqual([expect.objectContaining({ error: expect.objectContaining({ code: 'DECISION_THREW', message: 'the deadlines due could not be found: clock failed' }) })]);
    await engine.close();
  });

  it('fires no deadline for a time that is none, where NaN or text found every one due and expired orders still in their window', async () => {
    const failures: ProcessManagerFailure[] = [];
    const driver = engineDriver({ onProcessManagerFailure: (failure) => failures.push(failure) });
    await checkedOutOrder(driver);
    // An object without a text form (a JavaScript caller's) too, which String() cannot turn into one.
    for (const now of [Number.NaN, '2026-01-01', -1, 1.5, Object.create(null)]) await expect(driver.engine.runDueDeadlines(now as number)).resolves.toEqual([]);
    expect(failures.map((failure) => failure.error.code)).toEqual(['INVALID_TIME', 'INVALID_TIME', 'INVALID_TIME', 'INVALID_TIME', 'INVALID_TIME']);
    expect(failures[4]?.error.message).toBe('runDueDeadlines was given an object, not a whole number of milliseconds since 1970: no deadline fired');
    expect(failures[1]?.error.message).toBe('runDueDeadlines was given "2026-01-01", not a whole number of milliseconds since 1970: no deadline fired');
    const order = await driver.engine.orderState('o1');
    expect(E.isRight(order) && order.right.state.status).toBe('awaiting-payment');
    expect(await driver.engine.runDueDeadlines(driver.clock.now() + 31 * 60 * 1000)).toEqual([expect.objectContaining({ deadlineId: 'payment-expiry-o1' })]);
  });

  it('an id generator that throws is answered DECISION_THREW, and nothing is written', async () => {
    const store = new MemoryEventStore();
    const engine = createEngine({
      eventStore: store,
      newId: () => {
        throw new Error('newId failed');
      },
      runProcessManager: false,
    });
    expect(await engine.execute(request(openCart))).toEqual(E.left({ kind: 'unavailable', code: 'DECISION_THREW', message: 'handling OpenCart cmd-1 threw: newId failed' }));
    expect(await storedCount(store)).toBe(0);
    await engine.close();
  });

  it('a rejection journal that fails loses its entry, not the answer', async () => {
    const failing: RejectionJournal = {
      record: () => Promise.reject(new Error('journal database down')),
      read: () => Promise.resolve([]),
    };
    const engine = createEngine({ rejectionJournal: failing, runProcessManager: false });
    const outcome = await engine.execute(request({ type: 'AddCartItem', data: { cartId: 'none', sku: 'tea', name: 'Tea', category: 'tea', unitPrice: cny(5000), quantity: 1 } }));
    expect(outcome).toEqual(E.left(expect.objectContaining({ kind: 'rejected', code: 'CART_NOT_FOUND' })));
    await engine.close();
  });
});

describe("the host's hooks, when they fail", () => {
  it('a conflict hook that throws or rejects changes no outcome', async () => {
    const store = new MemoryEventStore();
    for (const onConflictRetry of [
      () => {
        throw new Error('metrics down');
      },
      () => Promise.reject(new Error('metrics down')),
    ]) {
      let appends = 0;
      let told = 0;
      // The second append, the item's, loses a race once, as to another process.
      const losingOnce = delegatingTo(store, {
        append: (streamId, events, expected) => (++appends === 2 ? Promise.resolve(E.left(wrongExpectedRevision(streamId, expected, 0))) : store.append(streamId, events, expected)),
      });
      const engine = createEngine({
        eventStore: losingOnce,
        onConflictRetry: () => {
          told += 1;
          return onConflictRetry();
        },
        runProcessManager: false,
      });
      const cartId = `c-${told}-${String(onConflictRetry).length}`;
      expect(E.isRight(await engine.execute(request({ ...openCart, data: { ...openCart.data, cartId } }, `open-${cartId}`)))).toBe(true);
      const added = await engine.execute(request({ type: 'AddCartItem', data: { cartId, sku: 'tea', name: 'Tea', category: 'tea', unitPrice: cny(5000), quantity: 1 } }, `add-${cartId}`));
      expect(E.isRight(added)).toBe(true);
      expect(told).toBe(1);
      await engine.close();
    }
  });

  it('a process-manager failure hook that throws or rejects neither stops the journey nor ends the process', async () => {
    for (const throwing of [true, false]) {
      const store = new MemoryEventStore();
      let refused = 0;
      // The store refuses the first deadline append once, which the process manager reports and tries again.
      const flaky = delegatingTo(store, {
        append: (streamId, events, expected) =>
          streamId.startsWith('deadline-') && refused++ === 0
            ? Promise.resolve(E.left({ code: 'STORE_UNAVAILABLE', message: 'a blip' }))
            : store.append(streamId, events, expected),
      });
      let told = 0;
      const driver = engineDriver({
        eventStore: flaky,
        processManagerRetry: { firstDelayMs: 1 },
        onProcessManagerFailure: () => {
          told += 1;
          if (throwing) throw new Error('alerting down');
          return Promise.reject(new Error('alerting down')) as unknown as void;
        },
      });
      await checkedOutOrder(driver);
      const order = await driver.engine.orderState('o1');
      expect(E.isRight(order) && order.right.state.status).toBe('awaiting-payment');
      expect(told).toBe(1);
      await driver.engine.close();
    }
  });

  it("a command of the process manager's that the engine finds invalid is reported, not dropped in silence", async () => {
    const failures: ProcessManagerFailure[] = [];
    // Near the end of time, the payment deadline is past the largest exact number: PlaceOrder cannot hold it.
    const driver = engineDriver({ clock: () => Number.MAX_SAFE_INTEGER - 10, onProcessManagerFailure: (failure) => failures.push(failure) });
    await checkedOutOrder(driver);
    expect(failures).toEqual([expect.objectContaining({ error: expect.objectContaining({ kind: 'invalid', code: 'INVALID_COMMAND' }) })]);
    await driver.engine.close();
  });
});

/**
 * A settle under way as the engine closes: its first read of the head is told only once the engine has closed
 * and another process has written an event, which the stopped process manager will never handle.
 */
const settleAcrossClose = async (readHead: (store: MemoryEventStore, held: Promise<void>) => () => Promise<number | undefined>): Promise<void> => {
  const store = new MemoryEventStore();
  let releaseHead: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    releaseHead = resolve;
  });
  const driver = engineDriver({ eventStore: delegatingTo(store, { headPosition: readHead(store, held) }) });
  await driver.engine.execute(request(openCart));
  const settled = driver.engine.settle();
  await driver.engine.close();
  await store.append('elsewhere-1', proposedEvents(1), 'no-stream');
  releaseHead();
  return settled;
};

describe('settling', () => {
  it('waits out a store that cannot say where its head is, rather than throw, and ends when the engine closes', async () => {
    const memory = new MemoryEventStore();
    const outage = { down: true, asked: 0 };
    const store = delegatingTo(memory, {
      headPosition: () => {
        outage.asked += 1;
        return outage.down ? Promise.reject(new Error('connection refused')) : memory.headPosition();
      },
    });
    const engine = createEngine({ eventStore: store, processManagerRetry: { firstDelayMs: 1, maxDelayMs: 2 } });
    expect(E.isRight(await engine.execute(request(openCart)))).toBe(true);
    const settled = engine.settle();
    while (outage.asked < 3) await new Promise((resolve) => setTimeout(resolve, 1));
    outage.down = false;
    await expect(settled).resolves.toBeUndefined();
    expect(engine.processManagerPosition).toBe(await memory.headPosition());

    outage.down = true;
    const closing = engine.settle();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await engine.close();
    await expect(closing).resolves.toBeUndefined();
  });
});

describe('closing the engine', () => {
  it('answers a settle under way when it closes', async () => {
    await expect(
      settleAcrossClose((store, held) => async () => {
        await held;
        return store.headPosition();
      }),
    ).resolves.toBeUndefined();
  });

  it('answers a settle under way when the host closes the engine and then its store', async () => {
    let reads = 0;
    // Every read after the first finds the store closed.
    await expect(
      settleAcrossClose((store, held) => async () => {
        reads += 1;
        if (reads > 1) throw new Error('the store is closed');
        await held;
        return store.headPosition();
      }),
    ).resolves.toBeUndefined();
  });
});
