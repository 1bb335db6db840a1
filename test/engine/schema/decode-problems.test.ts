import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { SelectCartItems } from '../../../src/domain/cart/commands';
import { OrderEvent } from '../../../src/domain/order/events';
import { decodeProblems } from '../../../src/engine/schema/decode-problems';

const problemsOf = (codec: t.Decoder<unknown, unknown>, value: unknown): readonly string[] => {
  const decoded = codec.decode(value);
  return E.isLeft(decoded) ? decodeProblems(decoded.left) : [];
};

describe('decode problems', () => {
  it('name the place in the value, not which member of a union the value was tried against', () => {
    const note = { type: 'OrderNoteAdded', data: { orderId: 'o1' } };
    expect(problemsOf(OrderEvent, note)).toEqual(['data.author: expected Identifier, got nothing', 'data.text: expected Text, got nothing']);
    // The same event read through a union of unions reads the same.
    expect(problemsOf(t.union([t.string, OrderEvent]), note)).toEqual(
      expect.arrayContaining(['data.author: expected Identifier, got nothing', 'data.text: expected Text, got nothing']),
    );
  });

  it('leave out the members of a union wrapped in readonly or a refinement too', () => {
    const coupon = t.readonly(t.union([t.type({ kind: t.literal('fixed'), amountOff: t.number }), t.type({ kind: t.literal('percentage'), percentOff: t.number })]));
    expect(problemsOf(t.type({ coupon }), { coupon: { kind: 'fixed', amountOff: 'x' } })).toContain('coupon.amountOff: expected number, got "x"');
    const positive = t.refinement(t.union([t.number, t.string]), (value) => value !== '', 'NotEmpty');
    expect(problemsOf(t.type({ value: positive }), { value: true })).toEqual(['value: expected number, got true', 'value: expected string, got true']);
  });

  it('keep array indexes, which are places in the value', () => {
    expect(problemsOf(t.type({ lines: t.array(t.type({ sku: t.string })) }), { lines: [{ sku: 'a' }, { sku: 7 }] })).toEqual(['lines.1.sku: expected string, got 7']);
    expect(problemsOf(t.intersection([t.type({ a: t.string }), t.type({ b: t.number })]), { a: 'x', b: 'y' })).toEqual(['b: expected number, got "y"']);
  });

  it('say what a list of distinct items wants, and how long the list given was', () => {
    const select = (skus: unknown) => ({ type: 'SelectCartItems', data: { cartId: 'c1', skus } });
    const wanted = 'data.skus: expected Skus: 1 to 200, none twice';
    expect(problemsOf(SelectCartItems, select(['tea', 'tea']))).toEqual([`${wanted}, got an array of 2`]);
    expect(problemsOf(SelectCartItems, select([]))).toEqual([`${wanted}, got an empty array`]);
    expect(problemsOf(SelectCartItems, select(Array.from({ length: 201 }, (_, i) => `sku-${i}`)))).toEqual([`${wanted}, got an array of 201`]);
  });
});
