import fc from 'fast-check';
import { CompletionFrontier } from '../../../src/engine/process-manager/completion-frontier';

describe('CompletionFrontier', () => {
  it('moves past a position only once it and every position before it are done', () => {
    const frontier = new CompletionFrontier(-1);
    const first = frontier.begin(3);
    const second = frontier.begin(5);
    expect(frontier.pass(6)).toBeUndefined();
    expect(frontier.finish(second)).toBeUndefined();
    expect(frontier.position).toBe(-1);
    expect(frontier.finish(first)).toBe(6);
    expect(frontier.position).toBe(6);
  });

  it('moves at once past a position needing no handling when nothing is under way', () => {
    const frontier = new CompletionFrontier(10);
    expect(frontier.pass(12)).toBe(12);
    expect(frontier.pass(11)).toBeUndefined();
    expect(frontier.position).toBe(12);
  });

  it('stays where it starts until something later is done', () => {
    const frontier = new CompletionFrontier(41);
    const entry = frontier.begin(42);
    expect(frontier.position).toBe(41);
    expect(frontier.finish(entry)).toBe(42);
  });

  it('always stands at the last position of the longest done prefix, whatever order handling finishes in', () => {
    const arrivals = fc.array(fc.record({ handled: fc.boolean(), gap: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 3_000 });
    fc.assert(
      fc.property(arrivals, fc.integer(), (arrived, seed) => {
        const frontier = new CompletionFrontier(-1);
        let position = -1;
        const all = arrived.map(({ handled, gap }) => {
          position += gap;
          return handled ? { position, entry: frontier.begin(position), done: false } : { position, entry: undefined, done: (frontier.pass(position), true) };
        });
        const open = all.filter((arrival) => arrival.entry !== undefined);
        let random = seed;
        let previous = frontier.position;
        while (open.length > 0) {
          random = (Math.imul(random, 1103515245) + 12345) | 0;
          const [next] = open.splice(Math.abs(random) % open.length, 1);
          next!.done = true;
          frontier.finish(next!.entry!);
          const firstOpen = all.findIndex((arrival) => !arrival.done);
          const expected = firstOpen === 0 ? -1 : all[(firstOpen === -1 ? all.length : firstOpen) - 1]!.position;
          expect(frontier.position).toBe(expected);
          expect(frontier.position).toBeGreaterThanOrEqual(previous);
          previous = frontier.position;
        }
        expect(frontier.position).toBe(position);
      }),
      { numRuns: 60 },
    );
  });
});
