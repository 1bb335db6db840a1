import { compareSortKeys } from '../../../projections/read-model-rules';
import type { SortCursor } from '../../../projections/read-model-store';

/**
 * An entry's place: a chunk and an offset in it. The place before the first entry is chunk -1, the place after
 * the last is one chunk past the end; every other place holds an entry.
 */
export interface Place {
  readonly chunk: number;
  readonly offset: number;
}

/** Entries per chunk that a chunk is cut back to when it outgrows twice as many. */
const DEFAULT_CHUNK_SIZE = 512;

/**
 * Index entries in ascending (sort value, id) order, kept in chunks of bounded size. One sorted array per
 * group made every insert and removal a splice of the whole group: a cost growing with the group, which for an
 * index without equality fields is the whole collection (orders awaiting shipment, removed oldest first, moved
 * every other entry along each time). Here a write moves the entries of one chunk, and finding a chunk is a
 * binary search over the chunks' last entries.
 */
export class SortedEntries {
  private readonly chunks: SortCursor[][] = [];

  constructor(private readonly chunkSize = DEFAULT_CHUNK_SIZE) {}

  get isEmpty(): boolean {
    return this.chunks.length === 0;
  }

  insert(entry: SortCursor): void {
    const { chunks } = this;
    if (chunks.length === 0) {
      chunks.push([entry]);
      return;
    }
    // Past every chunk's last entry, it goes at the end of the last chunk.
    const c = Math.min(this.chunkHolding(entry, false), chunks.length - 1);
    const chunk = chunks[c] as SortCursor[];
    chunk.splice(offsetIn(chunk, entry, false), 0, entry);
    if (chunk.length > 2 * this.chunkSize) chunks.splice(c + 1, 0, chunk.splice(this.chunkSize));
  }

  /** Removes the entry equal to `entry`; false if there is none. */
  remove(entry: SortCursor): boolean {
    const c = this.chunkHolding(entry, false);
    const chunk = this.chunks[c];
    if (chunk === undefined) return false;
    const offset = offsetIn(chunk, entry, false);
    const found = chunk[offset];
    if (found === undefined || compareSortKeys(found, entry) !== 0) return false;
    chunk.splice(offset, 1);
    if (chunk.length === 0) this.chunks.splice(c, 1);
    return true;
  }

  /** The place of the first entry ≥ `key`, or the end. */
  atOrAfter(key: SortCursor): Place {
    return this.firstBeyond(key, false);
  }

  /** The place of the first entry > `key`, or the end. */
  after(key: SortCursor): Place {
    return this.firstBeyond(key, true);
  }

  first(): Place {
    return this.chunks.length === 0 ? this.end() : { chunk: 0, offset: 0 };
  }

  end(): Place {
    return { chunk: this.chunks.length, offset: 0 };
  }

  entryAt(place: Place): SortCursor | undefined {
    return this.chunks[place.chunk]?.[place.offset];
  }

  next(place: Place): Place {
    const chunk = this.chunks[place.chunk];
    if (chunk !== undefined && place.offset + 1 < chunk.length) return { chunk: place.chunk, offset: place.offset + 1 };
    return { chunk: Math.min(place.chunk + 1, this.chunks.length), offset: 0 };
  }

  previous(place: Place): Place {
    if (place.offset > 0) return { chunk: place.chunk, offset: place.offset - 1 };
    const before = Math.min(place.chunk, this.chunks.length) - 1;
    const chunk = this.chunks[before];
    return chunk === undefined ? { chunk: -1, offset: 0 } : { chunk: before, offset: chunk.length - 1 };
  }

  /** The first entry ≥ `key` (> `key` when `strictly`), or the end. */
  private firstBeyond(key: SortCursor, strictly: boolean): Place {
    const c = this.chunkHolding(key, strictly);
    const chunk = this.chunks[c];
    return chunk === undefined ? this.end() : { chunk: c, offset: offsetIn(chunk, key, strictly) };
  }

  /**
   * The chunk holding the first entry ≥ `key` (> `key` when `strictly`): the first whose last entry is; the
   * number of chunks if none is. Writes call it for every index entry they move, so it allocates nothing.
   */
  private chunkHolding(key: SortCursor, strictly: boolean): number {
    const { chunks } = this;
    let low = 0;
    let high = chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = chunks[middle] as SortCursor[];
      if (isBefore(chunk[chunk.length - 1] as SortCursor, key, strictly)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** The offset in `chunk` of its first entry ≥ `key` (> `key` when `strictly`); its length if none is. */
const offsetIn = (chunk: readonly SortCursor[], key: SortCursor, strictly: boolean): number => {
  let low = 0;
  let high = chunk.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (isBefore(chunk[middle] as SortCursor, key, strictly)) low = middle + 1;
    else high = middle;
  }
  return low;
};

/** Orders places: the place before the first entry comes before every other, the end after every other. */
export const comparePlaces = (a: Place, b: Place): number => a.chunk - b.chunk || a.offset - b.offset;

/** Whether `entry` comes before the first entry ≥ `key` (> `key` when `strictly`). */
const isBefore = (entry: SortCursor, key: SortCursor, strictly: boolean): boolean => {
  const order = compareSortKeys(entry, key);
  return order < 0 || (strictly && order === 0);
};
