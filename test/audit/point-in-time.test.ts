import * as E from 'fp-ts/Either';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import { compareWithDocument } from '../../src/engine/audit/document-comparison';
import { PointInTime, StateAtPoint, stateAt } from '../../src/engine/audit/point-in-time';
import { timeline } from '../../src/engine/audit/timeline';
import type { OrderState } from '../../src/domain/order/decider';
import type { CartState } from '../../src/domain/cart/decider';
import { CART_ID, ORDER_ID, runShoppingJourney, ShoppingJourney } from '../fixtures/shopping-journey';
import { parseLine, resealed } from './ndjson-lines';

const ORDER_STREAM = `order-${ORDER_ID}`;
const CART_STREAM = `cart-${CART_ID}`;

describe('point-in-time replay', () => {
  let journey: ShoppingJourney;
  const sentAt = (commandId: string): number => journey.sentAt.get(commandId) ?? Number.NaN;

  const replayed = async (streamId: string, point?: PointInTime): Promise<StateAtPoint> => {
    const result = await stateAt(journey.store, streamId, point);
    if (E.isLeft(result)) throw new Error(result.left.message);
    return result.right;
  };

  beforeAll(async () => {
    journey = await runShoppingJourney();
  });

  it('replays a stream to its head by default', async () => {
    const now = await replayed(ORDER_STREAM);
    expect(now).toMatchObject({ streamId: ORDER_STREAM, aggregate: 'order', revision: 9, headRevision: 9 });
    const order = now.state as OrderState;
    expect(order.status).toBe('completed');
    expect(order.status !== 'none' && [order.amountPaid, order.amountRefunded]).toEqual([24900, 4500]);
  });

  it('gives the state as of a revision', async () => {
    const atShipment = await replayed(ORDER_STREAM, { kind: 'revision', revision: 2 });
    expect(atShipment).toMatchObject({ revision: 2, headRevision: 9, recordedAt: sentAt('cmd-7') });
    const order = atShipment.state as OrderState;
    expect(order.status).toBe('shipped');
    expect(order.status !== 'none' && order.shipment).toEqual({ carrier: 'SF-Express', trackingNumber: 'SF1234567890' });
    expect(order.status !== 'none' && order.afterSales).toEqual([]);

    expect((await replayed(ORDER_STREAM, { kind: 'revision', revision: 0 })).state).toMatchObject({ status: 'awaiting-payment', amountPaid: 0 });
  });

  it('gives the state as of a time: everything recorded up to it, inclusive', async () => {
    const beforeQuantityChange = await replayed(CART_STREAM, { kind: 'time', recordedAt: sentAt('cmd-4') - 1 });
    expect(beforeQuantityChange.revision).toBe(2);
    const cart = beforeQuantityChange.state as CartState;
    expect(cart.status === 'open' && cart.lines.map((l) => [l.sku, l.quantity])).toEqual([
      ['tea-oolong', 2],
      ['cup-celadon', 1],
    ]);

    const atQuantityChange = await replayed(CART_STREAM, { kind: 'time', recordedAt: sentAt('cmd-4') });
    expect(atQuantityChange.revision).toBe(3);
    expect((atQuantityChange.state as CartState).status === 'open' && (atQuantityChange.state as Extract<CartState, { status: 'open' }>).lines[0]?.quantity).toBe(3);
  });

  it('answers from a store holding a stream out of revision order (an import of swapped lines) as from one in order', async () => {
    const lines = (await journey.store.readAll({ maxCount: 10_000 })).events.map((event) => JSON.stringify(event));
    const third = lines.findIndex((line) => line.includes(`"streamId":"${ORDER_STREAM}"`) && line.includes('"revision":3,'));
    const fourth = lines.findIndex((line) => line.includes(`"streamId":"${ORDER_STREAM}"`) && line.includes('"revision":4,'));
    const swapped = [...lines];
    [swapped[third], swapped[fourth]] = [lines[fourth] as string, lines[third] as string];
    const store = new MemoryEventStore();
    expect(E.isRight(await store.restore(swapped.map(parseLine)))).toBe(true);
    const atThree = await stateAt(store, ORDER_STREAM, { kind: 'revision', revision: 3 });
    expect(E.isRight(atThree) && atThree.right.revision).toBe(3);
    const entries = await timeline(store, ORDER_STREAM);
    expect(E.isRight(entries) && entries.right.map((entry) => entry.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('does not fold a stream with a revision missing or repeated, which would give a state it never had', async () => {
    const lines = (await journey.store.readAll({ maxCount: 10_000 })).events.map((event) => JSON.stringify(event));
    const refund = lines.findIndex((line) => line.includes(`"streamId":"${ORDER_STREAM}"`) && line.includes('"type":"OrderRefunded"'));
    const fifth = lines.findIndex((line) => line.includes(`"streamId":"${ORDER_STREAM}"`) && line.includes('"revision":5,'));
    const storeOf = async (damaged: readonly string[]) => {
      const store = new MemoryEventStore();
      expect(E.isRight(await store.restore(damaged.map(parseLine)))).toBe(true);
      return store;
    };
    const repeated = await storeOf([...lines, lines[refund] as string]);
    const refundRevision = (parseLine(lines[refund] as string) as { revision: number }).revision;
    expect(await stateAt(repeated, ORDER_STREAM)).toEqual(
      E.left({
        code: 'STREAM_DAMAGED',
        message: `stream ${ORDER_STREAM} cannot be replayed: revision ${refundRevision} appears twice (verify says what happened to it)`,
        streamId: ORDER_STREAM,
        revision: refundRevision,
      }),
    );
    const missing = await storeOf(lines.filter((_, i) => i !== fifth));
    expect(await stateAt(missing, ORDER_STREAM, { kind: 'revision', revision: 5 })).toMatchObject(E.left({ code: 'STREAM_DAMAGED', revision: 5 }));
    expect(await stateAt(missing, ORDER_STREAM, { kind: 'revision', revision: 2 })).toMatchObject(E.left({ code: 'STREAM_DAMAGED', revision: 5 }));
    expect(E.isRight(await timeline(missing, ORDER_STREAM))).toBe(true);
  });

  it('gives the initial state before the first event', async () => {
    expect(await replayed(ORDER_STREAM, { kind: 'time', recordedAt: sentAt('cmd-1') })).toEqual({
      streamId: ORDER_STREAM,
      aggregate: 'order',
      revision: -1,
      recordedAt: null,
      headRevision: 9,
      state: { status: 'none' },
    });
  });

  it('replays payments, provider transactions and deadlines too', async () => {
    expect((await replayed(`payment-${ORDER_ID}`)).state).toMatchObject({ status: 'captured', amountCaptured: 24900, amountRefunded: 4500 });
    expect((await replayed('provider-transaction-alipay-7781')).state).toEqual({ claimedBy: ORDER_ID });
    const deadline = await replayed(`deadline-payment-expiry-${ORDER_ID}`);
    expect(deadline).toMatchObject({ aggregate: 'deadline', state: { status: 'cancelled', command: { type: 'ExpireUnpaidOrder' } } });
    expect((await replayed(`deadline-payment-expiry-${ORDER_ID}`, { kind: 'revision', revision: 0 })).state).toMatchObject({ status: 'scheduled' });
  });

  it('says why a state cannot be had', async () => {
    expect(await stateAt(journey.store, 'order-unknown')).toEqual(E.left({ code: 'STREAM_NOT_FOUND', message: 'stream order-unknown has no events', streamId: 'order-unknown' }));
    expect(await stateAt(journey.store, 'wishlist-1')).toMatchObject(E.left({ code: 'NO_AGGREGATE_FOR_STREAM', streamId: 'wishlist-1' }));
    // A JavaScript caller's id that is no text names no aggregate's stream, as timeline finds no stream for it.
    expect(await stateAt(journey.store, undefined as unknown as string)).toMatchObject(E.left({ code: 'NO_AGGREGATE_FOR_STREAM' }));
    expect(await stateAt(journey.store, ORDER_STREAM, { kind: 'revision', revision: 10 })).toEqual(
      E.left({ code: 'REVISION_NOT_FOUND', message: `stream ${ORDER_STREAM} has no revision 10: its last is 9`, streamId: ORDER_STREAM, revision: 10, headRevision: 9 }),
    );
    for (const point of [{ kind: 'time', recordedAt: Date.parse('not a date') }, { kind: 'revision', revision: Number.NaN }, { kind: 'revision', revision: 1.5 }, { kind: 'revision', revision: -2 }] as const) {
      expect(await stateAt(journey.store, ORDER_STREAM, point)).toMatchObject(E.left({ code: 'INVALID_POINT' }));
    }
  });

  it('upcasts old schema versions on the way: a v1 cart line without a category', async () => {
    const events = (await journey.store.readStream(CART_STREAM)).slice(0, 2);
    const [opened, added] = events;
    if (opened === undefined || added === undefined) throw new Error('the journey has no cart line');
    const { category: _category, ...v1Data } = added.data as Record<string, unknown>;
    const store = new MemoryEventStore();
    await store.restore([opened, parseLine(resealed(added, { schemaVersion: 1, data: v1Data }))]);

    const cart = await stateAt(store, CART_STREAM);
    expect(E.isRight(cart) && (cart.right.state as Extract<CartState, { status: 'open' }>).lines[0]?.category).toBe('uncategorised');
  });

  it('reports an event that cannot be decoded', async () => {
    const [opened] = await journey.store.readStream(CART_STREAM);
    if (opened === undefined) throw new Error('the journey has no cart');
    const store = new MemoryEventStore();
    await store.restore([parseLine(resealed(opened, { data: { cartId: CART_ID } }))]);
    expect(await stateAt(store, CART_STREAM)).toMatchObject(
      E.left({
        code: 'UNREADABLE_EVENT',
        revision: 0,
        problems: [expect.stringMatching(/data\.customerId: expected Identifier, got nothing$/), expect.stringMatching(/data\.currency: expected CurrencyCode, got nothing$/)],
      }),
    );
  });
});

describe('timeline', () => {
  let journey: ShoppingJourney;

  beforeAll(async () => {
    journey = await runShoppingJourney();
  });

  it('lists every event of a stream with who, when, on what command, and what it means', async () => {
    const entries = await timeline(journey.store, ORDER_STREAM);
    if (E.isLeft(entries)) throw new Error(entries.left.message);
    expect(entries.right.map((e) => [e.revision, e.type, e.actor])).toEqual([
      [0, 'OrderPlaced', 'process-manager'],
      [1, 'OrderPaid', 'process-manager'],
      [2, 'OrderShipped', 'warehouse'],
      [3, 'OrderTrackingUpdated', 'carrier-feed'],
      [4, 'OrderDelivered', 'carrier-feed'],
      [5, 'OrderCompleted', 'system'],
      [6, 'OrderReviewed', 'alice'],
      [7, 'AfterSalesRequested', 'alice'],
      [8, 'AfterSalesApproved', 'service-desk'],
      [9, 'OrderRefunded', 'process-manager'],
    ]);
    const shipped = entries.right[2];
    expect(shipped).toMatchObject({
      commandId: 'cmd-7',
      correlationId: 'journey-alice',
      causationId: 'cmd-7',
      occurredAt: journey.sentAt.get('cmd-7'),
      recordedAt: journey.sentAt.get('cmd-7'),
      schemaVersion: 1,
      summary: 'shipped with SF-Express, tracking SF1234567890',
      readable: true,
      hash: (await journey.store.readStream(ORDER_STREAM))[2]?.hash,
    });
    expect(entries.right[0]?.summary).toBe('order placed: 2 lines, 249.00 CNY due by 2026-11-25T09:35:00.000Z');
    expect(entries.right[3]?.summary).toBe('SF-Express in-transit: Left Hangzhou sorting centre (Hangzhou)');
    expect(entries.right[9]?.summary).toBe('refunded 45.00 CNY (as-1)');
    // The process manager's commands name the event that caused them.
    expect(entries.right[1]?.causationId).not.toBe(entries.right[1]?.commandId);
  });

  it('keeps an event it cannot read, saying why', async () => {
    const [opened] = await journey.store.readStream(CART_STREAM);
    if (opened === undefined) throw new Error('the journey has no cart');
    const store = new MemoryEventStore();
    await store.restore([parseLine(resealed(opened, { schemaVersion: 7 }))]);
    const entries = await timeline(store, CART_STREAM);
    expect(E.isRight(entries) && entries.right[0]).toMatchObject({ readable: false, summary: 'cannot be read: CartOpened v7 is newer than this engine\'s v1' });
    expect(await timeline(store, 'cart-nobody')).toMatchObject(E.left({ code: 'STREAM_NOT_FOUND' }));
  });
});

describe('compareWithDocument', () => {
  let journey: ShoppingJourney;
  const asReadModel = (replayed: StateAtPoint): unknown => {
    const order = replayed.state as OrderState;
    return order.status === 'none'
      ? null
      : { orderId: order.orderId, status: order.status, total: order.total, lines: order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })), revision: replayed.revision };
  };

  beforeAll(async () => {
    journey = await runShoppingJourney();
  });

  it('finds nothing to say about a document that matches the events', async () => {
    const document = { revision: 9, lines: [{ quantity: 3, sku: 'tea-oolong' }, { sku: 'cup-celadon', quantity: 1 }], total: 24900, status: 'completed', orderId: ORDER_ID };
    const comparison = await compareWithDocument(journey.store, ORDER_STREAM, document, asReadModel);
    expect(E.isRight(comparison) && comparison.right.differences).toEqual([]);
  });

  it('lists every path where a document disagrees with the events', async () => {
    const document = { revision: 9, lines: [{ sku: 'tea-oolong', quantity: 2 }], total: 24900, status: 'shipped', orderId: ORDER_ID, cachedAt: 'yesterday' };
    const comparison = await compareWithDocument(journey.store, ORDER_STREAM, document, asReadModel);
    expect(E.isRight(comparison) && comparison.right.differences).toEqual([
      { kind: 'changed', path: '$.status', expected: 'completed', actual: 'shipped' },
      { kind: 'changed', path: '$.lines[0].quantity', expected: 3, actual: 2 },
      { kind: 'missing', path: '$.lines[1]', expected: { sku: 'cup-celadon', quantity: 1 } },
      { kind: 'unexpected', path: '$.cachedAt', actual: 'yesterday' },
    ]);
  });

  it('compares with the state at a point, for a document that lags behind', async () => {
    const document = { revision: 2, lines: [{ sku: 'tea-oolong', quantity: 3 }, { sku: 'cup-celadon', quantity: 1 }], total: 24900, status: 'shipped', orderId: ORDER_ID };
    const comparison = await compareWithDocument(journey.store, ORDER_STREAM, document, asReadModel, { at: { kind: 'revision', revision: 2 } });
    expect(comparison).toMatchObject(E.right({ revision: 2, differences: [] }));
  });
});
