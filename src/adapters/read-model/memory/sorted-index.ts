import { compareSortValues, indexKeyOf } from '../../../projections/read-model-rules';
import type { IndexDefinition, IndexQuery, JsonDocument, SortCursor } from '../../../projections/read-model-store';
import { comparePlaces, SortedEntries } from './sorted-entries';

/**
 * One declared index: per combination of equality values, the documents' (sort value, id) keys in ascending
 * order (see `sorted-entries.ts`). A write costs binary searches and a splice within one chunk of its group; a
 * page costs binary searches and the page itself, whatever the size of the collection.
 */
export class SortedIndex {
  private readonly groups = new Map<string, SortedEntries>();

  constructor(
    readonly definition: IndexDefinition,
    private readonly chunkSize?: number,
  ) {}

  /** Moves a document's entry from where `before` put it to where `after` puts it (either may be absent). */
  update(id: string, before: JsonDocument | undefined, after: JsonDocument | undefined): void {
    // Most writes leave the indexed fields as they were: nothing to move, and nothing to build to see it.
    if (before !== undefined && after !== undefined && this.sameKeyFields(before, after)) return;
    const old = before === undefined ? undefined : indexKeyOf(this.definition, before);
    const next = after === undefined ? undefined : indexKeyOf(this.definition, after);
    if (old !== undefined && next !== undefined) {
      const sameGroup = old.group.length === next.group.length && old.group.every((value, i) => next.group[i] === value);
      if (sameGroup && compareSortValues(old.value, next.value) === 0) return;
    }
    if (old !== undefined) this.remove(groupKey(old.group), { value: old.value, id });
    if (next !== undefined) this.insert(groupKey(next.group), { value: next.value, id });
  }

  private sameKeyFields(a: JsonDocument, b: JsonDocument): boolean {
    const { equals, sortBy } = this.definition;
    for (const field of equals) if (a[field] !== b[field]) return false;
    return a[sortBy.field] === b[sortBy.field];
  }

  /** The ids of one page of `query` (at most `query.limit + 1`, so the caller knows whether more follow). */
  page(query: IndexQuery): readonly string[] {
    const entries = this.groups.get(groupKey(this.definition.equals.map((field) => query.equals[field] ?? '')));
    if (entries === undefined) return [];
    const wanted = query.limit + 1;
    const { atLeast, below } = query.range ?? {};
    const ids: string[] = [];
    if (query.order === 'ascending') {
      let place = atLeast === undefined ? entries.first() : entries.atOrAfter({ value: atLeast, id: '' });
      if (query.after !== undefined) {
        const afterCursor = entries.after(query.after);
        if (comparePlaces(afterCursor, place) > 0) place = afterCursor;
      }
      for (let entry = entries.entryAt(place); entry !== undefined && ids.length < wanted; place = entries.next(place), entry = entries.entryAt(place)) {
        if (below !== undefined && compareSortValues(entry.value, below) >= 0) break;
        ids.push(entry.id);
      }
    } else {
      let place = entries.previous(below === undefined ? entries.end() : entries.atOrAfter({ value: below, id: '' }));
      if (query.after !== undefined) {
        const beforeCursor = entries.previous(entries.atOrAfter(query.after));
        if (comparePlaces(beforeCursor, place) < 0) place = beforeCursor;
      }
      for (let entry = entries.entryAt(place); entry !== undefined && ids.length < wanted; place = entries.previous(place), entry = entries.entryAt(place)) {
        if (atLeast !== undefined && compareSortValues(entry.value, atLeast) < 0) break;
        ids.push(entry.id);
      }
    }
    return ids;
  }

  private insert(key: string, entry: SortCursor): void {
    const entries = this.groups.get(key);
    if (entries !== undefined) {
      entries.insert(entry);
      return;
    }
    const created = new SortedEntries(this.chunkSize);
    created.insert(entry);
    this.groups.set(key, created);
  }

  private remove(key: string, entry: SortCursor): void {
    const entries = this.groups.get(key);
    if (entries !== undefined && entries.remove(entry) && entries.isEmpty) this.groups.delete(key);
  }
}

/**
 * The key of a group within one index, whose groups all have as many values: a lone value is its own key,
 * which saves building a string for every write to the commonest kind of index.
 */
const groupKey = (values: readonly string[]): string => (values.length === 1 ? (values[0] as string) : JSON.stringify(values));
