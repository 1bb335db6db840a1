import * as E from 'fp-ts/Either';
import { copyJsonDocument } from '../../src/projections/read-model-rules';
import type { JsonDocument } from '../../src/projections/read-model-store';

const copied = (value: unknown, previous?: JsonDocument): JsonDocument => {
  const result = copyJsonDocument(value, previous);
  if (E.isLeft(result)) throw new Error(result.left);
  return result.right;
};

const isDeeplyFrozen = (value: unknown): boolean =>
  value === null || typeof value !== 'object' || (Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen));

describe('copyJsonDocument with the document it replaces', () => {
  const stored = copied({ orderId: 'o1', lines: [{ sku: 'a', quantity: 1 }, { sku: 'b', quantity: 2 }], address: { city: 'X' }, status: 'placed' });

  it('shares the parts the new document took unchanged from the stored one, and copies the rest', () => {
    const changed = { ...stored, status: 'paid', lines: [stored['lines'] === undefined ? null : (stored['lines'] as readonly JsonDocument[])[0], { sku: 'c', quantity: 3 }] };
    const result = copied(changed, stored);
    expect(result).toEqual({ orderId: 'o1', lines: [{ sku: 'a', quantity: 1 }, { sku: 'c', quantity: 3 }], address: { city: 'X' }, status: 'paid' });
    expect(result['address']).toBe(stored['address']);
    expect((result['lines'] as readonly unknown[])[0]).toBe((stored['lines'] as readonly unknown[])[0]);
    expect(result).not.toBe(changed);
    expect(result['lines']).not.toBe(changed.lines);
    expect(isDeeplyFrozen(result)).toBe(true);
  });

  it('is not changed by changing, afterwards, the new parts of the object that was written', () => {
    const fresh = { city: 'Y' };
    const result = copied({ ...stored, address: fresh }, stored);
    fresh.city = 'Z';
    expect(result['address']).toEqual({ city: 'Y' });
  });

  it('copies an object equal to, but not the same as, the stored one', () => {
    const result = copied({ ...stored, address: { city: 'X' } }, stored);
    expect(result['address']).not.toBe(stored['address']);
    expect(isDeeplyFrozen(result)).toBe(true);
  });

  it('still refuses what JSON cannot hold next to shared parts, even a field the stored document lacks', () => {
    expect(copyJsonDocument({ ...stored, note: undefined }, stored)).toEqual(E.left('document.note is undefined, which JSON cannot hold'));
    expect(copyJsonDocument({ ...stored, address: { city: 'X', at: Number.NaN } }, stored)).toEqual(E.left('document.address.at is NaN, which JSON cannot hold'));
  });

  it('compares a field named __proto__ only with a field of that name, never with the prototype', () => {
    const document: Record<string, unknown> = { orderId: 'o1' };
    Object.defineProperty(document, '__proto__', { value: Object.prototype, enumerable: true, writable: true, configurable: true });
    const result = copied(document, stored);
    const field = Object.getOwnPropertyDescriptor(result, '__proto__')?.value as unknown;
    expect(field).not.toBe(Object.prototype);
    expect(field).toEqual({});
    expect(Object.isFrozen(field)).toBe(true);
  });
});
