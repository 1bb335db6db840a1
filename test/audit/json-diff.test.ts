import fc from 'fast-check';
import { canonicalJson } from '../../src/engine/audit/canonical-json';
import { diffJson } from '../../src/engine/audit/json-diff';

describe('diffJson', () => {
  it('finds no difference between equal values whatever their key order', () => {
    expect(diffJson({ a: 1, b: { c: [1, { d: null }] } }, { b: { c: [1, { d: null }] }, a: 1 })).toEqual([]);
  });

  it('names each differing path with both sides', () => {
    expect(diffJson({ a: 1, 'odd key': true, list: [1, 2], nested: { x: 'y' }, gone: 0 }, { a: '1', 'odd key': true, list: [1], nested: { x: 'z', extra: [] } })).toEqual([
      { kind: 'changed', path: '$.a', expected: 1, actual: '1' },
      { kind: 'missing', path: '$.list[1]', expected: 2 },
      { kind: 'changed', path: '$.nested.x', expected: 'y', actual: 'z' },
      { kind: 'unexpected', path: '$.nested.extra', actual: [] },
      { kind: 'missing', path: '$.gone', expected: 0 },
    ]);
    expect(diffJson({ 'a b': 1 }, { 'a b': 2 })).toEqual([{ kind: 'changed', path: '$["a b"]', expected: 1, actual: 2 }]);
  });

  it('treats a value that changes shape as changed at that path, and undefined keys as absent', () => {
    expect(diffJson({ a: [1] }, { a: { 0: 1 } })).toEqual([{ kind: 'changed', path: '$.a', expected: [1], actual: { 0: 1 } }]);
    expect(diffJson({ a: 1, b: undefined }, { a: 1 })).toEqual([]);
    expect(diffJson(null, {})).toEqual([{ kind: 'changed', path: '$', expected: null, actual: {} }]);
  });

  it('reads keys named like what every object inherits as keys like any other', () => {
    expect(diffJson({ a: 1 }, JSON.parse('{"a":1,"constructor":2,"toString":3,"__proto__":4}'))).toEqual([
      { kind: 'unexpected', path: '$.constructor', actual: 2 },
      { kind: 'unexpected', path: '$.toString', actual: 3 },
      { kind: 'unexpected', path: '$.__proto__', actual: 4 },
    ]);
    expect(diffJson({ valueOf: 3 }, {})).toEqual([{ kind: 'missing', path: '$.valueOf', expected: 3 }]);
    expect(diffJson({ amount: 0 }, { amount: -0 })).toEqual([]);
  });

  it('finds a difference exactly when two JSON values are not the same value', () => {
    const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
    fc.assert(
      fc.property(fc.jsonValue().map(asJson), fc.jsonValue().map(asJson), (a, b) => {
        expect(diffJson(a, asJson(a))).toEqual([]);
        expect(diffJson(a, b).length === 0).toBe(canonicalJson(a) === canonicalJson(b));
      }),
    );
  });
});
