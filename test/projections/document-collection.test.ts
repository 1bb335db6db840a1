import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { documentCollection } from '../../src/projections/document-collection';
import type { ProjectionView } from '../../src/projections/projection';
import type { JsonDocument } from '../../src/projections/read-model-store';

const Counter = t.readonly(t.type({ name: t.string, count: t.number, tags: t.readonlyArray(t.string) }), 'Counter');
const counters = documentCollection('counters', Counter);

const viewOf = (documents: Readonly<Record<string, JsonDocument>>): ProjectionView => ({ get: (_collection, id) => Promise.resolve(documents[id]) });

describe('a document collection', () => {
  it('reads back a document of its type as it is', async () => {
    const stored = { name: 'tea', count: 2, tags: ['green'] };
    const read = await counters.read(viewOf({ tea: stored }), 'tea');
    expect(read).toEqual(E.right(stored));
  });

  it.each([
    ['a field of the wrong type', { name: 'tea', count: '2', tags: [] }, 'count'],
    ['a missing field', { name: 'tea', tags: [] }, 'count'],
    ['a wrong element deep inside', { name: 'tea', count: 1, tags: ['green', 7] }, 'tags'],
  ])('reports a stored document with %s as corrupt, naming the field', async (_what, stored, field) => {
    const read = await counters.read(viewOf({ tea: stored as unknown as JsonDocument }), 'tea');
    expect(E.isLeft(read)).toBe(true);
    if (E.isLeft(read)) {
      expect(read.left).toMatchObject({ code: 'CORRUPT_DOCUMENT', collection: 'counters', id: 'tea' });
      expect(read.left.message).toContain(field);
    }
  });

  it('updates from the stored document, or from the initial one when there is none', async () => {
    const view = viewOf({ tea: { name: 'tea', count: 2, tags: [] } });
    const bump = (c: t.TypeOf<typeof Counter>): t.TypeOf<typeof Counter> => ({ ...c, count: c.count + 1 });
    expect(await counters.update(view, 'tea', { name: 'tea', count: 0, tags: [] }, bump)).toEqual(
      E.right({ kind: 'put', collection: 'counters', id: 'tea', document: { name: 'tea', count: 3, tags: [] } }),
    );
    expect(await counters.update(view, 'oolong', { name: 'oolong', count: 0, tags: [] }, bump)).toEqual(
      E.right({ kind: 'put', collection: 'counters', id: 'oolong', document: { name: 'oolong', count: 1, tags: [] } }),
    );
    expect(E.isLeft(await counters.update(viewOf({ tea: { name: 'tea' } }), 'tea', { name: 'tea', count: 0, tags: [] }, bump))).toBe(true);
  });
});
