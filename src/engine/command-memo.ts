import { canonicalJson } from './audit/canonical-json';

/** What the engine remembers of a command id it has handled. */
export interface Remembered<Outcome> {
  readonly command: object;
  /** Undefined when the command's stream holds its outcome: the events it appended, found by its id. */
  readonly outcome: Outcome | undefined;
  /** The first run's outcome while that run is still deciding: a repeat meanwhile waits for it. */
  readonly running: Promise<Outcome> | undefined;
}

/** A command whose outcome its stream cannot tell: a rejection, or an acceptance that appended nothing. */
class RememberedOutcome<Outcome> implements Remembered<Outcome> {
  readonly running = undefined;
  constructor(
    readonly command: object,
    readonly outcome: Outcome,
  ) {}
}

/** A command still being decided. */
class RunningCommand<Outcome> implements Remembered<Outcome> {
  readonly outcome = undefined;
  constructor(
    readonly command: object,
    readonly running: Promise<Outcome>,
  ) {}
}

/**
 * The recent command ids with their commands, so a repeated id gets the same answer without deciding
 * again, and an id reused for a different command is caught. An accepted command's outcome is not kept:
 * its stream's cached state and stored events carry the ids of the commands that wrote them, and the
 * repeat is answered from there. Keeping only the command (every command passes through here) spares the
 * heap an outcome per command; that cost showed as a sixth of W1's time. A forgotten id that comes again is
 * still recognised by its stream.
 *
 * Bounded: ids are forgotten oldest first, from a ring of the ids in the order they were remembered. Once
 * the memo is full every command forgets one, and finding the oldest with `keys().next()` would walk over
 * every deleted slot at the front of the map (V8 compacts it only when it rehashes).
 */
export class CommandMemo<Outcome> {
  /** The command itself, or a RememberedOutcome or RunningCommand holding it. */
  private readonly entries = new Map<string, object>();
  private readonly order: string[] = [];
  /** Where the oldest id is in `order` once the ring is full. */
  private oldest = 0;

  constructor(private readonly capacity: number) {}

  get(commandId: string): Remembered<Outcome> | undefined {
    const entry = this.entries.get(commandId);
    if (entry === undefined) return undefined;
    return entry instanceof RememberedOutcome || entry instanceof RunningCommand ? (entry as Remembered<Outcome>) : { command: entry, outcome: undefined, running: undefined };
  }

  /**
   * Remembers a command as its first run starts. Until its outcome is remembered, a repeat gets that run's
   * outcome rather than deciding again: on a state that changed meanwhile, a repeat of a refused command
   * could be accepted, and act after its caller was told it was refused.
   */
  rememberRunning(commandId: string, command: object, running: Promise<Outcome>): void {
    this.put(commandId, new RunningCommand(command, running));
  }

  /** Remembers a command whose stream holds its outcome. */
  rememberCommand(commandId: string, command: object): void {
    this.put(commandId, command);
  }

  /** Remembers a command with its outcome, for commands whose streams have no record of them. */
  rememberOutcome(commandId: string, command: object, outcome: Outcome): void {
    this.put(commandId, new RememberedOutcome(command, outcome));
  }

  private put(commandId: string, entry: object): void {
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
