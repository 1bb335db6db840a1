/** A loaded aggregate: its state and the revision of the last event folded into it (-1: no stream). */
export interface CachedState<S> {
  readonly state: S;
  readonly revision: number;
}

interface Node<Entry> {
  readonly streamId: string;
  /** Undefined while suspended: the stream keeps its place, but nothing is read from it. */
  entry: Entry | undefined;
  /** Towards the most recently used end. */
  newer: Node<Entry> | undefined;
  older: Node<Entry> | undefined;
}

/**
 * A bounded least-recently-used cache of aggregate states, so a hot stream is not replayed on every
 * command. Entries come from a replay or a successful append, and are dropped on a conflict. The durable
 * event-store adapters keep their stream heads in one too (`stream-head-cache.ts`).
 *
 * Recency is a doubly linked list beside the map, so a hit and an eviction cost a few pointer moves: no
 * delete-and-reinsert on every hit, and no `keys().next()` to find the oldest, which in V8 walks over every
 * deleted slot at the front of the map and made each eviction cost thousands of steps once the cache was
 * full (every command, when there are more streams than the capacity).
 */
export class StateCache<Entry> {
  private readonly nodes = new Map<string, Node<Entry>>();
  private newest: Node<Entry> | undefined;
  private oldest: Node<Entry> | undefined;

  constructor(private readonly capacity: number) {}

  get(streamId: string): Entry | undefined {
    const node = this.nodes.get(streamId);
    if (node === undefined || node.entry === undefined) return undefined;
    this.touch(node);
    return node.entry;
  }

  set(streamId: string, entry: Entry): void {
    const existing = this.nodes.get(streamId);
    if (existing !== undefined) {
      existing.entry = entry;
      this.touch(existing);
      return;
    }
    const node: Node<Entry> = { streamId, entry, newer: undefined, older: this.newest };
    if (this.newest !== undefined) this.newest.newer = node;
    this.newest = node;
    this.oldest ??= node;
    this.nodes.set(streamId, node);
    if (this.nodes.size > this.capacity && this.oldest !== undefined) this.remove(this.oldest);
  }

  /**
   * Stops answering for a stream until its next `set`, without giving up its place: what a command does
   * while its append is in flight, so that nobody decides on a state about to be superseded. A delete and a
   * set again would cost every command two map operations and a new node.
   */
  suspend(streamId: string): void {
    const node = this.nodes.get(streamId);
    if (node !== undefined) node.entry = undefined;
  }

  /** Whether a command's append to the stream is under way: what is cached for it is about to change. */
  isSuspended(streamId: string): boolean {
    const node = this.nodes.get(streamId);
    return node !== undefined && node.entry === undefined;
  }

  delete(streamId: string): void {
    const node = this.nodes.get(streamId);
    if (node !== undefined) this.remove(node);
  }

  /** Streams held, suspended ones included. */
  get size(): number {
    return this.nodes.size;
  }

  private touch(node: Node<Entry>): void {
    if (node === this.newest) return;
    this.unlink(node);
    node.newer = undefined;
    node.older = this.newest;
    if (this.newest !== undefined) this.newest.newer = node;
    this.newest = node;
    this.oldest ??= node;
  }

  private remove(node: Node<Entry>): void {
    this.unlink(node);
    this.nodes.delete(node.streamId);
  }

  private unlink(node: Node<Entry>): void {
    if (node.newer === undefined) this.newest = node.older;
    else node.newer.older = node.older;
    if (node.older === undefined) this.oldest = node.newer;
    else node.older.newer = node.newer;
    node.newer = undefined;
    node.older = undefined;
  }
}
