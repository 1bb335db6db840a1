import type { CommandError } from './command-error';

/** A command the engine refused, kept so that operators can see what was attempted and why it failed. */
export interface RejectedCommand {
  /** Increases by one with every entry: pass the last one seen as `after` to read on. */
  readonly sequence: number;
  readonly commandId: string;
  readonly command: unknown;
  readonly actor: string;
  readonly correlationId: string;
  readonly streamId: string;
  /** The revision of the state the command was decided on; -1 when the stream did not exist. */
  readonly stateRevision: number | undefined;
  readonly error: CommandError;
  readonly rejectedAt: number;
}

export interface ReadRejectionsOptions {
  readonly after?: number;
  readonly limit?: number;
  readonly streamId?: string;
}

/** Where rejected commands are kept. The engine writes to it; hosts read it back. */
export interface RejectionJournal {
  record(entry: Omit<RejectedCommand, 'sequence'>): Promise<void>;
  read(options?: ReadRejectionsOptions): Promise<readonly RejectedCommand[]>;
}

/**
 * The default journal: the newest `capacity` rejections in memory. A host that must keep every rejection
 * across restarts passes a durable journal of its own.
 */
const DEFAULT_CAPACITY = 100_000;

export class MemoryRejectionJournal implements RejectionJournal {
  /** Oldest first until full; then a ring whose oldest entry is at `oldest`, so keeping one more moves nothing. */
  private readonly entries: RejectedCommand[] = [];
  private oldest = 0;
  private sequence = 0;
  private readonly capacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    this.capacity = Number.isNaN(capacity) ? DEFAULT_CAPACITY : Math.max(0, Math.floor(capacity));
  }

  record(entry: Omit<RejectedCommand, 'sequence'>): Promise<void> {
    this.sequence += 1;
    // Frozen: whoever reads the journal must not be able to rewrite what it says was refused.
    const kept: RejectedCommand = Object.freeze({ sequence: this.sequence, ...entry });
    if (this.entries.length < this.capacity) this.entries.push(kept);
    else if (this.capacity > 0) {
      this.entries[this.oldest] = kept;
      this.oldest = (this.oldest + 1) % this.capacity;
    }
    return Promise.resolve();
  }

  read(options: ReadRejectionsOptions = {}): Promise<readonly RejectedCommand[]> {
    // Sequences are whole: a fractional `after` reads on from the next whole one.
    const after = Math.floor(options.after ?? 0);
    const limit = options.limit ?? 1_000;
    const count = this.entries.length;
    // Sequences are consecutive, so the first entry after `after` is found by its distance from the oldest.
    const firstSequence = this.sequence - count + 1;
    const found: RejectedCommand[] = [];
    for (let i = Math.max(0, Math.min(count, after - firstSequence + 1)); i < count && found.length < limit; i += 1) {
      const entry = this.entries[(this.oldest + i) % count] as RejectedCommand;
      if (options.streamId === undefined || entry.streamId === options.streamId) found.push(entry);
    }
    return Promise.resolve(found);
  }
}
