import { randomUUID } from 'node:crypto';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { compareLogPositions, eventLogPosition, HEAD_OF_LOG, type LogPosition } from './log-position';
import { defaultAllFilter, type ServerEventFilter } from './server-event-filter';
import type { StoredEvent, TransactionLog } from './transaction-log';
import type { WireCall } from './wire-call';

/** The wire's "no position": 2^64-1, what a -1 position becomes on an unsigned field. */
const NO_POSITION = '18446744073709551615';

/** The server reads catch-up pages of this many events (its `ReadBatchSize`), and searches this far by default. */
export const READ_BATCH_SIZE = 32;

/**
 * The releases whose subscription behaviour the server can show. They differ in one place: where a filtered
 * subscription's catch-up ends, 25.0 reports a checkpoint advanced to the last page read, 24.10 the last
 * position it had sent, which is (2^64-1, 2^64-1) when it started from the beginning and matched nothing yet
 * (KDB-710, fixed in 25.0).
 */
export type EmulatedRelease = '24.10' | '25.0';

export interface SubscriptionFilter {
  readonly filter: ServerEventFilter;
  /** Events considered per catch-up page; the client's `maxSearchWindow`, 32 when it sends none. */
  readonly maxSearchWindow: number;
  /** The client's checkpoint interval multiplier. */
  readonly checkpointIntervalMultiplier: number;
}

type LiveItem = { readonly event: StoredEvent } | { readonly checkpoint: LogPosition };

/**
 * A subscription to `$all`, following EventStoreDB's `Enumerator.AllSubscription` and
 * `Enumerator.AllSubscriptionFiltered`: it registers for live events first, confirms, catches up from the
 * start position in pages (events strictly after it), reports checkpoints every `multiplier × window`
 * considered events during catch-up and once more when catch-up reaches the end, sends caught-up, then
 * delivers live events and the live checkpoints the subscription service raises every `multiplier × window`
 * committed events. A start position names the last event already seen: it is exclusive.
 */
export class AllSubscription {
  private readonly live: LiveItem[] = [];
  private wake: (() => void) | undefined;
  private lastCheckpointSent: LogPosition | undefined;

  constructor(
    private readonly log: TransactionLog,
    private readonly call: WireCall<ReadResp>,
    private readonly toReadResp: (event: StoredEvent) => ReadResp,
    private readonly filter: SubscriptionFilter | undefined,
    private readonly release: EmulatedRelease,
  ) {}

  private get checkpointInterval(): number {
    return this.filter === undefined ? Number.POSITIVE_INFINITY : this.filter.checkpointIntervalMultiplier * this.filter.maxSearchWindow;
  }

  async run(start: LogPosition | 'start' | 'end'): Promise<void> {
    const passes = this.filter?.filter ?? defaultAllFilter;
    let committedSinceCheckpoint = 0;
    const stopLive = this.log.onCommitted((event) => {
      if (passes(event)) this.live.push({ event });
      if (this.filter !== undefined) {
        committedSinceCheckpoint += 1;
        if (committedSinceCheckpoint >= this.checkpointInterval) {
          this.live.push({ checkpoint: eventLogPosition(event.logPosition) });
          committedSinceCheckpoint = 0;
        }
      }
      this.wake?.();
    });
    this.call.onCancel(() => {
      stopLive();
      this.wake?.();
    });
    const lastIndexed = this.log.lastIndexedPosition();
    const confirmedAt = lastIndexed < 0 ? HEAD_OF_LOG : eventLogPosition(lastIndexed);
    await this.call.send(new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));
    let checkpoint = start === 'start' ? HEAD_OF_LOG : start === 'end' ? confirmedAt : start;
    if (compareLogPositions(checkpoint, confirmedAt) < 0) checkpoint = await this.catchUp(checkpoint);
    await this.goLive(checkpoint);
  }

  private async catchUp(from: LogPosition): Promise<LogPosition> {
    let checkpoint = from;
    let position = from;
    let consideredSinceCheckpoint = 0;
    const window = this.filter?.maxSearchWindow ?? READ_BATCH_SIZE;
    for (;;) {
      if (this.call.isCancelled) return checkpoint;
      const page = this.log.readAllForwards(position, READ_BATCH_SIZE, this.filter?.filter, window);
      for (const event of page.events) {
        const eventPosition = eventLogPosition(event.logPosition);
        if (compareLogPositions(eventPosition, checkpoint) <= 0) continue;
        await this.call.send(this.toReadResp(event));
        checkpoint = eventPosition;
      }
      if (this.filter !== undefined) {
        consideredSinceCheckpoint += page.considered;
        const interval = this.checkpointInterval;
        if (page.isEnd || consideredSinceCheckpoint >= interval) {
          if (!page.isEnd) consideredSinceCheckpoint %= interval;
          const advance = !page.isEnd || this.release !== '24.10';
          if (advance && compareLogPositions(checkpoint, page.currentPosition) < 0) checkpoint = page.currentPosition;
          await this.sendCheckpoint(checkpoint);
        }
      }
      if (page.isEnd) return checkpoint;
      position = page.nextPosition;
      // Let the client, appends and cancellation in between pages, as the server's page reads do.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async goLive(from: LogPosition): Promise<void> {
    let checkpoint = from;
    await this.call.send(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
    for (;;) {
      for (let item = this.live.shift(); item !== undefined; item = this.live.shift()) {
        if ('event' in item) {
          const eventPosition = eventLogPosition(item.event.logPosition);
          if (compareLogPositions(eventPosition, checkpoint) <= 0) continue;
          await this.call.send(this.toReadResp(item.event));
          checkpoint = eventPosition;
        } else {
          if (compareLogPositions(item.checkpoint, checkpoint) < 0) continue;
          await this.sendCheckpoint(item.checkpoint);
          checkpoint = item.checkpoint;
        }
      }
      if (this.call.isCancelled) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = undefined;
    }
  }

  /**
   * The server never repeats or moves a checkpoint backwards. Before the first record there is no position to
   * send: 25.0 sends nothing, 24.10 the wire's "no position", 2^64-1 for both halves.
   */
  private async sendCheckpoint(position: LogPosition): Promise<void> {
    const beforeTheLog = compareLogPositions(position, HEAD_OF_LOG) === 0;
    if (beforeTheLog && this.release !== '24.10') return;
    if (this.lastCheckpointSent !== undefined && compareLogPositions(position, this.lastCheckpointSent) <= 0) return;
    this.lastCheckpointSent = position;
    const wire = (offset: number): string => (beforeTheLog ? NO_POSITION : String(offset));
    await this.call.send(new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(wire(position.commit)).setPreparePosition(wire(position.prepare))));
  }
}
