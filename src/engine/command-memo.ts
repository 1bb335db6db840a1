import { canonicalJson } from './audit/canonical-json';

/** What the engine remembers of a command id it has handled. */
export interface MemoEntry<Outcome> {
  readonly command: unknown;
  readonly outcome: Outcome;
}

/**
 * The first outcome of each recent command id, so a repeated id gets the same answer without deciding
 * again. Bounded: a forgotten id that comes again is still recognised by its stream, whose cached state
 * and stored events both carry the ids of the commands that wrote them, and answered from the stream.
 *
 * Ids are forgotten oldest first, from a ring of the ids in the order they were remembered: once the
 * memo is full every command forgets one, and finding the oldest with `keys().next()` would walk over
 * every deleted slot at the front of the map (V8 compacts it only when it rehashes).
 */
export class CommandMemo<Outcome> {
  private readonly entries = new Map<string, MemoEntry<Outcome>>();
  private readonly order: string[] = [];
  /** Where the oldest id is in `order` once the ring is full. */
  private oldest = 0;

  constructor(private readonly capacity: number) {}

  get(commandId: string): MemoEntry<Outcome> | undefined {
    return this.entries.get(commandId);
  }

  remember(commandId: string, entry: MemoEntry<Outcome>): void {
    if (this.entries.has(commandId)) {
      this.entries.set(commandId, entry);
      return;
    }
    if (this.capacity <= 0) return;
    this.entries.set(commandId, entry);
    if (this.order.length < this.capacity) {
      this.order.push(commandId);
      return;
    }
    const forgotten = this.order[this.oldest] as string;
    this.order[this.oldest] = commandId;
    this.oldest = (this.oldest + 1) % this.capacity;
    this.entries.delete(forgotten);
  }
}

/** Whether a repeated command id carries the same command as the first time. */
export const samePayload = (first: unknown, repeat: unknown): boolean => first === repeat || canonicalJson(first) === canonicalJson(repeat);
