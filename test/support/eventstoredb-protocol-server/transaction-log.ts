import { compareLogPositions, eventLogPosition, type LogPosition } from './log-position';
import { defaultAllFilter, type ServerEventFilter } from './server-event-filter';

/** An event as the log stores it: a self-committed prepare record at `logPosition`, ending at `postPosition`. */
export interface StoredEvent {
  readonly logPosition: number;
  readonly postPosition: number;
  readonly streamId: string;
  readonly revision: number;
  /** Lower-case UUID. */
  readonly eventId: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly createdAtMs: number;
}

export interface ProposedRecord {
  readonly eventId: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export type ExpectedVersion =
  | { readonly kind: 'any' }
  | { readonly kind: 'no-stream' }
  | { readonly kind: 'stream-exists' }
  | { readonly kind: 'revision'; readonly revision: number };

export type WriteOutcome =
  /** `lastRevision` -1 and no position for an empty write to a stream that does not exist. */
  | { readonly kind: 'written' | 'idempotent'; readonly lastRevision: number; readonly lastPosition: number | undefined }
  | { readonly kind: 'wrong-expected-version'; readonly currentRevision: number };

export interface AllPage {
  readonly events: readonly StoredEvent[];
  /** Events looked at, matching or not. */
  readonly considered: number;
  /** Where this page started. */
  readonly currentPosition: LogPosition;
  /** Where the next page starts: the end of the last record considered, with prepare position 0. */
  readonly nextPosition: LogPosition;
  readonly isEnd: boolean;
}

/**
 * A record's size on disk in EventStoreDB is a fixed header plus its variable fields; positions here grow the
 * same way so that they are sparse byte offsets, as a client sees them, not a dense sequence.
 */
const RECORD_HEADER_BYTES = 96;
/** EventStoreDB's cache of recently committed event ids, used for idempotency of `any` appends. */
const RECENT_EVENT_IDS = 100_000;

const utf8Length = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * The protocol test server's storage: one transaction log of events in commit order, streams as index lists
 * over it, the expected-version and idempotency rules of EventStoreDB's `IndexWriter.CheckCommit`, and a
 * notification for every committed event (the subscription service's live feed).
 */
export class TransactionLog {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly recentEventIds = new Map<string, StoredEvent>();
  private readonly committedListeners = new Set<(event: StoredEvent) => void>();
  private nextLogPosition = 0;

  /** Appends with EventStoreDB's rules: expectation check, idempotent replays, atomic write of the batch. */
  write(streamId: string, expected: ExpectedVersion, proposed: readonly ProposedRecord[]): WriteOutcome {
    const stream = this.streams.get(streamId);
    const current = stream === undefined ? -1 : stream.length - 1;
    const decision = this.checkCommit(streamId, stream, current, expected, proposed);
    if (decision.kind !== 'ok') return decision;
    if (proposed.length === 0) {
      return { kind: 'written', lastRevision: current, lastPosition: stream?.[current]?.logPosition };
    }
    const target = stream ?? [];
    if (stream === undefined) this.streams.set(streamId, target);
    const written: StoredEvent[] = [];
    for (const record of proposed) {
      const size = RECORD_HEADER_BYTES + utf8Length(streamId) + utf8Length(record.type) + record.data.length + record.metadata.length;
      const event: StoredEvent = {
        ...record,
        logPosition: this.nextLogPosition,
        postPosition: this.nextLogPosition + size,
        streamId,
        revision: target.length,
        createdAtMs: Date.now(),
      };
      this.nextLogPosition = event.postPosition;
      target.push(event);
      this.log.push(event);
      this.remember(event);
      written.push(event);
    }
    for (const event of written) for (const listener of [...this.committedListeners]) listener(event);
    const last = written[written.length - 1] as StoredEvent;
    return { kind: 'written', lastRevision: last.revision, lastPosition: last.logPosition };
  }

  private checkCommit(
    streamId: string,
    stream: readonly StoredEvent[] | undefined,
    current: number,
    expected: ExpectedVersion,
    proposed: readonly ProposedRecord[],
  ): WriteOutcome | { readonly kind: 'ok' } {
    const ok = { kind: 'ok' } as const;
    const wrong = { kind: 'wrong-expected-version', currentRevision: current } as const;
    if (stream === undefined) return expected.kind === 'any' || expected.kind === 'no-stream' ? ok : wrong;
    if (expected.kind === 'any' || expected.kind === 'stream-exists') {
      // Idempotent only if every id is a recent event of this stream; if the first is not, a new write.
      let first: StoredEvent | undefined;
      let last: StoredEvent | undefined;
      for (const record of proposed) {
        const known = this.recentEventIds.get(record.eventId);
        if (known === undefined || known.streamId !== streamId) return first === undefined ? ok : wrong;
        first ??= known;
        last = known;
      }
      return last === undefined ? ok : { kind: 'idempotent', lastRevision: last.revision, lastPosition: last.logPosition };
    }
    const expectedRevision = expected.kind === 'no-stream' ? -1 : expected.revision;
    if (expectedRevision < current) {
      // A replay: the same ids already stored right after the expected revision.
      if (proposed.length === 0) return wrong;
      for (let i = 0; i < proposed.length; i += 1) {
        if (stream[expectedRevision + 1 + i]?.eventId !== (proposed[i] as ProposedRecord).eventId) return wrong;
      }
      const last = stream[expectedRevision + proposed.length] as StoredEvent;
      return { kind: 'idempotent', lastRevision: last.revision, lastPosition: last.logPosition };
    }
    return expectedRevision > current ? wrong : ok;
  }

  private remember(event: StoredEvent): void {
    this.recentEventIds.delete(event.eventId);
    this.recentEventIds.set(event.eventId, event);
    if (this.recentEventIds.size > RECENT_EVENT_IDS) {
      const oldest = this.recentEventIds.keys().next();
      if (oldest.done !== true) this.recentEventIds.delete(oldest.value);
    }
  }

  /**
   * `undefined` when the stream does not exist. Backwards from a revision, as EventStoreDB's index reader
   * does: the `count` revisions up to it, of which only those that exist (none, past the stream's end by
   * `count` or more); from `'end'`, the last `count` events.
   */
  readStream(streamId: string, from: number | 'start' | 'end', direction: 'forwards' | 'backwards', count: number): readonly StoredEvent[] | undefined {
    const stream = this.streams.get(streamId);
    if (stream === undefined) return undefined;
    if (direction === 'forwards') {
      const start = from === 'start' ? 0 : from === 'end' ? stream.length : from;
      return stream.slice(start, start + Math.min(count, stream.length));
    }
    const last = stream.length - 1;
    const start = from === 'end' ? last : from === 'start' ? 0 : from;
    const lowest = from === 'end' ? 0 : Math.max(0, start - count + 1);
    const events: StoredEvent[] = [];
    for (let revision = Math.min(start, last); revision >= lowest && events.length < count; revision -= 1) events.push(stream[revision] as StoredEvent);
    return events;
  }

  /** The last committed record's offset, -1 when the log is empty: what a subscription confirmation reports. */
  lastIndexedPosition(): number {
    return this.log[this.log.length - 1]?.logPosition ?? -1;
  }

  /** The writer's checkpoint: the end of the log, where a backwards read from "end" starts. */
  endOfLog(): number {
    return this.nextLogPosition;
  }

  /** Index of the first event at or after `from`, forwards reads being inclusive. */
  private firstIndexFrom(from: LogPosition): number {
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareLogPositions(eventLogPosition((this.log[middle] as StoredEvent).logPosition), from) >= 0) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /**
   * One page of a forwards `$all` read from `from` (inclusive): up to `maxCount` events that pass `filter`
   * and at most `maxSearchWindow` events considered, as the server's `AllReader` pages.
   */
  readAllForwards(from: LogPosition, maxCount: number, filter: ServerEventFilter = defaultAllFilter, maxSearchWindow = Number.MAX_SAFE_INTEGER): AllPage {
    const start = from.commit < 0 ? { commit: 0, prepare: 0 } : from;
    const events: StoredEvent[] = [];
    let considered = 0;
    let nextPosition = start;
    let index = this.firstIndexFrom(start);
    let isEnd = false;
    while (events.length < maxCount && considered < maxSearchWindow) {
      const event = this.log[index];
      if (event === undefined) {
        isEnd = true;
        break;
      }
      considered += 1;
      if (filter(event)) events.push(event);
      nextPosition = { commit: event.postPosition, prepare: 0 };
      index += 1;
    }
    return { events, considered, currentPosition: start, nextPosition, isEnd };
  }

  /** A backwards `$all` read: events that end at or before `from` (post-positions), newest first. */
  readAllBackwards(from: LogPosition, maxCount: number, filter: ServerEventFilter = defaultAllFilter): readonly StoredEvent[] {
    let low = 0;
    let high = this.log.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareLogPositions(eventLogPosition((this.log[middle] as StoredEvent).postPosition), from) > 0) high = middle;
      else low = middle + 1;
    }
    let index = low - 1;
    const events: StoredEvent[] = [];
    for (; index >= 0 && events.length < maxCount; index -= 1) {
      const event = this.log[index] as StoredEvent;
      if (filter(event)) events.push(event);
    }
    return events;
  }

  /** Calls `listener` with every event committed from now on, in commit order; the returned function stops it. */
  onCommitted(listener: (event: StoredEvent) => void): () => void {
    this.committedListeners.add(listener);
    return () => this.committedListeners.delete(listener);
  }
}
