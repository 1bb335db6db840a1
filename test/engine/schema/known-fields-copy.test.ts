import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { publicCommandCodecs } from '../../../src/engine/aggregates';
import { knownFieldsCopy } from '../../../src/engine/schema/known-fields-copy';
import { cartCommandArbitrary, catalogueArbitrary, orderCommandArbitrary, paymentCommandArbitrary } from '../../../src/testing';
import { engineDriver } from '../../support/engine-driver';

const commands = catalogueArbitrary().chain((catalogue) =>
  fc.oneof(
    cartCommandArbitrary('c1', 'CNY', catalogue),
    orderCommandArbitrary('o1', 'CNY', catalogue.map((item) => item.sku)),
    paymentCommandArbitrary('p1', 'o1', 'CNY'),
  ),
);

/** The same value with a field nobody declared added to every object in it. */
const withStrayFields = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withStrayFields);
  if (value === null || typeof value !== 'object') return value;
  return { ...Object.fromEntries(Object.entries(value).map(([key, field]) => [key, withStrayFields(field)])), stray: { isAdmin: true } };
};

const isDeeplyFrozen = (value: unknown): boolean =>
  value === null || typeof value !== 'object' || (Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen));

const codecOf = (command: { readonly type: string }) => publicCommandCodecs.get(command.type) as NonNullable<ReturnType<typeof publicCommandCodecs.get>>;

describe('the copy of a decoded command', () => {
  it('is equal to the command, frozen at every level, and drops every field its codec does not declare (300 runs)', () => {
    fc.assert(
      fc.property(commands, (command) => {
        const codec = codecOf(command);
        const copy = knownFieldsCopy(codec, command);
        expect(copy).toEqual(command);
        expect(copy).not.toBe(command);
        expect(isDeeplyFrozen(copy)).toBe(true);
        const stray = withStrayFields(command);
        const decoded = codec.decode(stray);
        expect(E.isRight(decoded)).toBe(true);
        if (E.isRight(decoded)) expect(knownFieldsCopy(codec, decoded.right)).toEqual(command);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps what a host adds out of the store: a flag, a long text, a field nested ten thousand deep', async () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 10_000; i += 1) deep = { deeper: deep };
    const { engine, send } = engineDriver();
    const open = { type: 'OpenCart', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY', isAdmin: true, note: 'x'.repeat(100_000), deep } };
    const opened = await engine.execute({ commandId: 'open-1', actor: 'alice', command: open });
    expect(opened).toEqual(E.right(expect.objectContaining({ duplicate: false })));
    const [stored] = await engine.eventStore.readStream('cart-c1');
    expect(stored?.data).toEqual({ cartId: 'c1', customerId: 'alice', currency: 'CNY' });
    // The same command without the extras is the same command: a repeat, not a conflict.
    expect(await send({ type: 'OpenCart', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } }, 'alice', 'open-1')).toEqual(
      E.right(expect.objectContaining({ duplicate: true })),
    );
  });
});
