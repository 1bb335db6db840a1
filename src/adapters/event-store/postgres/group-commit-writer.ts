import * as E from 'fp-ts/Either';
import type { AppendOutcome, AppendRequest } from './batch-appender';
import { storeUnavailable } from './postgres-errors';

export interface GroupCommitOptions {
  /** The most appends one transaction takes. Default 256. */
  readonly maxBatchSize?: number;
  /** A batch stops growing once it holds this many events (a single larger append still goes alone). Default 8192. */
  readonly maxBatchEvents?: number;
}

interface QueuedAppend {
  readonly request: AppendRequest;
  readonly resolve: (outcome: AppendOutcome) => void;
}

/**
 * Lets concurrent appends share a transaction: while one batch is being written, the appends that arrive
 * queue, and the next batch takes them together. Only one batch is in flight per store, so a process's own
 * batches never race or deadlock with each other, and their order is the order the appends were made in.
 * The first batch starts on the next turn of the event loop, so that a burst of appends made in one turn
 * goes as one.
 */
export class GroupCommitWriter {
  private readonly queue: QueuedAppend[] = [];
  private flushing: Promise<void> | undefined;
  private readonly maxBatchSize: number;
  private readonly maxBatchEvents: number;

  constructor(
    private readonly appendBatch: (requests: readonly AppendRequest[]) => Promise<AppendOutcome[]>,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? 256);
    this.maxBatchEvents = Math.max(1, options.maxBatchEvents ?? 8_192);
  }

  append(request: AppendRequest): Promise<AppendOutcome> {
    return new Promise((resolve) => {
      this.queue.push({ request, resolve });
      this.flushing ??= new Promise<void>((started) => setImmediate(started)).then(() => this.flush());
    });
  }

  /** Resolves once every append queued so far has its outcome. */
  async drain(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchLength());
      const outcomes = await this.appendBatch(batch.map((queued) => queued.request)).catch((error: unknown) =>
        // The batch appender reports failures as values; this guards the queue against a defect that
        // rejects anyway, which would otherwise leave every queued caller waiting forever.
        batch.map(() => E.left(storeUnavailable('the group commit failed', error))),
      );
      batch.forEach((queued, i) => queued.resolve(outcomes[i] ?? E.left(storeUnavailable('the group commit lost this append'))));
    }
    this.flushing = undefined;
  }

  private batchLength(): number {
    let events = 0;
    let length = 0;
    for (const { request } of this.queue) {
      if (length === this.maxBatchSize || (length > 0 && events + request.events.length > this.maxBatchEvents)) break;
      events += request.events.length;
      length += 1;
    }
    return length;
  }
}
