/** Where a stream ends: its last revision and the hash that the next event links to. */
export interface StreamHead {
  readonly revision: number;
  readonly hash: string;
}

/**
 * The heads this store last wrote, so that its next append to a stream can skip reading the head. A cached
 * head is only a guess: the write applies only if the stream is still there, and a wrong guess costs a
 * re-read, never a wrong outcome. Least recently used entries go first once `capacity` is reached.
 */
export class StreamHeadCache {
  private readonly heads = new Map<string, StreamHead>();

  constructor(private readonly capacity: number) {}

  get(streamId: string): StreamHead | undefined {
    const head = this.heads.get(streamId);
    if (head !== undefined) {
      this.heads.delete(streamId);
      this.heads.set(streamId, head);
    }
    return head;
  }

  set(streamId: string, head: StreamHead): void {
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
    if (this.heads.size > this.capacity) {
      const oldest = this.heads.keys().next();
      if (oldest.done !== true) this.heads.delete(oldest.value);
    }
  }

  forget(streamId: string): void {
    this.heads.delete(streamId);
  }
}
