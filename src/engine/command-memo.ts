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
 */
export class CommandMemo<Outcome> {
  private readonly entries = new Map<string, MemoEntry<Outcome>>();

  constructor(
    private readonly capacity: number,
    private readonly onForget: (streamId: string) => void,
  ) {}

  get(commandId: string): MemoEntry<Outcome> | undefined {
    return this.entries.get(commandId);
  }

  remember(commandId: string, entry: MemoEntry<Outcome>): void {
    this.entries.set(commandId, entry);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.entries().next();
      if (oldest.done !== true) {
        this.entries.delete(oldest.value[0]);
        this.onForget(oldest.value[1].streamId);
      }
    }
  }
}

/** Whether a repeated command id carries the same command as the first time. */
export const samePayload = (first: unknown, repeat: unknown): boolean => first === repeat || canonicalJson(first) === canonicalJson(repeat);
