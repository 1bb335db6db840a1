/** Entries done at the front are cut off the list once they are this many and outnumber those left. */
const COMPACT_AFTER = 1_024;

interface Entry {
  readonly position: number;
  done: boolean;
}

/**
 * The position up to which everything has been handled, when positions arrive in rising order but their
 * handling may finish in any order: it moves past a position only once that position and every one before it
 * are done. It is where a restart may resume without skipping anything.
 */
export class CompletionFrontier {
  private entries: Entry[] = [];
  private head = 0;

  constructor(private reached: number) {}

  get position(): number {
    return this.reached;
  }

  /** Registers a position whose handling has begun; `finish` it when done. */
  begin(position: number): Entry {
    const entry = { position, done: false };
    this.entries.push(entry);
    return entry;
  }

  /** Marks an entry done; the new frontier when it moved, otherwise undefined. */
  finish(entry: Entry): number | undefined {
    entry.done = true;
    return this.advance();
  }

  /** A position needing no handling: done as soon as everything before it is. */
  pass(position: number): number | undefined {
    if (this.head === this.entries.length) return this.moveTo(position);
    this.entries.push({ position, done: true });
    return undefined;
  }

  private advance(): number | undefined {
    let last: number | undefined;
    while (this.head < this.entries.length) {
      const entry = this.entries[this.head] as Entry;
      if (!entry.done) break;
      last = entry.position;
      this.head += 1;
    }
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return last === undefined ? undefined : this.moveTo(last);
  }

  private moveTo(position: number): number | undefined {
    if (position <= this.reached) return undefined;
    this.reached = position;
    return position;
  }
}
