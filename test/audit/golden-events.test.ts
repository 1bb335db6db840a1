import * as E from 'fp-ts/Either';
import { readFileSync } from 'node:fs';
import { decodeNdjsonLine } from '../../src/engine/audit/ndjson';
import { ChainVerifier } from '../../src/engine/audit/verify';
import type { EventEnvelope } from '../../src/engine/event-store/envelope';
import { currentEventSchemas, eventSchemaDefinitions, UNCATEGORISED } from '../../src/engine/schema/current-event-schemas';
import { eventTypeNames } from '../../src/engine/schema/event-type-names';
import { decodeStoredEvent, StoredEvent } from '../../src/engine/schema/stored-event';
import { GOLDEN_FILE, goldenLinesToAdd, keyOf, readableVersions } from '../fixtures/golden-events';

/**
 * A change to an event's codec that stored events can no longer satisfy fails here: raise the type's
 * schema version with an upcaster (src/engine/schema/current-event-schemas.ts), then run
 * `npm run fixtures:golden` to add a sample of the new version.
 */
describe('golden event fixtures', () => {
  const golden: EventEnvelope[] = readFileSync(GOLDEN_FILE, 'utf8')
    .split('\n')
    .flatMap((line, index) => {
      if (line.trim() === '') return [];
      const envelope = decodeNdjsonLine(line, index + 1);
      if (E.isLeft(envelope)) throw new Error(`${GOLDEN_FILE}: ${envelope.left.message}`);
      return [envelope.right];
    });

  it('lists every stored event type in the schema registry', () => {
    expect(Object.keys(eventSchemaDefinitions).sort()).toEqual([...eventTypeNames(StoredEvent)].sort());
    expect(eventTypeNames(StoredEvent)).toHaveLength(33);
  });

  it('has one sample of every event type at every schema version, and nothing else', () => {
    const keys = golden.map(keyOf);
    const missing = readableVersions().map(keyOf).filter((key) => !keys.includes(key));
    expect(missing).toEqual([]);
    expect(keys.filter((key, i) => keys.indexOf(key) !== i)).toEqual([]);
    expect(keys.filter((key) => !readableVersions().map(keyOf).includes(key))).toEqual([]);
    expect(goldenLinesToAdd(golden)).toEqual(E.right([]));
  });

  it.each(golden.map((envelope) => [keyOf(envelope), envelope] as const))('still reads %s', (_key, envelope) => {
    const decoded = decodeStoredEvent(StoredEvent, currentEventSchemas, envelope);
    expect(decoded).toEqual(E.right(expect.objectContaining({ type: envelope.type })));
  });

  it('is an honest export: every sample verifies against its hash', () => {
    const verifier = new ChainVerifier();
    golden.forEach((envelope) => verifier.check(envelope));
    expect(verifier.report().ok).toBe(true);
  });

  it('upcasts a CartItemAdded v1 line to v2 with the default category', () => {
    const v1 = golden.find((e) => e.type === 'CartItemAdded' && e.schemaVersion === 1);
    if (v1 === undefined) throw new Error('no CartItemAdded v1 sample');
    expect((v1.data as Record<string, unknown>)['category']).toBeUndefined();
    const decoded = decodeStoredEvent(StoredEvent, currentEventSchemas, v1);
    expect(E.isRight(decoded) && decoded.right.type === 'CartItemAdded' && decoded.right.data.category).toBe(UNCATEGORISED);
  });

  it('keeps the category of a v1 line that already has one', () => {
    const upcast = currentEventSchemas.upcast({ type: 'CartItemAdded', schemaVersion: 1, data: { sku: 'a', category: 'tea' } });
    expect(upcast).toEqual(E.right({ sku: 'a', category: 'tea' }));
  });
});
