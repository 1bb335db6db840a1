import type { Either } from 'fp-ts/Either';
import type { Observable } from 'rxjs';
import type { EventEnvelope, ProposedEvent } from './envelope';

/**
 * The revision a writer believes a stream is at: `'any'` skips the check, `'no-stream'` requires that the
 * stream has no event yet, and a number is the exact revision of the stream's last event.
 */
export type ExpectedRevision = 'any' | 'no-stream' | number;

/** The revision of a stream that has no event. */
export const NO_STREAM_REVISION = -1;

export interface WrongExpectedRevision {
  readonly code: 'WRONG_EXPECTED_REVISION';
  readonly message: string;
  readonly streamId: string;
  readonly expected: ExpectedRevision;
  /** The stream's actual last revision; -1 when the stream does not exist. */
  readonly actual: number;
}

export interface StoreUnavailable {
  readonly code: 'STORE_UNAVAILABLE';
  readonly message: string;
  readonly cause?: unknown;
}

export type AppendError = WrongExpectedRevision | StoreUnavailable;

export interface AppendResult {
  /** The stream's revision after the append: the expected revision for the next one. */
  readonly nextExpectedRevision: number;
  readonly events: readonly EventEnvelope[];
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  readonly direction?: Direction;
  /** Inclusive. Forwards it defaults to the first event; backwards, to the last. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

/** Which events a `$all` read or a subscription delivers; with both fields, an event must match both. */
export interface EventFilter {
  /** The stream id starts with one of these. */
  readonly streamPrefixes?: readonly string[];
  /** The event type is one of these. */
  readonly eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Exclusive: read events after this global position. Omitted: from the first event. */
  readonly after?: number;
  readonly maxCount?: number;
  readonly filter?: EventFilter;
}

export interface ReadAllPage {
  readonly events: readonly EventEnvelope[];
  /**
   * The position the read reached, matching or not: pass it as `after` to continue. With a sparse filter
   * this moves ahead of the last event returned, so a reader never rescans what it skipped.
   */
  readonly lastPosition: number | undefined;
  readonly isEnd: boolean;
}

/**
 * Whether a walk of the log that read `page` after `after` is done. A page may hold no events and not be
 * the end: positions with nothing to read (removed rows, events a store keeps to itself). Only the end, or a
 * read that got no further, stops the walk.
 */
export const walkEndsAt = (page: ReadAllPage, after: number | undefined): boolean =>
  page.isEnd || page.lastPosition === undefined || (after !== undefined && page.lastPosition <= after);

export interface SubscribeOptions {
  readonly after?: number;
  readonly filter?: EventFilter;
}

/**
 * What a subscription delivers: matching events in global order; a `checkpoint` when it has moved past
 * events that did not match (so a filtered reader can store its progress); `caught-up` once, when the
 * catch-up phase has reached the head and live delivery begins.
 */
export type SubscriptionMessage =
  | { readonly kind: 'event'; readonly event: EventEnvelope }
  | { readonly kind: 'checkpoint'; readonly position: number }
  | { readonly kind: 'caught-up'; readonly position: number | undefined };

/**
 * The engine's event-store port. Every adapter (in-memory, PostgreSQL, EventStoreDB) implements it and
 * passes the shared contract suite, `describeEventStoreContract` from `ordersource/testing`.
 */
export interface EventStore {
  /**
   * Appends `events` atomically to `streamId` if the stream is at `expected`; the store assigns revisions,
   * positions and hash-chain links. A mismatch is a `WrongExpectedRevision` value, not an exception.
   */
  append(streamId: string, events: readonly ProposedEvent[], expected: ExpectedRevision): Promise<Either<AppendError, AppendResult>>;
  /** A stream's events; a stream that does not exist reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<readonly EventEnvelope[]>;
  /** One page of every stream's events in global order. */
  readAll(options?: ReadAllOptions): Promise<ReadAllPage>;
  /** Catch-up from `after`, then live, as an Observable; unsubscribing stops it. */
  subscribe(options?: SubscribeOptions): Observable<SubscriptionMessage>;
  /** The global position of the newest event, if any. */
  headPosition(): Promise<number | undefined>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
  /**
   * True for a store that keeps every event in this process's memory. The engine then keeps every stream's
   * state by default: a state takes less memory than the events folded into it, which such a store holds
   * anyway, and a state evicted from a bounded cache costs a decode and fold of all its events on the
   * stream's next command. Absent (false) for a store whose events live elsewhere.
   */
  readonly holdsEventsInMemory?: boolean;
}

export const matchesFilter = (filter: EventFilter | undefined, event: Pick<EventEnvelope, 'streamId' | 'type'>): boolean => {
  if (filter === undefined) return true;
  const { streamPrefixes, eventTypes } = filter;
  if (streamPrefixes !== undefined && !streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) return false;
  if (eventTypes !== undefined && !eventTypes.includes(event.type)) return false;
  return true;
};

/**
 * `matchesFilter` for one filter, made once for a reader that tests many events against it: the event types
 * go into a Set, so a test costs the same however many types the filter names.
 */
export type EventMatcher = (event: Pick<EventEnvelope, 'streamId' | 'type'>) => boolean;

export const filterMatcher = (filter: EventFilter | undefined): EventMatcher => {
  if (filter === undefined) return () => true;
  const { streamPrefixes } = filter;
  const eventTypes = filter.eventTypes === undefined ? undefined : new Set(filter.eventTypes);
  return (event) =>
    (streamPrefixes === undefined || streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) && (eventTypes === undefined || eventTypes.has(event.type));
};

export const wrongExpectedRevision = (streamId: string, expected: ExpectedRevision, actual: number): WrongExpectedRevision => ({
  code: 'WRONG_EXPECTED_REVISION',
  message: `stream ${streamId} is at revision ${actual}, the writer expected ${String(expected)}`,
  streamId,
  expected,
  actual,
});

export const expectationHolds = (expected: ExpectedRevision, actual: number): boolean =>
  expected === 'any' || (expected === 'no-stream' ? actual === NO_STREAM_REVISION : expected === actual);
