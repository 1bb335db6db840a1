import { manualClock, sequentialIds, timeOrderedIds } from '../../src';

const VERSION_7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisecondsOf = (id: string): number => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('timeOrderedIds', () => {
  it('makes RFC 9562 version 7 UUIDs carrying the clock’s millisecond', () => {
    const clock = manualClock(Date.UTC(2026, 10, 25, 12, 0, 0, 123));
    const newId = timeOrderedIds(clock.now);
    const id = newId();
    expect(id).toMatch(VERSION_7);
    expect(millisecondsOf(id)).toBe(clock.now());
    clock.advance(1_000);
    expect(millisecondsOf(newId())).toBe(clock.now());
  });

  it('ids sort in the order they were made, within a millisecond and past the counter’s end', () => {
    const clock = manualClock(Date.UTC(2026, 10, 25));
    const newId = timeOrderedIds(clock.now);
    // A clock standing still for 10,000 ids overruns the 12-bit counter at least twice.
    const ids = Array.from({ length: 10_000 }, () => newId());
    expect(ids.every((id) => VERSION_7.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(millisecondsOf(ids[ids.length - 1] as string)).toBeGreaterThan(clock.now());
  });

  it('never goes back when the clock does', () => {
    const clock = manualClock(Date.UTC(2026, 10, 25));
    const newId = timeOrderedIds(clock.now);
    const before = newId();
    clock.advance(-60_000);
    const after = newId();
    expect(after > before).toBe(true);
  });

  it('draws fresh random bits for every millisecond, past the end of any batch of entropy', () => {
    const clock = manualClock(Date.UTC(2026, 10, 25));
    const newId = timeOrderedIds(clock.now);
    const randomPartOf = (id: string): string => id.slice(19);
    const parts = Array.from({ length: 5_000 }, () => {
      clock.advance(1);
      return randomPartOf(newId());
    });
    expect(new Set(parts).size).toBe(parts.length);
  });

  it('two generators in the same millisecond do not collide', () => {
    const clock = manualClock(Date.UTC(2026, 10, 25));
    const first = timeOrderedIds(clock.now);
    const second = timeOrderedIds(clock.now);
    const ids = new Set(Array.from({ length: 2_000 }, (_, i) => (i % 2 === 0 ? first() : second())));
    expect(ids.size).toBe(2_000);
  });
});

describe('sequentialIds', () => {
  it('numbers UUID-shaped ids from 1 under the seed', () => {
    const newId = sequentialIds(0xabc);
    expect([newId(), newId()]).toEqual(['00000abc-0000-4000-8000-000000000001', '00000abc-0000-4000-8000-000000000002']);
  });
});
