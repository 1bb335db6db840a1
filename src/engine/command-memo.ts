import { canonicalJson } from './audit/canonical-json';

/** What the engine remembers of a command id it has handled. */
export interface MemoEntry<Outcome> {
  readonly streamId: string;
  readonly command: unknown;
  readonly outcome: Outcome;
}

/**
 * The first outcome of each recent command id, so a repeated id gets the same answer without deciding
 * again. Bounded: when an id is forgotten, `onForget` is told its stream, so that the stream is replayed
 * (and its own record of command ids consulted) the next time.
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

  constructor(
    private readonly capacity: number,
    private readonly onForget: (streamId: string) => void,
  ) {}

  get(commandId: string): MemoEntry<Outcome> | undefined {
    return this.entries.get(commandId);
  }

  remember(commandId: string, entry: MemoEntry<Outcome>): void {
    if (this.entries.has(commandId)) {
      this.entries.set(commandId, entry);
      return;
    }
    if (this.capacity <= 0) {
      this.onForget(entry.streamId);
      return;
    }
    this.entries.set(commandId, entry);
    if (this.order.length < this.capacity) {
      this.order.push(commandId);
      return;
    }
    const forgotten = this.order[this.oldest] as string;
    this.order[this.oldest] = commandId;
    this.oldest = (this.oldest + 1) % this.capacity;
    const forgottenEntry = this.entries.get(forgotten);
    this.entries.delete(forgotten);
    if (forgottenEntry !== undefined) this.onForget(forgottenEntry.streamId);
  }
}

/** Whether a repeated command id carries the same command as the first time. */
export const samePayload = (first: unknown, repeat: unknown): boolean => first === repeat || canonicalJson(first) === canonicalJson(repeat);
