/** A loaded aggregate: its state and the revision of the last event folded into it (-1: no stream). */
export interface CachedState<S> {
  readonly state: S;
  readonly revision: number;
}

/**
 * A bounded least-recently-used cache of aggregate states, so a hot stream is not replayed on every
 * command. Entries are only ever written after a successful append, and dropped on a conflict.
 */
export class StateCache<S> {
  private readonly entries = new Map<string, CachedState<S>>();

  constructor(private readonly capacity: number) {}

  get(streamId: string): CachedState<S> | undefined {
    const entry = this.entries.get(streamId);
    if (entry !== undefined) {
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  set(streamId: string, entry: CachedState<S>): void {
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
