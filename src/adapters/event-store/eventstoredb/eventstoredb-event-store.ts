import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type ReadRevision,
  type RecordedEvent,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import * as E from 'fp-ts/Either';
import { concat, defer, from, lastValueFrom, Observable, of, Subject, type ObservableInput } from 'rxjs';
import { concatMap, map, switchMap, takeUntil, takeWhile } from 'rxjs/operators';
import { GENESIS_HASH } from '../../../engine/audit/hash-chain';
import type { EventEnvelope, ProposedEvent } from '../../../engine/event-store/envelope';
import {
  expectationHolds,
  filterMatcher,
  NO_STREAM_REVISION,
  wrongExpectedRevision,
  type AppendError,
  type AppendResult,
  type EventFilter,
  type EventMatcher,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadAllPage,
  type ReadStreamOptions,
  type StoreUnavailable,
  type SubscribeOptions,
  type SubscriptionMessage,
} from '../../../engine/event-store/event-store';
import { StreamHead, StreamHeadCache } from '../stream-head-cache';
import { fromRecordedEvent, isOtherApplicationsEvent, toEventData } from './eventstoredb-envelope-codec';
import { eventStoreDbPosition, isEventPosition, isInLog, portPosition } from './eventstoredb-positions';
import { serverSideFilter } from './eventstoredb-server-filter';
import { orderedSubscriptionMessages, type WireMessage } from './ordered-subscription-messages';
import { messageOf } from '../../../engine/error-message';
import { sealedForStore } from '../../../engine/event-store/sealing';

export interface EventStoreDbEventStoreOptions {
  /**
   * How often an append expecting `'any'` re-reads the stream and retries after another writer got in first
   * (100 by default); past that it answers `STORE_UNAVAILABLE`, never a conflict, which `'any'` cannot have.
   */
  readonly appendAttemptsForAny?: number;
  /**
   * How often the server reports a checkpoint on filtered reads and subscriptions, in multiples of its
   * 32-event search window.
   */
  readonly checkpointInterval?: number;
}

export interface InvalidConnectionString {
  readonly code: 'INVALID_CONNECTION_STRING';
  readonly message: string;
}

const DEFAULT_APPEND_ATTEMPTS_FOR_ANY = 100;
const DEFAULT_CHECKPOINT_INTERVAL = 32;
const DEFAULT_PAGE_SIZE = 4_096;
/**
 * Streams whose newest known link the store remembers, so that an append expecting the revision just read
 * or written needs no read first. Bounded: the least recently used are forgotten.
 */
const LINK_CACHE_SIZE = 10_000;
/** Events read per round trip while looking backwards, past system events, for the newest other event. */
const HEAD_SCAN_PAGE = 32;


const unavailable = (message: string, cause?: unknown): StoreUnavailable =>
  cause === undefined ? { code: 'STORE_UNAVAILABLE', message } : { code: 'STORE_UNAVAILABLE', message, cause };

/** A position before the first one (-1, say) is the start of the log, which the server has no number for. */
const fromTheStart = (after: number | undefined): number | undefined => (after === undefined || after < 0 ? undefined : after);

const decodeOrThrow = (recorded: RecordedEvent): EventEnvelope => {
  const decoded = fromRecordedEvent(recorded);
  if (E.isLeft(decoded)) throw new Error(`EventStoreDB returned an event this store cannot read: ${decoded.left}`);
  return decoded.right;
};

const recordedOf = (resolved: ResolvedEvent): RecordedEvent => {
  if (resolved.event === undefined) throw new Error('EventStoreDB returned a link whose event no longer exists');
  return resolved.event;
};

const positionOf = (recorded: RecordedEvent): number => {
  if (recorded.position === undefined) throw new Error(`EventStoreDB returned ${recorded.streamId}@${recorded.revision} without its $all position`);
  return portPosition(recorded.position.commit);
};

/**
 * The items of a read. Leaving the loop early, by `break`, `return` or an exception in the loop's body,
 * cancels the gRPC call and lets the read flow on: gRPC reports a call's end only once its buffered messages
 * have been taken, and the client's `dispose()` waits for every call it started to end. Destroying the read
 * instead, as a plain `for await` does on leaving, would leave the call open for good.
 *
 * A read that reaches its end, or that finds no stream, is not cancelled: the server has ended that call (a
 * "stream not found" reply comes just before its end), and a cancel would only send the server a needless
 * RST_STREAM frame. A server counts those per connection (nghttp2 closes the connection with GOAWAY
 * INTERNAL_ERROR after a burst of 1,000, the HTTP/2 rapid-reset defence), and the engine reads a missing
 * stream for every new cart. Any other failure of the read is cancelled, in case the call is still open.
 */
async function* itemsOf<T>(read: StreamingRead<T>, closing: () => boolean): AsyncGenerator<T, void, undefined> {
  const iterator = read.iterator({ destroyOnReturn: false })[Symbol.asyncIterator]();
  let ended = false;
  try {
    for (;;) {
      let next: IteratorResult<unknown>;
      try {
        next = await iterator.next();
      } catch (error) {
        ended = error instanceof StreamNotFoundError;
        throw error;
      }
      if (next.done === true) {
        ended = true;
        // The client ends a call that closing the store cancelled as if the data had ended: read whole, it
        // would pass for a stream's every event, or a store with none.
        if (closing()) throw new Error('the EventStoreDB event store was closed during the read');
        return;
      }
      yield next.value as T;
    }
  } finally {
    if (!ended) {
      // Unhooks the iterator from the read; only then does `resume` let the rest flow.
      await iterator.return?.();
      read.resume();
      await read.cancel();
    }
  }
}

/** A read that finds no stream reads as no events, as the port defines. */
const eventsOf = async (read: StreamingRead<ResolvedEvent>, closing: () => boolean): Promise<EventEnvelope[]> => {
  const events: EventEnvelope[] = [];
  try {
    for await (const resolved of itemsOf(read, closing)) events.push(decodeOrThrow(recordedOf(resolved)));
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  return events;
};

const actualRevisionOf = (error: WrongExpectedVersionError): number =>
  typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) : NO_STREAM_REVISION;

/** Whether the proposed events are, id for id, the newest events of the stream (`tail` is newest first). */
const isTail = (events: readonly ProposedEvent[], tail: readonly EventEnvelope[]): boolean =>
  tail.length >= events.length && events.every((event, i) => tail[events.length - 1 - i]?.eventId === event.eventId);

/** What a stream's first event is sealed against: no revision, the chain's genesis hash. */
const GENESIS_LINK: StreamHead = { revision: NO_STREAM_REVISION, hash: GENESIS_HASH };

interface SubscriptionProgress {
  /** The newest non-system event when the subscription started; reaching it is being caught up. */
  readonly head: number | undefined;
  /** The furthest position the server has shown us, matching or not. */
  reached: number | undefined;
  /** The furthest position told to the subscriber, as an event or a checkpoint. */
  told: number | undefined;
  caughtUp: boolean;
}

const atLeast = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);

/**
 * The event store over EventStoreDB (gRPC, `@eventstore/db-client` v6; server 22.6 or later, which reports
 * `$all` positions on stream reads; 23.10 or later sends caught-up, earlier ones are detected by position).
 *
 * - Streams are EventStoreDB streams; revisions are the server's. Ids starting with `$` are the server's own
 *   streams and are not supported.
 * - The global position is EventStoreDB's `$all` commit position (see `eventstoredb-positions.ts`).
 * - Each event is a JSON event: the envelope's data as data, every other envelope field as JSON metadata
 *   (see `eventstoredb-envelope-codec.ts`), its id a UUID derived from the engine's id when that is not one.
 * - Everything read is validated; a read that meets an event that is not a valid envelope, or a server
 *   error, rejects its promise (subscriptions error) with an `Error` saying so. Appends never reject: a
 *   conflict is a `WRONG_EXPECTED_REVISION` left, any other failure (connection, server refusal, an invalid
 *   last event in the stream) a `STORE_UNAVAILABLE` left.
 * - Round trips: an append is one message on the client's batch-append stream when it creates a stream or
 *   expects the revision this store last read or wrote there (a bounded cache of chain links); otherwise,
 *   and always for `'any'`, one stream read comes first. An append of several events reads them back for
 *   their positions. A filtered `$all` page is a head read plus a short-lived subscription.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly appendAttemptsForAny: number;
  private readonly checkpointInterval: number;
  private readonly closing = new Subject<void>();
  private readonly links = new StreamHeadCache(LINK_CACHE_SIZE);
  private ownsClient = false;
  private closed = false;
  private readonly isClosing = (): boolean => this.closed;

  /** A store over a connection string such as `esdb://localhost:2113?tls=false`; `close()` disposes the client. */
  static fromConnectionString(
    connectionString: string,
    options: EventStoreDbEventStoreOptions = {},
  ): E.Either<InvalidConnectionString, EventStoreDbEventStore> {
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(connectionString);
    } catch (error) {
      return E.left({ code: 'INVALID_CONNECTION_STRING', message: messageOf(error) });
    }
    const store = new EventStoreDbEventStore(client, options);
    store.ownsClient = true;
    return E.right(store);
  }

  /** A store over a client the caller owns: `close()` leaves it open. */
  constructor(
    private readonly client: EventStoreDBClient,
    options: EventStoreDbEventStoreOptions = {},
  ) {
    this.appendAttemptsForAny = options.appendAttemptsForAny ?? DEFAULT_APPEND_ATTEMPTS_FOR_ANY;
    this.checkpointInterval = options.checkpointInterval ?? DEFAULT_CHECKPOINT_INTERVAL;
  }

  async append(streamId: string, events: readonly ProposedEvent[], expected: ExpectedRevision): Promise<E.Either<AppendError, AppendResult>> {
    if (this.closed) return E.left(unavailable('the EventStoreDB event store is closed'));
    // The server would take them, and every walk of `$all` would then pass them over as its own.
    if (streamId.startsWith('$')) return E.left(unavailable(`stream ${streamId} cannot be appended to: ids starting "$" are EventStoreDB's own`));
    const systemType = events.find((event) => typeof event.type === 'string' && event.type.startsWith('$'));
    if (systemType !== undefined) return E.left(unavailable(`event type ${systemType.type} cannot be appended: types starting "$" are EventStoreDB's own`));
    try {
      return await this.appendOrConflict(streamId, events, expected === NO_STREAM_REVISION ? 'no-stream' : expected);
    } catch (error) {
      return E.left(unavailable(`EventStoreDB append to ${streamId} failed: ${messageOf(error)}`, error));
    }
  }

  /**
   * Seals the events as the next links of the stream's hash chain and appends them at exactly the revision
   * they were sealed against, so the chain cannot fork.
   *
   * - `'no-stream'`: sealed as the stream's first events, sent expecting no stream; no read.
   * - A revision `r`: sealed after the event at `r`, whose hash comes from the link cache or one backwards read
   *   of that one event, and sent expecting `r`. A stream short of `r` is the caller's conflict at once.
   * - `'any'`: sealed after the stream's newest event (read first), sent expecting that event's revision;
   *   losing that race to another writer means reading again, a bounded number of times.
   *
   * The caller's own expectation reaches the server in the first two cases, so a replay of an append that
   * already landed (same ids after the expected revision, e.g. a retry after a lost answer) is recognised by
   * EventStoreDB's idempotency check and answered as a success without writing anything. The adapter expects a
   * replay to carry the same events, as a retried command does, and answers it like the original append. For
   * `'any'`, where the adapter pins a revision of its own, a replay is recognised here instead: the proposed
   * ids are the stream's newest events.
   */
  private async appendOrConflict(streamId: string, events: readonly ProposedEvent[], expected: ExpectedRevision): Promise<E.Either<AppendError, AppendResult>> {
    if (events.length === 0) {
      const actual = (await this.readStream(streamId, { direction: 'backwards', maxCount: 1 }))[0]?.revision ?? NO_STREAM_REVISION;
      return expectationHolds(expected, actual)
        ? E.right({ nextExpectedRevision: actual, events: [] })
        : E.left(wrongExpectedRevision(streamId, expected, actual));
    }
    if (expected === 'any') return this.appendAtTail(streamId, events);
    const link = expected === 'no-stream' ? GENESIS_LINK : await this.linkAt(streamId, expected);
    if (link.revision !== (expected === 'no-stream' ? NO_STREAM_REVISION : expected)) return E.left(wrongExpectedRevision(streamId, expected, link.revision));
    const written = await this.appendAfter(streamId, events, link);
    return E.isLeft(written) ? E.left(wrongExpectedRevision(streamId, expected, written.left)) : written;
  }

  private async appendAtTail(streamId: string, events: readonly ProposedEvent[]): Promise<E.Either<AppendError, AppendResult>> {
    const attempts = Math.max(1, this.appendAttemptsForAny);
    for (let attempt = 1; ; attempt += 1) {
      const tail = await this.readStream(streamId, { direction: 'backwards', maxCount: events.length });
      if (isTail(events, tail)) return E.right({ nextExpectedRevision: (tail[0] as EventEnvelope).revision, events: tail.slice(0, events.length).reverse() });
      const written = await this.appendAfter(streamId, events, tail[0] ?? GENESIS_LINK);
      if (E.isRight(written)) return written;
      // 'any' checks nothing: losing every race is no conflict the caller could resolve, but a busy stream.
      if (attempt >= attempts) return E.left(unavailable(`EventStoreDB append to ${streamId} lost the race for its tail ${attempts} times in a row to other writers`));
    }
  }

  /** The link at revision `revision`: cached, or the event read there (or the stream's last before it). */
  private async linkAt(streamId: string, revision: number): Promise<StreamHead> {
    const cached = this.links.get(streamId);
    if (cached?.revision === revision) return cached;
    const [event] = await this.readStream(streamId, { direction: 'backwards', fromRevision: revision, maxCount: 1 });
    return event ?? GENESIS_LINK;
  }

  /**
   * Appends the events sealed after `link`, expecting the stream to be at `link.revision`; a left carries the
   * stream's actual revision. The server answers with the position of the last event only: a one-event
   * append takes it from there, a longer one reads its events back (one more round trip) and returns them
   * as stored.
   */
  private async appendAfter(streamId: string, events: readonly ProposedEvent[], link: StreamHead): Promise<E.Either<number, AppendResult>> {
    const sealed = sealedForStore(streamId, link.revision, link.hash, events, () => 0);
    if (typeof sealed === 'string') throw new Error(sealed);
    let written: { readonly nextExpectedRevision: number; readonly commit: bigint | undefined };
    try {
      const result = await this.client.appendToStream(streamId, sealed.map(toEventData), {
        expectedRevision: link.revision === NO_STREAM_REVISION ? NO_STREAM : BigInt(link.revision),
      });
      written = { nextExpectedRevision: Number(result.nextExpectedRevision), commit: result.position?.commit };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) return E.left(actualRevisionOf(error));
      throw error;
    }
    const last = sealed[sealed.length - 1] as EventEnvelope;
    if (written.nextExpectedRevision !== last.revision) {
      throw new Error(`EventStoreDB put the events up to revision ${written.nextExpectedRevision}, not ${last.revision}`);
    }
    const stored = sealed.length === 1 && written.commit !== undefined
      ? [{ ...last, position: portPosition(written.commit) }]
      : await this.readBack(streamId, sealed);
    this.remember(streamId, last);
    return E.right({ nextExpectedRevision: written.nextExpectedRevision, events: stored });
  }

  private async readBack(streamId: string, sealed: readonly EventEnvelope[]): Promise<readonly EventEnvelope[]> {
    const first = sealed[0] as EventEnvelope;
    const stored = await this.readStream(streamId, { fromRevision: first.revision, maxCount: sealed.length });
    if (stored.length !== sealed.length || stored.some((event, i) => event.eventId !== sealed[i]?.eventId)) {
      throw new Error(`reading back ${streamId} from revision ${first.revision} did not find the events just appended`);
    }
    return stored;
  }

  /** Remembers the newest link seen of a stream; a link is a permanent fact (events never change), only maybe not the newest. */
  private remember(streamId: string, link: StreamHead): void {
    this.links.learn(streamId, { revision: link.revision, hash: link.hash });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<readonly EventEnvelope[]> {
    this.ensureOpen();
    const backwards = options.direction === 'backwards';
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    let fromRevision: ReadRevision;
    if (options.fromRevision === undefined) fromRevision = backwards ? END : START;
    else if (options.fromRevision < 0) {
      if (backwards) return [];
      fromRevision = START;
    } else fromRevision = BigInt(options.fromRevision);
    const events = await eventsOf(this.client.readStream(streamId, { direction: backwards ? BACKWARDS : FORWARDS, fromRevision, maxCount }), this.isClosing);
    const from = options.fromRevision;
    if (backwards && from !== undefined && from >= 0 && (events[0]?.revision ?? NO_STREAM_REVISION) < from) {
      // Backwards from a revision past the stream's end, EventStoreDB reads the `maxCount` revisions up to it,
      // of which only those that exist: perhaps none. The port reads from the stream's last event, as the
      // other stores do (an append's conflict reports the actual revision from here).
      const tail = await this.readStream(streamId, { direction: 'backwards', maxCount });
      return tail.filter((event) => event.revision <= from);
    }
    const newest = backwards ? events[0] : events[events.length - 1];
    if (newest !== undefined) this.remember(streamId, newest);
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    this.ensureOpen();
    const maxCount = options.maxCount ?? DEFAULT_PAGE_SIZE;
    const after = fromTheStart(options.after);
    if (options.filter === undefined) return this.readAllUnfiltered(after, maxCount);
    return this.readAllFiltered(after, maxCount, options.filter);
  }

  /**
   * A plain `$all` read. EventStoreDB reads forwards from a position inclusively, so a read after `after`
   * asks for one more event and drops the one at `after`. System events are skipped but still move
   * `lastPosition`.
   */
  private async readAllUnfiltered(after: number | undefined, maxCount: number): Promise<ReadAllPage> {
    if (maxCount <= 0) return { events: [], lastPosition: after, isEnd: false };
    const requested = maxCount + (after === undefined ? 0 : 1);
    const read = this.client.readAll({ fromPosition: after === undefined ? START : eventStoreDbPosition(after), maxCount: requested });
    const events: EventEnvelope[] = [];
    let received = 0;
    let lastPosition = after;
    for await (const resolved of itemsOf(read, this.isClosing)) {
      received += 1;
      const recorded = recordedOf(resolved);
      const position = positionOf(recorded);
      if (after !== undefined && position <= after) continue;
      lastPosition = position;
      if (!isOtherApplicationsEvent(recorded)) events.push(decodeOrThrow(recorded));
      if (events.length === maxCount) return { events, lastPosition, isEnd: false };
    }
    return { events, lastPosition, isEnd: received < requested };
  }

  /**
   * A filtered `$all` page, read through a short-lived filtered subscription: the client's plain `$all` read
   * has no server-side filter, the subscription has one, with checkpoints. The head (newest event) is read
   * first; the page ends after `maxCount` matching events, or once the server has shown that it went past the
   * head (an event or checkpoint at or beyond it, or its caught-up message), in which case `lastPosition` is
   * at least the head, however sparse the matches were. Costs: the head read, and opening and cancelling the
   * subscription.
   */
  private async readAllFiltered(after: number | undefined, maxCount: number, filter: EventFilter): Promise<ReadAllPage> {
    const head = await this.headPosition();
    if (head === undefined || (after !== undefined && after >= head)) return { events: [], lastPosition: after, isEnd: true };
    if (maxCount <= 0) return { events: [], lastPosition: after, isEnd: false };
    const events: EventEnvelope[] = [];
    let reached = after;
    let isEnd = false;
    const matches = filterMatcher(filter);
    const step = (message: WireMessage): boolean => {
      if (message.kind === 'caught-up') {
        isEnd = true;
        return false;
      }
      if (message.kind === 'checkpoint') {
        const { position } = message;
        if (!isInLog(position)) return true;
        if (isEventPosition(position)) reached = atLeast(reached, portPosition(position.commit));
        else if (portPosition(position.commit) > head) isEnd = true;
        isEnd ||= reached !== undefined && reached >= head;
        return !isEnd;
      }
      const recorded = recordedOf(message.resolved);
      const position = positionOf(recorded);
      reached = atLeast(reached, position);
      if (!isOtherApplicationsEvent(recorded) && matches(recorded)) events.push(decodeOrThrow(recorded));
      isEnd = position >= head;
      return !isEnd && events.length < maxCount;
    };
    await lastValueFrom(this.wireMessages(after, filter).pipe(map(step), takeWhile(Boolean)), { defaultValue: false });
    return { events, lastPosition: isEnd ? atLeast(reached, head) : reached, isEnd };
  }

  /**
   * A filtered catch-up subscription. The server filters (see `serverSideFilter`); the adapter re-applies the
   * port filter and skips system events. Checkpoints: the server's live checkpoints and some catch-up ones
   * name an event and pass through as they are; catch-up checkpoints that name a boundary between log records
   * ("everything before here was read") are turned into the position of the last event before that boundary,
   * with one backwards read of one event, so that every position handed out is an event's and can be passed
   * back as `after`; the out-of-log checkpoint 24.10 may send on going live is ignored. Caught-up is the
   * server's message (EventStoreDB 23.10+) or the first event or checkpoint at or beyond the head read when the
   * subscription started, whichever comes first. Servers before 23.10 send no caught-up: there, when nothing
   * after the last checkpoint matches, caught-up waits for the server's next checkpoint.
   */
  subscribe(options: SubscribeOptions = {}): Observable<SubscriptionMessage> {
    const { filter } = options;
    const after = fromTheStart(options.after);
    return defer(() => {
      this.ensureOpen();
      return from(this.headPosition());
    }).pipe(
      switchMap((head) => {
        const progress: SubscriptionProgress = { head, reached: after, told: after, caughtUp: false };
        const matches = filterMatcher(filter);
        const alreadyCaughtUp = head === undefined || (after !== undefined && after >= head);
        if (alreadyCaughtUp) progress.caughtUp = true;
        return concat(
          alreadyCaughtUp ? of<SubscriptionMessage>({ kind: 'caught-up', position: head }) : of<SubscriptionMessage>(),
          this.wireMessages(after, filter).pipe(concatMap((message) => this.subscriptionMessages(message, progress, matches))),
        );
      }),
      takeUntil(this.closing),
    );
  }

  private subscriptionMessages(message: WireMessage, progress: SubscriptionProgress, matches: EventMatcher): ObservableInput<SubscriptionMessage> {
    if (message.kind === 'caught-up') return this.caughtUp(progress, progress.reached);
    if (message.kind === 'checkpoint') {
      const { position } = message;
      if (!isInLog(position)) return [];
      if (isEventPosition(position)) return this.checkpoint(progress, portPosition(position.commit));
      return defer(() => this.lastEventPositionBefore(portPosition(position.commit))).pipe(
        concatMap((before) => (before === undefined ? [] : this.checkpoint(progress, before))),
      );
    }
    const recorded = recordedOf(message.resolved);
    const position = positionOf(recorded);
    if (progress.told !== undefined && position <= progress.told) return [];
    progress.reached = atLeast(progress.reached, position);
    const out: SubscriptionMessage[] = [];
    if (!isOtherApplicationsEvent(recorded) && matches(recorded)) {
      out.push({ kind: 'event', event: decodeOrThrow(recorded) });
      progress.told = position;
    }
    if (progress.head !== undefined && position >= progress.head) out.push(...this.caughtUp(progress, position));
    return out;
  }

  private checkpoint(progress: SubscriptionProgress, position: number): SubscriptionMessage[] {
    progress.reached = atLeast(progress.reached, position);
    const out: SubscriptionMessage[] = [];
    if (progress.told === undefined || position > progress.told) {
      out.push({ kind: 'checkpoint', position });
      progress.told = position;
    }
    if (progress.head !== undefined && position >= progress.head) out.push(...this.caughtUp(progress, position));
    return out;
  }

  private caughtUp(progress: SubscriptionProgress, position: number | undefined): SubscriptionMessage[] {
    if (progress.caughtUp) return [];
    progress.caughtUp = true;
    return [{ kind: 'caught-up', position: atLeast(position, progress.head) }];
  }

  private wireMessages(after: number | undefined, filter: EventFilter | undefined): Observable<WireMessage> {
    return orderedSubscriptionMessages(
      this.client,
      after === undefined ? START : eventStoreDbPosition(after),
      serverSideFilter(filter, this.checkpointInterval),
    );
  }

  /**
   * EventStoreDB reads `$all` backwards from a position exclusively: the one event read is the one before it.
   * The read is taken to its end rather than left at its event, which would reset the call (see `itemsOf`).
   */
  private async lastEventPositionBefore(boundary: number): Promise<number | undefined> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: eventStoreDbPosition(boundary), maxCount: 1 });
    let position: number | undefined;
    for await (const resolved of itemsOf(read, this.isClosing)) position ??= positionOf(recordedOf(resolved));
    return position;
  }

  /**
   * The newest event that is not EventStoreDB's own, paging backwards over any system events after it. The
   * first read asks for one event, which is nearly always the answer, and every read is taken to its end
   * instead of being left at the event found, which would reset the call (see `itemsOf`).
   */
  async headPosition(): Promise<number | undefined> {
    this.ensureOpen();
    let before: number | undefined;
    for (let pageSize = 1; ; pageSize = HEAD_SCAN_PAGE) {
      const read = this.client.readAll({
        direction: BACKWARDS,
        fromPosition: before === undefined ? END : eventStoreDbPosition(before),
        maxCount: pageSize,
      });
      let received = 0;
      let head: number | undefined;
      for await (const resolved of itemsOf(read, this.isClosing)) {
        received += 1;
        if (head !== undefined) continue;
        const recorded = recordedOf(resolved);
        before = positionOf(recorded);
        if (!isOtherApplicationsEvent(recorded)) head = before;
      }
      if (head !== undefined) return head;
      if (received < pageSize) return undefined;
    }
  }

  /** Completes open subscriptions; disposes the client if this store created it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.next();
    this.closing.complete();
    if (this.ownsClient) await this.client.dispose();
  }

  private ensureOpen(): void {
    if (this.closed) throw new Error('the EventStoreDB event store is closed');
  }
}
