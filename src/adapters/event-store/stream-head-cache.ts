import { StateCache } from '../../engine/state-cache';

/** Where a stream ends: its last revision and the hash that the next event links to. */
export interface StreamHead {
  readonly revision: number;
  readonly hash: string;
}

/**
 * The heads a store last wrote or read, so that its next append to a stream can link the hash chain without
 * reading the stream's end first. A cached head is only a guess: the store's write applies only if the
 * stream still ends there, and a wrong guess costs a read, never a wrong outcome. Least recently used
 * entries go first once `capacity` is reached; the engine's state cache keeps that order in a linked list,
 * so an eviction costs the same however many streams came and went before it (a Map re-inserted on every
 * hit and evicted with `keys().next()` took ~8 µs an operation with 12,000 streams cycling through 10,000).
 */
export class StreamHeadCache {
  private readonly heads: StateCache<StreamHead>;

  constructor(capacity: number) {
    this.heads = new StateCache<StreamHead>(capacity);
  }

  get(streamId: string): StreamHead | undefined {
    return this.heads.get(streamId);
  }

  /** The head this store's own write just left. */
  set(streamId: string, head: StreamHead): void {
    this.heads.set(streamId, head);
  }

  /**
   * A head seen by a read, which may have started before this store's own later write to the stream:
   * it never replaces a cached head further along.
   */
  learn(streamId: string, head: StreamHead): void {
    const known = this.heads.get(streamId);
    if (known === undefined || known.revision < head.revision) this.heads.set(streamId, head);
  }

  forget(streamId: string): void {
    this.heads.delete(streamId);
  }
}
