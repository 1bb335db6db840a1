import fc from 'fast-check';
import { SortedIndex } from '../../../src/adapters/read-model/memory/sorted-index';
import { compareSortKeys } from '../../../src/projections/read-model-rules';
import type { IndexDefinition, IndexQuery, JsonDocument, SortCursor } from '../../../src/projections/read-model-store';

/*
 * The in-memory index against a model: the documents in a Map, each page computed by filtering and sorting
 * them all. Chunks of 2 entries (split past 4) make every run cross chunk boundaries, which a group of the
 * default size (512) would only do past a thousand entries.
 */

const definition: IndexDefinition = { name: 'by-v', equals: ['g'], sortBy: { field: 'v', type: 'number' } };

const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p', 'q', 'r', 's', 't'];
const value = fc.integer({ min: 0, max: 8 });
const cursor = fc.record({ value, id: fc.constantFrom('', ...ids, 'zz') });

const operation = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), id: fc.constantFrom(...ids), g: fc.constantFrom('x', 'y'), v: value }),
  fc.record({ kind: fc.constant('delete' as const), id: fc.constantFrom(...ids) }),
);

const query = fc.record(
  {
    g: fc.constantFrom('x', 'y', 'none'),
    order: fc.constantFrom('ascending' as const, 'descending' as const),
    atLeast: value,
    below: value,
    after: cursor,
    limit: fc.integer({ min: 1, max: 6 }),
  },
  { requiredKeys: ['g', 'order', 'limit'] },
);

type Query = typeof query extends fc.Arbitrary<infer Q> ? Q : never;

const modelPage = (documents: ReadonlyMap<string, JsonDocument>, q: Query): string[] => {
  const keys: { value: number; id: string }[] = [...documents].filter(([, document]) => document['g'] === q.g).map(([id, document]) => ({ value: document['v'] as number, id }));
  keys.sort(compareSortKeys);
  if (q.order === 'descending') keys.reverse();
  return keys
    .filter((key) => (q.atLeast === undefined || key.value >= q.atLeast) && (q.below === undefined || key.value < q.below))
    .filter((key) => q.after === undefined || (q.order === 'ascending' ? compareSortKeys(key, q.after) > 0 : compareSortKeys(key, q.after) < 0))
    .slice(0, q.limit + 1)
    .map((key) => key.id);
};

const indexQuery = (q: Query): IndexQuery => ({
  collection: 'c',
  index: definition.name,
  equals: { g: q.g },
  order: q.order,
  limit: q.limit,
  ...(q.atLeast === undefined && q.below === undefined ? {} : { range: { ...(q.atLeast === undefined ? {} : { atLeast: q.atLeast }), ...(q.below === undefined ? {} : { below: q.below }) } }),
  ...(q.after === undefined ? {} : { after: q.after }),
});

describe('the in-memory sorted index', () => {
  it('pages as sorting every document would, through any sequence of writes, across chunk boundaries', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(operation.map((op) => ({ op })), query.map((q) => ({ q }))), { maxLength: 300 }), (steps) => {
        const index = new SortedIndex(definition, 2);
        const documents = new Map<string, JsonDocument>();
        for (const step of steps) {
          if ('q' in step) {
            expect(index.page(indexQuery(step.q))).toEqual(modelPage(documents, step.q));
            continue;
          }
          const { op } = step;
          const before = documents.get(op.id);
          const after = op.kind === 'put' ? { g: op.g, v: op.v } : undefined;
          index.update(op.id, before, after);
          if (after === undefined) documents.delete(op.id);
          else documents.set(op.id, after);
        }
        for (const g of ['x', 'y'] as const) {
          const everything: Query = { g, order: 'ascending', limit: ids.length };
          expect(index.page(indexQuery(everything))).toEqual(modelPage(documents, everything));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a large group in order when its entries leave from the front and arrive at the back', () => {
    const index = new SortedIndex({ name: 'by-paid-at', equals: [], sortBy: { field: 'paidAt', type: 'number' } });
    const page = (after?: SortCursor) => index.page({ collection: 'c', index: 'by-paid-at', equals: {}, order: 'ascending', limit: 2, ...(after === undefined ? {} : { after }) });
    for (let n = 0; n < 5_000; n += 1) index.update(`o${n}`, undefined, { paidAt: n });
    for (let n = 0; n < 4_000; n += 1) {
      index.update(`o${n}`, { paidAt: n }, undefined);
      index.update(`o${n + 5_000}`, undefined, { paidAt: n + 5_000 });
    }
    expect(page()).toEqual(['o4000', 'o4001', 'o4002']);
    expect(page({ value: 8_997, id: 'o8997' })).toEqual(['o8998', 'o8999']);
  });
});
