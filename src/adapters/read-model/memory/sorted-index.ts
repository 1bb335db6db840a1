import { compareSortKeys, compareSortValues, indexKeyOf } from '../../../projections/read-model-rules';
import type { IndexDefinition, IndexQuery, JsonDocument, SortCursor } from '../../../projections/read-model-store';

/**
 * One declared index: per combination of equality values, the documents' (sort value, id) keys in ascending
 * order. A write costs a binary search and a splice within its group; a page costs a binary search and the
 * page itself, whatever the size of the collection.
 */
export class SortedIndex {
  private readonly groups = new Map<string, SortCursor[]>();

  constructor(readonly definition: IndexDefinition) {}

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
      let start = atLeast === undefined ? 0 : firstAtOrAfter(entries, { value: atLeast, id: '' });
      if (query.after !== undefined) start = Math.max(start, firstAfter(entries, query.after));
      for (let i = start; i < entries.length && ids.length < wanted; i += 1) {
        const entry = entries[i] as SortCursor;
        if (below !== undefined && compareSortValues(entry.value, below) >= 0) break;
        ids.push(entry.id);
      }
    } else {
      let start = below === undefined ? entries.length - 1 : firstAtOrAfter(entries, { value: below, id: '' }) - 1;
      if (query.after !== undefined) start = Math.min(start, firstAtOrAfter(entries, query.after) - 1);
      for (let i = start; i >= 0 && ids.length < wanted; i -= 1) {
        const entry = entries[i] as SortCursor;
        if (atLeast !== undefined && compareSortValues(entry.value, atLeast) < 0) break;
        ids.push(entry.id);
      }
    }
    return ids;
  }

  private insert(key: string, entry: SortCursor): void {
    const entries = this.groups.get(key);
    if (entries === undefined) {
      this.groups.set(key, [entry]);
      return;
    }
    entries.splice(firstAtOrAfter(entries, entry), 0, entry);
  }

  private remove(key: string, entry: SortCursor): void {
    const entries = this.groups.get(key);
    if (entries === undefined) return;
    const at = firstAtOrAfter(entries, entry);
    const found = entries[at];
    if (found === undefined || compareSortKeys(found, entry) !== 0) return;
    entries.splice(at, 1);
    if (entries.length === 0) this.groups.delete(key);
  }
}

/**
 * The key of a group within one index, whose groups all have as many values: a lone value is its own key,
 * which saves building a string for every write to the commonest kind of index.
 */
const groupKey = (values: readonly string[]): string => (values.length === 1 ? (values[0] as string) : JSON.stringify(values));

/** The index of the first entry ≥ `key`. */
const firstAtOrAfter = (entries: readonly SortCursor[], key: SortCursor): number => {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareSortKeys(entries[middle] as SortCursor, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
};

/** The index of the first entry > `key`. */
const firstAfter = (entries: readonly SortCursor[], key: SortCursor): number => {
  let low = 0;
  let high = entries.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareSortKeys(entries[middle] as SortCursor, key) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
};
