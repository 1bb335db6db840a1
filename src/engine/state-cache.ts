/** A loaded aggregate: its state and the revision of the last event folded into it (-1: no stream). */
export interface CachedState<S> {
  readonly state: S;
  readonly revision: number;
}

/**
 * A bounded least-recently-used cache of aggregate states, so a hot stream is not replayed on every
 * command. Entries come from a replay or a successful append, and are dropped on a conflict.
 */
export class StateCache<Entry> {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity: number) {}

  get(streamId: string): Entry | undefined {
    const entry = this.entries.get(streamId);
    if (entry !== undefined) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, entry: Entry): void {
    this.entries.delete(streamId);
    this.entries.set(streamId, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  delete(streamId: string): void {
    this.entries.delete(streamId);
  }

  get size(): number {
    return this.entries.size;
  }
}
