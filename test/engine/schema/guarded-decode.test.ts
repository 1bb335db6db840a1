import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import fc from 'fast-check';
import { createEngine, manualClock, sequentialIds } from '../../../src';
import type { HostCommand } from '../../../src';
import { CartEvent } from '../../../src/domain/cart/events';
import { publicCommandCodecs } from '../../../src/engine/aggregates';
import { CommandRequest } from '../../../src/engine/command-request';
import { decodeWithGuard, exactGuardOf } from '../../../src/engine/schema/guarded-decode';
import { StoredEvent } from '../../../src/engine/schema/stored-event';

const cny = (amount: number) => ({ amount, currency: 'CNY' });
const address = { recipient: 'Alice', phone: '+86 1', line1: '1 Road', city: 'Shanghai', postalCode: '200120', country: 'CN' };

/** One valid command of most kinds, in an order the engine accepts, so that it also yields stored events. */
const journey: readonly HostCommand[] = [
  { type: 'OpenCart', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } },
  { type: 'AddCartItem', data: { cartId: 'c1', sku: 'tea', name: 'Tea', category: 'tea', unitPrice: cny(6800), quantity: 2 } },
  { type: 'AddCartItem', data: { cartId: 'c1', sku: 'cup', name: 'Cup', category: 'ware', unitPrice: cny(4500), quantity: 1 } },
  { type: 'ChangeCartItemQuantity', data: { cartId: 'c1', sku: 'tea', quantity: 3 } },
  { type: 'DeselectCartItems', data: { cartId: 'c1', skus: ['cup'] } },
  { type: 'SelectCartItems', data: { cartId: 'c1', skus: ['cup'] } },
  { type: 'ApplyCoupon', data: { cartId: 'c1', coupon: { code: 'TEA20', kind: 'fixed', amountOff: 2000, minimumSpend: 15000 } } },
  { type: 'CheckOutCart', data: { cartId: 'c1', orderId: 'o1', shippingAddress: address, paymentMethod: 'alipay', pointsToRedeem: 0 } },
];
const afterPlacement = (total: number): readonly HostCommand[] => [
  { type: 'RecordProviderCallback', data: { paymentId: 'o1', providerTransactionId: 'txn-1', amount: cny(total), status: 'succeeded' } },
  { type: 'ShipOrder', data: { orderId: 'o1', carrier: 'SF', trackingNumber: 'SF1' } },
  { type: 'RecordTrackingUpdate', data: { orderId: 'o1', status: 'in-transit', description: 'On its way', location: null } },
  { type: 'DeliverOrder', data: { orderId: 'o1' } },
  { type: 'CompleteOrder', data: { orderId: 'o1', pointsEarned: 10 } },
  { type: 'ReviewOrder', data: { orderId: 'o1', rating: 5, comment: 'Good' } },
  { type: 'AddOrderNote', data: { orderId: 'o1', author: 'desk', text: 'Called the shopper' } },
  { type: 'RequestAfterSales', data: { orderId: 'o1', requestId: 'as-1', kind: 'refund', lines: [{ sku: 'cup', quantity: 1 }], reason: 'Chipped' } },
  { type: 'ApproveAfterSales', data: { orderId: 'o1', requestId: 'as-1' } },
];

/** Every command above and every event the engine stored for them: valid values to start mutating from. */
const samples = async (): Promise<{ commands: readonly HostCommand[]; events: readonly { type: string; data: unknown }[] }> => {
  const clock = manualClock(Date.parse('2026-11-25T09:00:00Z'));
  const engine = createEngine({ clock: clock.now, newId: sequentialIds() });
  const send = async (command: HostCommand, n: number): Promise<void> => {
    clock.advance(60_000);
    const outcome = await engine.execute({ commandId: `cmd-${n}`, actor: 'tester', command });
    if (E.isLeft(outcome)) throw new Error(`${command.type}: ${outcome.left.message}`);
    await engine.settle();
  };
  let n = 0;
  for (const command of journey) await send(command, (n += 1));
  const placed = await engine.orderState('o1');
  const total = E.isRight(placed) && placed.right.state.status !== 'none' ? placed.right.state.total : 0;
  const later = afterPlacement(total);
  for (const command of later) await send(command, (n += 1));
  const page = await engine.eventStore.readAll({ maxCount: 10_000 });
  await engine.close();
  return { commands: [...journey, ...later], events: page.events.map((e) => ({ type: e.type, data: e.data })) };
};

type Path = readonly (string | number)[];

const pathsOf = (value: unknown, prefix: Path = []): Path[] => {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...prefix, Array.isArray(value) ? Number(key) : key]));
  return [prefix, ...children];
};

/** A deep copy of `value` with the thing at `path` replaced (`remove`: deleted). */
const mutate = (value: unknown, path: Path, replacement: { remove: true } | { remove: false; value: unknown }): unknown => {
  if (path.length === 0) return replacement.remove ? undefined : replacement.value;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) }) as Record<string | number, unknown>;
  if (rest.length === 0 && replacement.remove) delete copy[head];
  else copy[head] = mutate(copy[head], rest, replacement);
  return copy;
};

const anyReplacement = fc.oneof(
  fc.constant({ remove: true as const }),
  fc.anything().map((value) => ({ remove: false as const, value })),
  fc.oneof(fc.constant(''), fc.constant(' '), fc.constant(-1), fc.constant(0), fc.constant(1.5), fc.constant(10_000), fc.constant('x'.repeat(129)), fc.constant(null)).map(
    (value) => ({ remove: false as const, value }),
  ),
);

/** The guarded decode must give exactly what decode gives, for the value and for every mutation of it. */
const agreesWithDecode = (codec: t.Decoder<unknown, unknown>, valid: unknown): void => {
  expect(E.isRight(codec.decode(valid))).toBe(true);
  expect(decodeWithGuard(codec, valid)).toEqual(codec.decode(valid));
  const paths = pathsOf(valid);
  fc.assert(
    fc.property(fc.constantFrom(...paths), anyReplacement, (path, replacement) => {
      const changed = mutate(valid, path, replacement);
      expect(decodeWithGuard(codec, changed)).toEqual(codec.decode(changed));
    }),
    { numRuns: 150 },
  );
};

describe('decodeWithGuard', () => {
  let sampled: Awaited<ReturnType<typeof samples>>;
  beforeAll(async () => {
    sampled = await samples();
  });

  it('decodes every public command, and every mutation of one, exactly as the codec does', () => {
    for (const command of sampled.commands) agreesWithDecode(publicCommandCodecs.get(command.type) as t.Decoder<unknown, unknown>, command);
  });

  it('decodes command requests, and mutations of them, exactly as the codec does', () => {
    const request = { commandId: 'cmd-1', actor: 'alice', correlationId: 'journey', command: sampled.commands[1] };
    agreesWithDecode(CommandRequest, request);
    agreesWithDecode(CommandRequest, { commandId: 'cmd-1', actor: 'alice', command: { type: 'RemoveCoupon' } });
  });

  it('decodes every stored event the journey produced, and mutations of it, exactly as the codec does', () => {
    expect(new Set(sampled.events.map((e) => e.type)).size).toBeGreaterThan(15);
    for (const event of sampled.events) agreesWithDecode(StoredEvent, event);
  });

  it('decodes an event under the tag of any other event type exactly as the codec does, for the whole union and for one aggregate', () => {
    const tags = [...new Set(sampled.events.map((e) => e.type))];
    for (const event of sampled.events) {
      for (const type of tags) {
        const retagged = { type, data: event.data };
        expect(decodeWithGuard(StoredEvent, retagged)).toEqual(StoredEvent.decode(retagged));
        expect(decodeWithGuard(CartEvent, retagged)).toEqual(CartEvent.decode(retagged));
      }
    }
  });

  it('has an exact guard for every codec the engine decodes commands and stored events with', () => {
    expect(exactGuardOf(CommandRequest)).toBeDefined();
    expect(exactGuardOf(StoredEvent)).toBeDefined();
    for (const codec of publicCommandCodecs.values()) expect(exactGuardOf(codec)).toBeDefined();
  });

  it('refuses holes in arrays and missing fields, which io-ts `is` would let through or decode would fill in', () => {
    const Skus = t.type({ skus: t.readonlyArray(t.string), note: t.unknown });
    const sparse = { skus: ['a', , 'b'], note: 1 };
    expect(Skus.is(sparse)).toBe(true);
    expect(E.isLeft(decodeWithGuard(Skus, sparse))).toBe(true);
    expect(decodeWithGuard(Skus, { skus: [] })).toEqual(Skus.decode({ skus: [] }));
  });

  it('does not trust the guard of a codec that transforms what it reads', () => {
    const NumberFromString = new t.Type<number, string, unknown>(
      'NumberFromString',
      (u): u is number => typeof u === 'number',
      (u, c) => (typeof u === 'string' && u.trim() !== '' && !Number.isNaN(Number(u)) ? t.success(Number(u)) : t.failure(u, c)),
      String,
    );
    const Price = t.type({ amount: NumberFromString });
    expect(E.isLeft(decodeWithGuard(Price, { amount: 5 }))).toBe(true);
    expect(decodeWithGuard(Price, { amount: '5' })).toEqual(E.right({ amount: 5 }));
  });
});
