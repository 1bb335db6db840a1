import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson } from '../../../src/engine/audit/canonical-json';
import { HashedFields, hashEvent, sealEvents } from '../../../src/engine/audit/hash-chain';
import { proposedEvents } from '../../../src/testing/contract/proposed-events';

/**
 * The first implementation, kept as the definition of the bytes: every stored hash was taken over this
 * form, so a faster serialiser must produce exactly the same string for every value.
 */
const definition = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(definition).join(',')}]`;
  const record = value as Record<string, unknown>;
  const fields: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const field = record[key];
    if (field !== undefined) fields.push(`${JSON.stringify(key)}:${definition(field)}`);
  }
  return `{${fields.join(',')}}`;
};

const definedHash = (f: HashedFields): string =>
  createHash('sha256')
    .update(
      definition([f.streamId, f.revision, f.previousHash, f.eventId, f.type, f.schemaVersion, f.occurredAt, f.recordedAt, f.commandId, f.correlationId, f.causationId, f.actor, f.data]),
    )
    .digest('hex');

/** Any UTF-16 code unit, lone surrogates and control characters included. */
const anyCodeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) });

const anyValue = fc.anything({
  key: fc.oneof(fc.string(), anyCodeUnits),
  values: [fc.boolean(), fc.integer(), fc.double(), anyCodeUnits, fc.constant(null), fc.constant(undefined)],
  withSparseArray: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withBoxedValues: true,
  withTypedArray: true,
});

describe('canonicalJson', () => {
  it('writes the same bytes as its definition for JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => expect(canonicalJson(value)).toBe(definition(value))), { numRuns: 2000 });
  });

  it('writes the same bytes as its definition for any value: holes, undefined, NaN, -0, dates, maps, lone surrogates', () => {
    fc.assert(fc.property(anyValue, (value) => expect(canonicalJson(value)).toBe(definition(value))), { numRuns: 2000 });
    const exotic: unknown[] = [
      [1, , 3],
      [undefined, () => 1, Symbol('s')],
      { b: undefined, a: NaN, c: -0, d: Infinity },
      { '\ud800': '\udc00x', '"': '\\', '\u0001': '\u2028\u007f', '10': 1, '9': 2, b: 3, B: 4 },
      new Date(0),
      'a\ud83d\ude00b',
    ];
    for (const value of exotic) expect(canonicalJson(value)).toBe(definition(value));
  });

  it('does not depend on the order keys were written in', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, { e: 3, f: 2 }] }, b: 1 }));
  });
});

describe('hashEvent', () => {
  it('hashes the canonical JSON of the chained fields as it always has', () => {
    const fields = fc.record({
      streamId: anyCodeUnits,
      revision: fc.nat(),
      previousHash: fc.string(),
      eventId: fc.uuid(),
      type: fc.string(),
      schemaVersion: fc.nat(),
      occurredAt: fc.nat(),
      recordedAt: fc.nat(),
      commandId: anyCodeUnits,
      correlationId: fc.string(),
      causationId: fc.string(),
      actor: anyCodeUnits,
      data: fc.jsonValue(),
    });
    fc.assert(fc.property(fields, (f) => expect(hashEvent(f)).toBe(definedHash(f))), { numRuns: 500 });
  });

  it('gives the recorded digest of a known event', () => {
    const known: HashedFields = {
      streamId: 'cart-alice',
      revision: 2,
      previousHash: 'ab'.repeat(32),
      eventId: '00000000-0000-4000-8000-000000000003',
      type: 'CartItemAdded',
      schemaVersion: 1,
      occurredAt: 1764061200000,
      recordedAt: 1764061200001,
      commandId: 'cmd-3',
      correlationId: 'journey-alice',
      causationId: 'cmd-3',
      actor: 'alice',
      data: {
        sku: 'tea-oolong',
        cartId: 'alice',
        name: 'Oolong "tea" 250 g — 烏龍 \u2028',
        unitPrice: { currency: 'CNY', amount: 6800 },
        quantity: 2,
        category: 'tea',
        note: undefined,
        tags: ['a', null, 1.5, -0, true],
      },
    };
    // Computed with the first implementation (createHash over `definition`), before it was optimised.
    expect(hashEvent(known)).toBe('600217339b860dd0e2619335c86d09cab5005a38e9113a921b29753b25124d10');
  });
});

describe('sealEvents', () => {
  it('links each envelope to the previous hash and covers every field but the position', () => {
    const sealed = sealEvents('stream-a', 4, 'cd'.repeat(32), proposedEvents(3), (i) => 100 + i);
    let previous = 'cd'.repeat(32);
    sealed.forEach((envelope, i) => {
      expect(envelope.revision).toBe(5 + i);
      expect(envelope.position).toBe(100 + i);
      expect(envelope.previousHash).toBe(previous);
      const { position: _position, hash, ...fields } = envelope;
      expect(hash).toBe(definedHash(fields));
      previous = hash;
    });
    expect(Object.keys(sealed[0] ?? {})).toEqual([
      'eventId',
      'type',
      'schemaVersion',
      'data',
      'occurredAt',
      'recordedAt',
      'commandId',
      'correlationId',
      'causationId',
      'actor',
      'streamId',
      'revision',
      'previousHash',
      'position',
      'hash',
    ]);
  });
});
