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
export class MemoryRejectionJournal implements RejectionJournal {
  private readonly entries: RejectedCommand[] = [];
  private sequence = 0;

  constructor(private readonly capacity = 100_000) {}

  record(entry: Omit<RejectedCommand, 'sequence'>): Promise<void> {
    this.sequence += 1;
    this.entries.push({ sequence: this.sequence, ...entry });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return Promise.resolve();
  }

  read(options: ReadRejectionsOptions = {}): Promise<readonly RejectedCommand[]> {
    const after = options.after ?? 0;
    const limit = options.limit ?? 1_000;
    const found: RejectedCommand[] = [];
    for (const entry of this.entries) {
      if (found.length >= limit) break;
      if (entry.sequence > after && (options.streamId === undefined || entry.streamId === options.streamId)) found.push(entry);
    }
    return Promise.resolve(found);
  }
}
