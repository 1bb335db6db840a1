import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { firstValueFrom, throwError } from 'rxjs';
import { distinctUntilChanged, filter, take, toArray } from 'rxjs/operators';
import type { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import type { EventEnvelope } from '../../src/engine/event-store/envelope';
import { eventSchemas } from '../../src/engine/schema/event-schemas';
import { matchesFilter } from '../../src/engine/event-store/event-store';
import { analyticsProjection } from '../../src/projections/analytics/projection';
import { orderHistoryProjection } from '../../src/projections/order-history/projection';
import type { ProjectionDefinition } from '../../src/projections/projection';
import { ProjectionRunner, ProjectionStatus } from '../../src/projections/projection-runner';
import { buildAndActivate } from '../../src/projections/rebuild';
import type { ReadModelStore } from '../../src/projections/read-model-store';
import { delegatingTo } from '../support/delegating-event-store';
import { FaultyReadModelStore } from '../support/faulty-read-model-store';
import { GatedReadModelStore } from '../support/gated-read-model-store';
import { expectLeft, expectRight, projectAll, runUntilCaughtUp } from '../support/run-projection';
import { Shop } from '../support/shop';

const VERSION = { projection: orderHistoryProjection.name, version: orderHistoryProjection.version };

let rawCount = 0;
/** Appends an event as a buggy writer or a tampering hand might: whatever type and data it is given. */
const appendRaw = async (store: MemoryEventStore, streamId: string, type: string, data: unknown, at: number): Promise<EventEnvelope> => {
  rawCount += 1;
  const proposed = { eventId: `raw-${rawCount}`, type, schemaVersion: 1, data, occurredAt: at, recordedAt: at, commandId: `raw-${rawCount}`, correlationId: 'raw', causationId: 'raw', actor: 'tester' };
  return expectRight(await store.append(streamId, [proposed], 'any')).events[0]!;
};

/** Places and pays one order of one product for `customer`. */
const paidOrder = async (shop: Shop, customer: string, orderId: string): Promise<void> => {
  await shop.openCart(customer, `cart-${orderId}`);
  await shop.add(customer, `cart-${orderId}`, 'tea', 6800);
  await shop.checkOut(customer, `cart-${orderId}`, orderId);
  await shop.pay(orderId);
};

const orderIds = (readModels: MemoryReadModelStore): string[] => (readModels.contents(VERSION)['orders'] ?? []).map((d) => d.id);

describe('projection runner', () => {
  let shop: Shop;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  beforeAll(() => process.on('unhandledRejection', onUnhandled));
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
    // Every failure above must have come back as a value or a status.
    expect(unhandled).toEqual([]);
  });
  beforeEach(() => {
    shop = new Shop();
  });
  afterEach(() => shop.engine.close());

  describe('an event it cannot apply', () => {
    let bad: EventEnvelope;
    beforeEach(async () => {
      await paidOrder(shop, 'alice', 'before');
      bad = await appendRaw(shop.eventStore, 'order-broken', 'OrderPaid', { orderId: 42 }, shop.clock.now());
      await paidOrder(shop, 'bob', 'after');
    });

    it('stops there, by default, with an error naming the event, having stored everything before it', async () => {
      const readModels = new MemoryReadModelStore();
      const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels, projection: orderHistoryProjection, batchSize: 4 });
      expectRight(await runner.start());
      const halt = expectLeft(await runner.whenCaughtUp());
      expect(halt).toMatchObject({
        code: 'PROJECTION_EVENT_FAILED',
        projection: 'order-history',
        version: orderHistoryProjection.version,
        eventId: bad.eventId,
        streamId: 'order-broken',
        revision: 0,
        type: 'OrderPaid',
        position: bad.position,
        reason: { code: 'UNREADABLE_EVENT' },
      });
      expect(runner.status).toMatchObject({ state: 'failed', failure: { eventId: bad.eventId } });
      const before = (await shop.eventStore.readAll({ maxCount: 10_000, filter: orderHistoryProjection.filter })).events.filter((e) => e.position < bad.position);
      expect(expectRight(await readModels.checkpoint(VERSION))).toBe(before[before.length - 1]!.position);
      expect(orderIds(readModels)).toEqual(['before']);
    });

    it('stops at the same event again after a restart', async () => {
      const readModels = new MemoryReadModelStore();
      const first = new ProjectionRunner({ eventStore: shop.eventStore, readModels, projection: orderHistoryProjection });
      await first.start();
      expectLeft(await first.whenCaughtUp());
      const second = new ProjectionRunner({ eventStore: shop.eventStore, readModels, projection: orderHistoryProjection });
      await second.start();
      expect(expectLeft(await second.whenCaughtUp())).toMatchObject({ code: 'PROJECTION_EVENT_FAILED', eventId: bad.eventId });
      expect(orderIds(readModels)).toEqual(['before']);
    });

    it('when told to park, records it (readable back) and goes on', async () => {
      const readModels = new MemoryReadModelStore();
      const runner = await runUntilCaughtUp({ eventStore: shop.eventStore, readModels, projection: orderHistoryProjection, onEventFailure: 'park' });
      expect(orderIds(readModels)).toEqual(['after', 'before']);
      const parked = expectRight(await runner.parkedEvents());
      expect(parked.items).toEqual([
        expect.objectContaining({ eventId: bad.eventId, streamId: 'order-broken', revision: 0, type: 'OrderPaid', position: bad.position, reason: expect.objectContaining({ code: 'UNREADABLE_EVENT' }) }),
      ]);
      expect(runner.status.state).toBe('live');
      await runner.stop();
    });
  });

  it("stops at an event the projection refuses, with the projection's reason", async () => {
    await paidOrder(shop, 'alice', 'real');
    const ghost = await appendRaw(shop.eventStore, 'order-ghost', 'OrderPaid', { orderId: 'ghost', paymentId: 'ghost', amount: { amount: 100, currency: 'CNY' } }, shop.clock.now());
    const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels: new MemoryReadModelStore(), projection: analyticsProjection });
    await runner.start();
    expect(expectLeft(await runner.whenCaughtUp())).toMatchObject({
      code: 'PROJECTION_EVENT_FAILED',
      eventId: ghost.eventId,
      type: 'OrderPaid',
      reason: { code: 'ORDER_NOT_PROJECTED' },
    });
  });

  it('stops at an event whose upcaster throws, as at any event it cannot read', async () => {
    await paidOrder(shop, 'alice', 'o1');
    const schemas = eventSchemas({ OrderPaid: { version: 2, upcasters: { 1: () => { throw new Error('no such field'); } } } });
    const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels: new MemoryReadModelStore(), projection: orderHistoryProjection, eventSchemas: schemas });
    await runner.start();
    expect(expectLeft(await runner.whenCaughtUp())).toMatchObject({ code: 'PROJECTION_EVENT_FAILED', type: 'OrderPaid', reason: { code: 'UNREADABLE_EVENT', message: expect.stringContaining('no such field') } });
  });

  describe('lag', () => {
    it('counts the events and the time between the checkpoint and the head of the store', async () => {
      await paidOrder(shop, 'alice', 'first');
      const readModels = new MemoryReadModelStore();
      const idle = new ProjectionRunner({ eventStore: shop.eventStore, readModels, projection: orderHistoryProjection });
      const head = (await shop.eventStore.headPosition())!;
      const [firstEvent] = (await shop.eventStore.readAll({ maxCount: 1 })).events;
      const [headEvent] = (await shop.eventStore.readAll({ after: head - 1, maxCount: 1 })).events;
      expect(expectRight(await idle.lag())).toEqual({ position: undefined, headPosition: head, eventsBehind: head + 1, timeBehindMs: headEvent!.recordedAt - firstEvent!.recordedAt });

      const runner = await runUntilCaughtUp({ eventStore: shop.eventStore, readModels, projection: orderHistoryProjection });
      expect(expectRight(await runner.lag())).toEqual({ position: head, headPosition: head, eventsBehind: 0, timeBehindMs: 0 });
      await runner.stop();

      // Three more one-event commands, a minute apart.
      await shop.openCart('bob', 'bob-cart');
      await shop.add('bob', 'bob-cart', 'tea', 6800);
      await shop.add('bob', 'bob-cart', 'cup', 4500);
      expect(expectRight(await runner.lag())).toEqual({ position: head, headPosition: head + 3, eventsBehind: 3, timeBehindMs: 3 * 60_000 });

      expectRight(await runner.start());
      expectRight(await runner.whenCaughtUp());
      expect(expectRight(await runner.lag())).toMatchObject({ eventsBehind: 0, timeBehindMs: 0 });
      await runner.stop();
    });
  });

  describe('batches', () => {
    it('hold at most batchSize events each, and store the checkpoint with their effects', async () => {
      for (const id of ['o1', 'o2', 'o3']) await paidOrder(shop, 'alice', id);
      const spy = new FaultyReadModelStore(new MemoryReadModelStore(), []);
      const runner = await runUntilCaughtUp({ eventStore: shop.eventStore, readModels: spy, projection: orderHistoryProjection, batchSize: 3 });
      await runner.stop();
      const all = (await shop.eventStore.readAll({ maxCount: 10_000, filter: orderHistoryProjection.filter })).events;
      expect(spy.committed.length).toBeGreaterThan(1);
      for (const batch of spy.committed) {
        const covered = all.filter((e) => e.position > (batch.expectedCheckpoint ?? -1) && e.position <= batch.checkpoint);
        expect(covered.length).toBeLessThanOrEqual(3);
        expect(batch.writes.every((w) => w.position > (batch.expectedCheckpoint ?? -1) && w.position <= batch.checkpoint)).toBe(true);
      }
    });

    it.each(['refuse', 'throw'] as const)('leave nothing behind when the store fails a commit (%s), and a restart completes the read model', async (mode) => {
      for (const id of ['o1', 'o2', 'o3']) await paidOrder(shop, 'alice', id);
      const inner = new MemoryReadModelStore();
      const faulty = new FaultyReadModelStore(inner, [{ atCommit: 2, mode }]);
      const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels: faulty, projection: orderHistoryProjection, batchSize: 5 });
      await runner.start();
      expect(expectLeft(await runner.whenCaughtUp())).toMatchObject({ code: 'READ_MODEL_FAILED', error: { code: 'READ_MODEL_UNAVAILABLE' } });
      expect(runner.status.state).toBe('failed');
      const checkpoint = expectRight(await inner.checkpoint(VERSION));
      expect(checkpoint).toBe(faulty.committed[0]!.checkpoint);
      const documents = Object.values(inner.contents(VERSION)).flat();
      expect(documents.length).toBeGreaterThan(0);
      expect(documents.every((d) => d.position <= checkpoint!)).toBe(true);

      const restarted = await runUntilCaughtUp({ eventStore: shop.eventStore, readModels: faulty, projection: orderHistoryProjection });
      await restarted.stop();
      const uninterrupted = await projectAll(shop.eventStore, orderHistoryProjection);
      expect(inner.contents(VERSION)).toEqual(uninterrupted.contents(VERSION));
    });
  });

  it('started again while a stop waits for its batch in hand, it reports the new run, not stopped', async () => {
    await paidOrder(shop, 'alice', 'o1');
    const memory = new MemoryReadModelStore();
    const readModels = new GatedReadModelStore(memory, VERSION);
    const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels, projection: orderHistoryProjection });
    await runner.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const stopping = runner.stop();
    // The new run starts after what the batch in hand stores, once it has.
    const started = runner.start();
    readModels.open();
    expectRight(await started);
    await stopping;
    expectRight(await runner.whenCaughtUp());
    expect(['catching-up', 'live']).toContain(runner.status.state);
    expect(runner.status.position).toBe(expectRight(await memory.checkpoint(VERSION)));
    await runner.stop();
  });

  it("reads events at the engine's current schema versions by default: a host's projection of cart lines needs no schemas of its own", async () => {
    await paidOrder(shop, 'alice', 'o1');
    const linesAdded: ProjectionDefinition<{ readonly type: 'CartItemAdded'; readonly data: { readonly cartId: string; readonly category: string } }> = {
      name: 'lines-added',
      version: 1,
      filter: { eventTypes: ['CartItemAdded'] },
      codec: t.type({ type: t.literal('CartItemAdded'), data: t.type({ cartId: t.string, category: t.string }) }),
      collections: [{ name: 'carts', indexes: [] }],
      apply: async (event, _envelope, view) => {
        const count = (await view.get('carts', event.data.cartId))?.['lines'];
        return E.right([{ kind: 'put', collection: 'carts', id: event.data.cartId, document: { lines: (typeof count === 'number' ? count : 0) + 1 } }]);
      },
    };
    const readModels = new MemoryReadModelStore();
    const runner = await runUntilCaughtUp({ eventStore: shop.eventStore, readModels, projection: linesAdded });
    await runner.stop();
    expect(runner.status.state).toBe('stopped');
    expect(readModels.contents({ projection: 'lines-added', version: 1 })['carts']?.map((d) => d.document)).toEqual([{ lines: 1 }]);
  });

  it("takes malformed changes, changes to a collection it did not declare, two changes of one document, or a document no store could hold, as the event's failure: named, and parked in park mode", async () => {
    await paidOrder(shop, 'alice', 'o1');
    const returning = (changes: unknown): ProjectionDefinition<{ readonly type: 'OrderPaid' }> => ({
      name: 'malformed',
      version: 1,
      filter: { eventTypes: ['OrderPaid'] },
      codec: t.type({ type: t.literal('OrderPaid') }),
      collections: [{ name: 'paid', indexes: [] }],
      apply: async () => E.right(changes as never),
    });
    const twice = [
      { kind: 'put', collection: 'paid', id: 'o1', document: { n: 1 } },
      { kind: 'delete', collection: 'paid', id: 'o1' },
    ];
    // A document no store could hold (a ratio divided by zero): the event's failure, not the batch's.
    const unstorable = [{ kind: 'put', collection: 'paid', id: 'o1', document: { nested: { ratio: Number.POSITIVE_INFINITY } } }];
    // A value 65 levels down, one more than the stores keep.
    let deepest: unknown = 1;
    for (let level = 0; level < 65; level += 1) deepest = { level: deepest };
    const tooDeep = [{ kind: 'put', collection: 'paid', id: 'o1', document: deepest }];
    for (const changes of [[undefined], [{ kind: 'put', collection: 'elsewhere', id: 'o1', document: {} }], [{ kind: 'put', collection: 'paid', id: 'o1' }], 'none', twice, unstorable, tooDeep]) {
      const stopping = new ProjectionRunner({ eventStore: shop.eventStore, readModels: new MemoryReadModelStore(), projection: returning(changes), restartAfterStoreFailure: { firstDelayMs: 1 } });
      await stopping.start();
      expect(expectLeft(await stopping.whenCaughtUp())).toMatchObject({ code: 'PROJECTION_EVENT_FAILED', type: 'OrderPaid', reason: { code: 'PROJECTION_INVALID_CHANGE' } });
      const parking = new ProjectionRunner({ eventStore: shop.eventStore, readModels: new MemoryReadModelStore(), projection: returning(changes), onEventFailure: 'park' });
      await parking.start();
      expectRight(await parking.whenCaughtUp());
      expect(expectRight(await parking.parkedEvents()).items.map((parked) => parked.reason.code)).toEqual(['PROJECTION_INVALID_CHANGE']);
      await parking.stop();
    }
  });

  it('parks an event whose change names a document id no store takes (over 512 characters, U+0000, a lone surrogate), rather than stopping at the batch', async () => {
    await paidOrder(shop, 'alice', 'o1');
    for (const id of ['x'.repeat(513), 'a\u0000b', 'a\uD800b']) {
      const badId: ProjectionDefinition<{ readonly type: 'OrderPaid' }> = {
        name: 'bad-ids',
        version: 1,
        filter: { eventTypes: ['OrderPaid'] },
        codec: t.type({ type: t.literal('OrderPaid') }),
        collections: [{ name: 'paid', indexes: [] }],
        apply: async () => E.right([{ kind: 'put', collection: 'paid', id, document: {} }]),
      };
      const parking = new ProjectionRunner({ eventStore: shop.eventStore, readModels: new MemoryReadModelStore(), projection: badId, onEventFailure: 'park' });
      await parking.start();
      expectRight(await parking.whenCaughtUp());
      expect(expectRight(await parking.parkedEvents()).items.map((parked) => [parked.type, parked.reason.code])).toEqual([['OrderPaid', 'PROJECTION_INVALID_CHANGE']]);
      await parking.stop();
    }
  });

  it('starts again after the checkpoint a batch of the run before stored as it was stopped, not before it', async () => {
    for (const id of ['o1', 'o2']) await paidOrder(shop, 'alice', id);
    const inner = new MemoryReadModelStore();
    const gated = new GatedReadModelStore(inner, VERSION);
    const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels: gated, projection: orderHistoryProjection });
    await runner.start();
    // A batch is committing (held at the gate) as the host stops and starts the runner without waiting; the
    // commit lands only once a new run would have sent its own first batch.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const head = (await shop.eventStore.headPosition()) ?? -1;
    const waiting = runner.whenProcessed(head);
    const stopping = runner.stop();
    const started = runner.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    gated.open();
    expectRight(await started);
    await stopping;
    // A wait begun before the stop ends with the checkpoint the batch in hand stored.
    expectRight(await waiting);
    // It goes on with what comes next, rather than stopping at its first batch, refused as the checkpoint moved.
    await paidOrder(shop, 'alice', 'o3');
    expectRight(await runner.whenCaughtUp());
    expect(['catching-up', 'live']).toContain(runner.status.state);
    await runner.stop();
    expect(orderIds(inner)).toEqual(orderIds(await projectAll(shop.eventStore, orderHistoryProjection)));
  });

  it("refuses a projection's collection named as the runner's own, where it parks events, saying so", async () => {
    const clashing: ProjectionDefinition<{ readonly type: 'OrderPaid' }> = {
      name: 'clashing',
      version: 1,
      filter: { eventTypes: ['OrderPaid'] },
      codec: t.type({ type: t.literal('OrderPaid') }),
      collections: [{ name: '_parked', indexes: [] }],
      apply: async () => E.right([]),
    };
    const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels: new MemoryReadModelStore(), projection: clashing });
    expect(expectLeft(await runner.start())).toMatchObject({
      code: 'READ_MODEL_FAILED',
      error: { code: 'INVALID_DEFINITION', message: "collection _parked is the runner's own, where it parks events: name clashing's collection otherwise" },
    });
  });

  it('hands a later event of the batch a document the batch holds frozen, so an event that changed it and was parked leaves no trace', async () => {
    await paidOrder(shop, 'alice', 'o1');
    const tally: ProjectionDefinition<{ readonly type: 'OrderPlaced' | 'OrderPaid' }> = {
      name: 'tally',
      version: 1,
      filter: { eventTypes: ['OrderPlaced', 'OrderPaid'] },
      codec: t.type({ type: t.union([t.literal('OrderPlaced'), t.literal('OrderPaid')]) }),
      collections: [{ name: 'tallies', indexes: [] }],
      apply: async (event, _envelope, view) => {
        if (event.type === 'OrderPlaced') return E.right([{ kind: 'put', collection: 'tallies', id: 't', document: { steps: ['placed'] } }]);
        const tallied = await view.get('tallies', 't');
        try {
          (tallied?.['steps'] as string[]).push('paid');
        } catch {
          // A frozen document refuses the change, which is what this projection is tested for.
        }
        return E.left({ code: 'NOT_TODAY', message: 'refuses every payment' });
      },
    };
    const readModels = new MemoryReadModelStore();
    const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels, projection: tally, onEventFailure: 'park', batchSize: 100 });
    await runner.start();
    expectRight(await runner.whenCaughtUp());
    await runner.stop();
    expect(expectRight(await runner.parkedEvents()).items.map((parked) => parked.reason.code)).toEqual(['NOT_TODAY']);
    expect(readModels.contents({ projection: 'tally', version: 1 })['tallies']?.map((d) => d.document)).toEqual([{ steps: ['placed'] }]);
  });

  describe('told to restart after a failure of its stores', () => {
    const RESTART = { firstDelayMs: 1, maxDelayMs: 4 };
    const live = (runner: ProjectionRunner<unknown>) => firstValueFrom(runner.status$.pipe(filter((status) => status.state === 'live')));
    const states = (runner: ProjectionRunner<unknown>): string[] => {
      const seen: string[] = [];
      runner.status$.pipe(distinctUntilChanged((a, b) => a.state === b.state)).subscribe((status) => seen.push(status.state));
      return seen;
    };

    it('starts again by itself while the read-model store refuses commits, and ends with the same documents', async () => {
      for (const id of ['o1', 'o2', 'o3']) await paidOrder(shop, 'alice', id);
      const inner = new MemoryReadModelStore();
      const faulty = new FaultyReadModelStore(inner, [{ atCommit: 2, mode: 'refuse' }, { atCommit: 3, mode: 'throw' }]);
      const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels: faulty, projection: orderHistoryProjection, batchSize: 5, restartAfterStoreFailure: RESTART });
      const seen = states(runner as ProjectionRunner<unknown>);
      await runner.start();
      await live(runner as ProjectionRunner<unknown>);
      expect(expectRight(await runner.whenCaughtUp())).toBeUndefined();
      await runner.stop();

      expect(faulty.injected).toBe(2);
      expect(seen.filter((state) => state === 'failed')).toHaveLength(2);
      const uninterrupted = await projectAll(shop.eventStore, orderHistoryProjection);
      expect(inner.contents(VERSION)).toEqual(uninterrupted.contents(VERSION));
    });

    it('starts again after its subscription to the event store failed', async () => {
      await paidOrder(shop, 'alice', 'o1');
      let subscriptions = 0;
      const flaky = delegatingTo(shop.eventStore, {
        subscribe: (options) => (++subscriptions === 1 ? throwError(() => new Error('server went away')) : shop.eventStore.subscribe(options)),
      });
      const readModels = new MemoryReadModelStore();
      const runner = new ProjectionRunner({ eventStore: flaky, readModels, projection: orderHistoryProjection, restartAfterStoreFailure: RESTART });
      await runner.start();
      await live(runner as ProjectionRunner<unknown>);
      await runner.stop();
      expect(subscriptions).toBe(2);
      expect(orderIds(readModels)).toEqual(['o1']);
    });

    it('stays stopped at an event it cannot apply: that is no failure of the stores', async () => {
      await paidOrder(shop, 'alice', 'real');
      await appendRaw(shop.eventStore, 'order-ghost', 'OrderPaid', { orderId: 'ghost', paymentId: 'ghost', amount: { amount: 100, currency: 'CNY' } }, shop.clock.now());
      const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels: new MemoryReadModelStore(), projection: analyticsProjection, restartAfterStoreFailure: RESTART });
      const seen = states(runner as ProjectionRunner<unknown>);
      await runner.start();
      expect(expectLeft(await runner.whenCaughtUp()).code).toBe('PROJECTION_EVENT_FAILED');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(runner.status.state).toBe('failed');
      expect(seen.filter((state) => state === 'starting')).toHaveLength(1);
    });

    /** A read-model store whose first `prepare`s answer, after a while, that the database is not up yet. */
    class StartingReadModelStore extends MemoryReadModelStore {
      prepares = 0;
      constructor(private readonly refusals: number) {
        super();
      }
      override async prepare(...args: Parameters<MemoryReadModelStore['prepare']>): ReturnType<MemoryReadModelStore['prepare']> {
        this.prepares += 1;
        if (this.prepares > this.refusals) return super.prepare(...args);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return E.left({ code: 'READ_MODEL_UNAVAILABLE', message: 'the database system is starting up' });
      }
    }

    it('stays stopped when stopped during a start that then fails', async () => {
      await paidOrder(shop, 'alice', 'o1');
      const readModels = new StartingReadModelStore(1);
      const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels, projection: orderHistoryProjection, restartAfterStoreFailure: RESTART });
      const starting = runner.start();
      await runner.stop();
      expect(expectLeft(await starting).code).toBe('READ_MODEL_FAILED');
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(runner.status.state).toBe('stopped');
      expect(readModels.prepares).toBe(1);
      expect(orderIds(readModels)).toEqual([]);
    });

    it('leaves nothing running when buildAndActivate fails to start it', async () => {
      await paidOrder(shop, 'alice', 'o1');
      const readModels = new StartingReadModelStore(1);
      expect(expectLeft(await buildAndActivate({ eventStore: shop.eventStore, readModels, projection: orderHistoryProjection, restartAfterStoreFailure: RESTART })).code).toBe('READ_MODEL_FAILED');
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(readModels.prepares).toBe(1);
      expect(orderIds(readModels)).toEqual([]);
    });

    it('lets buildAndActivate build on through a store failure it restarts after, to the same documents', async () => {
      for (const id of ['o1', 'o2', 'o3']) await paidOrder(shop, 'alice', id);
      const inner = new MemoryReadModelStore();
      const faulty = new FaultyReadModelStore(inner, [{ atCommit: 2, mode: 'refuse' }]);
      const runner = expectRight(await buildAndActivate({ eventStore: shop.eventStore, readModels: faulty, projection: orderHistoryProjection, batchSize: 3, restartAfterStoreFailure: RESTART }));
      await runner.stop();
      expect(faulty.injected).toBe(1);
      expect(expectRight(await inner.activeVersion(VERSION.projection))).toBe(VERSION.version);
      const uninterrupted = await projectAll(shop.eventStore, orderHistoryProjection);
      expect(inner.contents(VERSION)).toEqual(uninterrupted.contents(VERSION));
    });

    it('does not start again once stopped, though a restart was due', async () => {
      await paidOrder(shop, 'alice', 'o1');
      const broken = delegatingTo(shop.eventStore, { subscribe: () => throwError(() => new Error('server went away')) });
      const runner = new ProjectionRunner({ eventStore: broken, readModels: new MemoryReadModelStore(), projection: orderHistoryProjection, restartAfterStoreFailure: { firstDelayMs: 10 } });
      const seen = states(runner as ProjectionRunner<unknown>);
      await runner.start();
      await runner.stop();
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(seen.filter((state) => state === 'starting')).toHaveLength(1);
    });
  });

  describe('prefetching', () => {
    /** Each payment adds one to a counter that the order's link document names: two reads, the second named by the first. */
    const linkedCounters: ProjectionDefinition<{ readonly type: 'OrderPaid'; readonly data: { readonly orderId: string } }> = {
      name: 'linked-counters',
      version: 1,
      filter: { eventTypes: ['OrderPaid'] },
      codec: t.type({ type: t.literal('OrderPaid'), data: t.type({ orderId: t.string }) }),
      collections: [
        { name: 'links', indexes: [] },
        { name: 'counters', indexes: [] },
      ],
      prefetch: (event) => [{ collection: 'links', id: event.data.orderId }],
      prefetchFollowing: (event, _envelope, preloaded) => {
        const target = preloaded('links', event.data.orderId)?.['counter'];
        return typeof target === 'string' ? [{ collection: 'counters', id: target }] : [];
      },
      apply: async (event, _envelope, view) => {
        const link = await view.get('links', event.data.orderId);
        const target = link?.['counter'];
        if (typeof target !== 'string') return E.left({ code: 'NO_LINK', message: `order ${event.data.orderId} has no link` });
        const counter = await view.get('counters', target);
        const count = counter?.['count'];
        return E.right([{ kind: 'put', collection: 'counters', id: target, document: { count: (typeof count === 'number' ? count : 0) + 1 } }]);
      },
    };
    const version = { projection: linkedCounters.name, version: linkedCounters.version };

    it('loads what the documents it prefetched name in one more read per batch, and none one by one', async () => {
      for (const id of ['o1', 'o2', 'o3']) await paidOrder(shop, 'alice', id);
      const inner = new MemoryReadModelStore();
      expectRight(await inner.prepare(version, linkedCounters.collections));
      const links = ['o1', 'o2', 'o3'].map((id, i) => ({ kind: 'put' as const, collection: 'links', id, position: 0, document: { counter: i < 2 ? 'shared' : 'own' } }));
      expectRight(await inner.commit(version, { writes: [...links, { kind: 'put', collection: 'counters', id: 'shared', position: 0, document: { count: 10 } }], checkpoint: -1, expectedCheckpoint: undefined }));
      const reads: string[] = [];
      const counting: ReadModelStore = Object.assign(new FaultyReadModelStore(inner, []), {
        get: (...args: Parameters<ReadModelStore['get']>) => {
          reads.push(`get ${args[1]}`);
          return inner.get(...args);
        },
        getMany: (...args: Parameters<ReadModelStore['getMany']>) => {
          reads.push(`getMany ${[...new Set(args[1].map((key) => key.collection))].join(',')}`);
          return inner.getMany(...args);
        },
      });
      const runner = await runUntilCaughtUp({ eventStore: shop.eventStore, readModels: counting, projection: linkedCounters, batchSize: 100 });
      await runner.stop();
      expect(reads).toEqual(['getMany links', 'getMany counters']);
      expect((inner.contents(version)['counters'] ?? []).map((d) => [d.id, d.document])).toEqual([
        ['own', { count: 1 }],
        ['shared', { count: 12 }],
      ]);
    });

    it('passes over a hint naming a collection the projection did not declare, or no id: the batch is applied all the same', async () => {
      await paidOrder(shop, 'alice', 'o1');
      const readModels = new MemoryReadModelStore();
      expectRight(await readModels.prepare(version, linkedCounters.collections));
      expectRight(await readModels.commit(version, { writes: [{ kind: 'put', collection: 'links', id: 'o1', position: 0, document: { counter: 'c' } }], checkpoint: -1, expectedCheckpoint: undefined }));
      const misnamed = { ...linkedCounters, prefetch: () => [{ collection: 'link', id: 'o1' }, { collection: 'links', id: '' }] };
      const runner = await runUntilCaughtUp({ eventStore: shop.eventStore, readModels, projection: misnamed });
      await runner.stop();
      expect(readModels.contents(version)['counters']?.map((d) => d.document)).toEqual([{ count: 1 }]);
    });

    it('takes a follow-up prefetch that throws as no hint: the event is applied all the same', async () => {
      await paidOrder(shop, 'alice', 'o1');
      const readModels = new MemoryReadModelStore();
      expectRight(await readModels.prepare(version, linkedCounters.collections));
      expectRight(await readModels.commit(version, { writes: [{ kind: 'put', collection: 'links', id: 'o1', position: 0, document: { counter: 'c' } }], checkpoint: -1, expectedCheckpoint: undefined }));
      const throwing = { ...linkedCounters, prefetchFollowing: () => { throw new Error('a bad hint'); } };
      const runner = await runUntilCaughtUp({ eventStore: shop.eventStore, readModels, projection: throwing });
      await runner.stop();
      expect(readModels.contents(version)['counters']?.map((d) => d.document)).toEqual([{ count: 1 }]);
    });
  });

  it('fails (rather than parking the event) when the store cannot be read', async () => {
    await paidOrder(shop, 'alice', 'o1');
    const inner = new MemoryReadModelStore();
    const unreadable: ReadModelStore = Object.assign(new FaultyReadModelStore(inner, []), {
      get: () => Promise.resolve(E.left({ code: 'READ_MODEL_UNAVAILABLE' as const, message: 'connection lost' })),
      getMany: () => Promise.resolve(E.left({ code: 'READ_MODEL_UNAVAILABLE' as const, message: 'connection lost' })),
    });
    const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels: unreadable, projection: orderHistoryProjection, onEventFailure: 'park' });
    await runner.start();
    expect(expectLeft(await runner.whenCaughtUp())).toMatchObject({ code: 'READ_MODEL_FAILED', error: { message: 'connection lost' } });
    expect(inner.contents(VERSION)['_parked']).toEqual([]);
  });

  it('reports a failed subscription as a status, not as an exception', async () => {
    const broken = delegatingTo(shop.eventStore, { subscribe: () => throwError(() => new Error('server went away')) });
    const runner = new ProjectionRunner({ eventStore: broken, readModels: new MemoryReadModelStore(), projection: orderHistoryProjection });
    await runner.start();
    expect(runner.status).toMatchObject({ state: 'failed', failure: { code: 'EVENT_STORE_FAILED', message: expect.stringContaining('server went away') } });
  });

  it('says when it is catching up and when it is live', async () => {
    await paidOrder(shop, 'alice', 'o1');
    const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels: new MemoryReadModelStore(), projection: orderHistoryProjection });
    const states = firstValueFrom(
      runner.status$.pipe(
        filter((s: ProjectionStatus) => s.state !== 'idle'),
        distinctUntilChanged((a, b) => a.state === b.state),
        take(3),
        toArray(),
      ),
    );
    await runner.start();
    expect((await states).map((s) => s.state)).toEqual(['starting', 'catching-up', 'live']);
    await runner.stop();
    expect(runner.status.state).toBe('stopped');
  });

  it('answers whenProcessed with why it will not get there when it is not running', async () => {
    const runner = new ProjectionRunner({ eventStore: shop.eventStore, readModels: new MemoryReadModelStore(), projection: orderHistoryProjection });
    expect(expectLeft(await runner.whenProcessed(0)).code).toBe('PROJECTION_STOPPED');
    await runner.start();
    const waiting = runner.whenProcessed(1_000_000);
    await runner.stop();
    expect(expectLeft(await waiting).code).toBe('PROJECTION_STOPPED');
  });

  it('applies only the events its filter lets through, and checkpoints past the others', async () => {
    await paidOrder(shop, 'alice', 'o1');
    const seen: { streamId: string; type: string }[] = [];
    const readModels = new MemoryReadModelStore();
    const counting = { ...orderHistoryProjection, apply: async (...args: Parameters<typeof orderHistoryProjection.apply>) => {
      seen.push({ streamId: args[1].streamId, type: args[1].type });
      return orderHistoryProjection.apply(...args);
    } };
    const runner = await runUntilCaughtUp({ eventStore: shop.eventStore, readModels, projection: counting });
    await runner.stop();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((event) => matchesFilter(orderHistoryProjection.filter, event))).toBe(true);
    expect(seen.some((event) => event.streamId.startsWith('cart-'))).toBe(false);
    expect(expectRight(await readModels.checkpoint(VERSION))).toBe(await shop.eventStore.headPosition());
  });
  describe('over a store that says nothing of the events its filter skips', () => {
    /**
     * Like a live filtered subscription on EventStoreDB, which reports how far it got only every so many
     * events: this one passes on the matching events and no checkpoint or caught-up position at all.
     */
    const reticent = (store: MemoryEventStore) => delegatingTo(store, { subscribe: (options) => store.subscribe(options).pipe(filter((message) => message.kind === 'event')) });
    /** Fails a wait that would never end, rather than let the test time out. */
    const within = <A>(promise: Promise<A>, ms = 5_000): Promise<A | 'still waiting'> =>
      Promise.race([promise, new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms).unref())]);

    it('is caught up once it has processed the last event it reads, though the store holds later ones it skips', async () => {
      await paidOrder(shop, 'alice', 'o1');
      // A cart left open: events after the order's last one that order history does not read.
      await shop.openCart('bob', 'cart-left-open');
      await shop.add('bob', 'cart-left-open', 'tea', 6800);
      const readModels = new MemoryReadModelStore();
      const runner = new ProjectionRunner({ eventStore: reticent(shop.eventStore), readModels, projection: orderHistoryProjection });
      await runner.start();

      expect(await within(runner.whenCaughtUp())).toEqual(E.right(undefined));
      expect(orderIds(readModels)).toEqual(['o1']);
      const [lastRead] = (await shop.eventStore.readAll({ filter: orderHistoryProjection.filter })).events.slice(-1);
      expect(expectRight(await readModels.checkpoint(VERSION))).toBe(lastRead!.position);
      expect(lastRead!.position).toBeLessThan((await shop.eventStore.headPosition())!);

      // Live: a second order, then more events it skips.
      await paidOrder(shop, 'carol', 'o2');
      await shop.add('bob', 'cart-left-open', 'cup', 4500);
      expect(await within(runner.whenCaughtUp())).toEqual(E.right(undefined));
      expect(orderIds(readModels).sort()).toEqual(['o1', 'o2']);
      await runner.stop();
    });

    it('stores as its checkpoint the position the store says its catch-up reached', async () => {
      await paidOrder(shop, 'alice', 'o1');
      await shop.openCart('bob', 'cart-left-open');
      const head = (await shop.eventStore.headPosition())!;
      // As EventStoreDB at the end of a catch-up: no checkpoint, but caught-up at the head.
      const caughtUpOnly = delegatingTo(shop.eventStore, {
        subscribe: (options) => shop.eventStore.subscribe(options).pipe(filter((message) => message.kind !== 'checkpoint')),
      });
      const readModels = new MemoryReadModelStore();
      const runner = new ProjectionRunner({ eventStore: caughtUpOnly, readModels, projection: orderHistoryProjection });
      await runner.start();
      expect(await within(runner.whenProcessed(head))).toEqual(E.right(undefined));
      expect(expectRight(await readModels.checkpoint(VERSION))).toBe(head);
      await runner.stop();
    });

    it('builds and activates a version over it', async () => {
      await paidOrder(shop, 'alice', 'o1');
      await shop.openCart('bob', 'cart-left-open');
      const readModels = new MemoryReadModelStore();
      const built = await within(buildAndActivate({ eventStore: reticent(shop.eventStore), readModels, projection: orderHistoryProjection }));
      if (built === 'still waiting' || E.isLeft(built)) throw new Error(`not activated: ${JSON.stringify(built)}`);
      expect(expectRight(await readModels.activeVersion(orderHistoryProjection.name))).toBe(orderHistoryProjection.version);
      await built.right.stop();
    });

    it('waits for its checkpoint to reach the head when the store’s pages do not move on', async () => {
      await paidOrder(shop, 'alice', 'o1');
      await shop.openCart('bob', 'cart-left-open');
      const stuck = delegatingTo(shop.eventStore, { readAll: async (options) => ({ events: [], lastPosition: options?.after ?? 0, isEnd: false }) });
      const readModels = new MemoryReadModelStore();
      const runner = new ProjectionRunner({ eventStore: stuck, readModels, projection: orderHistoryProjection });
      await runner.start();
      expect(await within(runner.whenCaughtUp())).toEqual(E.right(undefined));
      expect(expectRight(await readModels.checkpoint(VERSION))).toBe(await shop.eventStore.headPosition());
      await runner.stop();
    });

    it('answers with why, when the store cannot be read while it looks for the next event it reads', async () => {
      await paidOrder(shop, 'alice', 'o1');
      await shop.openCart('bob', 'cart-left-open');
      const failing = delegatingTo(reticent(shop.eventStore), {
        readAll: async () => {
          throw new Error('connection reset');
        },
      });
      const runner = new ProjectionRunner({ eventStore: failing, readModels: new MemoryReadModelStore(), projection: orderHistoryProjection });
      await runner.start();
      expect(await within(runner.whenCaughtUp())).toEqual(E.left(expect.objectContaining({ code: 'EVENT_STORE_FAILED', message: expect.stringContaining('connection reset') })));
      await runner.stop();
    });
  });
});
