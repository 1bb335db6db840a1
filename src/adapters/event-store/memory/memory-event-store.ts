import * as E from 'fp-ts/Either';
import { Observable, Subject } from 'rxjs';
import { GENESIS_HASH, sealEvents } from '../../../engine/audit/hash-chain';
import { type EventEnvelope, isValidProposal, type ProposedEvent } from '../../../engine/event-store/envelope';
import { DerivedIdentifier } from '../../../domain/shared/codecs';
import { messageOf } from '../../../engine/error-message';
import {
  AppendError,
  AppendResult,
  EventStore,
  expectationHolds,
  ExpectedRevision,
  filterMatcher,
  NO_STREAM_REVISION,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  StoreUnavailable,
  SubscribeOptions,
  SubscriptionMessage,
  wrongExpectedRevision,
} from '../../../engine/event-store/event-store';
import { frozenCopy, isDeeplyFrozen, plainJsonCopy } from '../../../engine/frozen-copy';
import { asStoredJson } from '../../../engine/event-store/sealing';

/** A `$all` page with a sparse filter stops after scanning this many events, so one call's work is bounded. */
const MAX_SCAN_PER_PAGE = 65_536;
const DEFAULT_PAGE_SIZE = 4_096;
/** A subscription's catch-up yields to the event loop after this many events. */
const PUMP_CHUNK = 8_192;

/**
 * The data an event keeps: the engine's own, frozen all the way down, as it is; anything else as the
 * durable stores keep it, JSON (a `Date` as its ISO text, not an empty object), in a frozen copy.
 */
const ownData = (data: unknown): unknown => {
  if (isDeeplyFrozen(data)) return data;
  return plainJsonCopy(data) ?? frozenCopy(asStoredJson(data));
};

/**
 * The embedded default store: one array per stream and one global log, so an append costs the same
 * whatever the number of streams. It keeps everything in memory and forgets it with the process.
 */
export class MemoryEventStore implements EventStore {
  readonly holdsEventsInMemory = true;
  private readonly log: EventEnvelope[] = [];
  private readonly streams = new Map<string, EventEnvelope[]>();
  private readonly appended = new Subject<void>();
  private closed = false;

  append(streamId: string, events: readonly ProposedEvent[], expected: ExpectedRevision): Promise<E.Either<AppendError, AppendResult>> {
    return Promise.resolve(this.appendNow(streamId, events, expected));
  }

  /** The synchronous core of `append`, for callers inside the process that want no promise. */
  appendNow(streamId: string, events: readonly ProposedEvent[], expected: ExpectedRevision): E.Either<AppendError, AppendResult> {
    if (this.closed) return E.left({ code: 'STORE_UNAVAILABLE', message: 'the in-memory event store is closed' });
    const stream = this.streams.get(streamId);
    const actual = stream === undefined ? NO_STREAM_REVISION : stream.length - 1;
    if (!expectationHolds(expected, actual)) return E.left(wrongExpectedRevision(streamId, expected, actual));
    if (events.length === 0) return E.right({ nextExpectedRevision: actual, events: [] });
    // What every store refuses: an envelope that would fail the codec on every read, and stop every reader.
    if (stream === undefined && !DerivedIdentifier.is(streamId)) return E.left({ code: 'STORE_UNAVAILABLE', message: `${JSON.stringify(streamId)} is not a valid stream id` });
    const invalid = events.find((event) => !isValidProposal(event));
    if (invalid !== undefined) return E.left({ code: 'STORE_UNAVAILABLE', message: `event ${String(invalid.eventId)} for ${streamId} is not a valid envelope` });
    const previousHash = stream === undefined ? GENESIS_HASH : (stream[stream.length - 1] as EventEnvelope).hash;
    const firstPosition = this.log.length;
    // Every event of a stream holds the same string as its stream id, not one copy per append: a reader
    // keying states by stream id then compares by reference, and the store keeps one copy in memory.
    const id = stream === undefined ? streamId : (stream[0] as EventEnvelope).streamId;
    let sealed: EventEnvelope[];
    try {
      sealed = sealEvents(id, actual, previousHash, events, (i) => firstPosition + i, ownData);
    } catch (error) {
      return E.left({ code: 'STORE_UNAVAILABLE', message: `the events for ${streamId} cannot be stored: ${messageOf(error)}` });
    }
    const target = stream ?? [];
    if (stream === undefined) this.streams.set(streamId, target);
    for (const envelope of sealed) {
      Object.freeze(envelope);
      target.push(envelope);
      this.log.push(envelope);
    }
    // Subject.next costs a closure and a copy of its observer list even with nobody listening.
    if (this.appended.observed) this.appended.next();
    return E.right({ nextExpectedRevision: actual + sealed.length, events: sealed });
  }

  /**
   * Takes stored events as they are — ids, revisions, timestamps, metadata, hash links — after those already
   * here, for an import or a restore from an export. Only the global position is this store's own: the
   * next free one, in the order given. Nothing is checked, so a damaged export comes in damaged and
   * `verifyStore` can say where.
   */
  restore(envelopes: readonly EventEnvelope[]): Promise<E.Either<StoreUnavailable, { readonly restored: number }>> {
    if (this.closed) return Promise.resolve(E.left({ code: 'STORE_UNAVAILABLE', message: 'the in-memory event store is closed' }));
    for (const envelope of envelopes) {
      const restored = Object.freeze({ ...envelope, data: frozenCopy(envelope.data), position: this.log.length });
      const stream = this.streams.get(restored.streamId);
      if (stream === undefined) this.streams.set(restored.streamId, [restored]);
      else stream.push(restored);
      this.log.push(restored);
    }
    if (envelopes.length > 0) this.appended.next();
    return Promise.resolve(E.right({ restored: envelopes.length }));
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<readonly EventEnvelope[]> {
    return Promise.resolve(this.readStreamNow(streamId, options));
  }

  readStreamNow(streamId: string, options: ReadStreamOptions = {}): readonly EventEnvelope[] {
    const stream = this.streams.get(streamId);
    if (stream === undefined) return [];
    // A negative count reads nothing, as the server stores' do; slice would count it from the end.
    const maxCount = Math.max(0, options.maxCount ?? Number.MAX_SAFE_INTEGER);
    if (options.direction === 'backwards') {
      const from = Math.min(options.fromRevision ?? stream.length - 1, stream.length - 1);
      const result: EventEnvelope[] = [];
      for (let revision = from; revision >= 0 && result.length < maxCount; revision -= 1) result.push(stream[revision] as EventEnvelope);
      return result;
    }
    const from = Math.max(options.fromRevision ?? 0, 0);
    // Always a copy: the stream's own array handed out would let a caller reorder the store's history.
    return stream.slice(from, from + Math.min(maxCount, stream.length));
  }

  readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    const maxCount = Math.max(0, options.maxCount ?? DEFAULT_PAGE_SIZE);
    // A position before the first (-2, say) reads from the start, as the server stores do, not from the end.
    const start = Math.max(0, (options.after ?? -1) + 1);
    const { filter } = options;
    let events: EventEnvelope[] = [];
    let position = start;
    if (filter === undefined) {
      // One slice: the page is the caller's own array, allocated once at its size rather than grown push by push.
      position = Math.max(start, Math.min(this.log.length, start + maxCount));
      events = this.log.slice(start, position);
    } else {
      const scanEnd = Math.min(this.log.length, start + Math.max(maxCount, MAX_SCAN_PER_PAGE));
      const matches = filterMatcher(filter);
      for (; position < scanEnd && events.length < maxCount; position += 1) {
        const event = this.log[position] as EventEnvelope;
        if (matches(event)) events.push(event);
      }
    }
    return Promise.resolve({
      events,
      lastPosition: position > start ? position - 1 : options.after,
      isEnd: position >= this.log.length,
    });
  }

  subscribe(options: SubscribeOptions = {}): Observable<SubscriptionMessage> {
    return new Observable<SubscriptionMessage>((subscriber) => {
      let cursor = Math.max(0, (options.after ?? -1) + 1);
      const matches = filterMatcher(options.filter);
      let caughtUp = false;
      let scheduled = false;
      let stopped = false;
      const pump = (): void => {
        scheduled = false;
        if (stopped) return;
        const end = Math.min(this.log.length, cursor + PUMP_CHUNK);
        let lastDelivered = cursor - 1;
        for (; cursor < end; cursor += 1) {
          const event = this.log[cursor] as EventEnvelope;
          if (matches(event)) {
            subscriber.next({ kind: 'event', event });
            lastDelivered = cursor;
            if (stopped) return;
          }
        }
        if (lastDelivered < cursor - 1) subscriber.next({ kind: 'checkpoint', position: cursor - 1 });
        if (cursor < this.log.length) {
          schedule(true);
        } else if (!caughtUp) {
          caughtUp = true;
          subscriber.next({ kind: 'caught-up', position: this.log.length === 0 ? undefined : this.log.length - 1 });
        }
      };
      const schedule = (yieldToEventLoop: boolean): void => {
        if (scheduled || stopped) return;
        scheduled = true;
        if (yieldToEventLoop) setImmediate(pump);
        else queueMicrotask(pump);
      };
      if (this.closed) {
        subscriber.error(new Error('the in-memory event store is closed'));
        return undefined;
      }
      // Closing the store ends its subscriptions, as a server store's do, rather than leaving them waiting.
      const live = this.appended.subscribe({
        next: () => schedule(false),
        complete: () => {
          stopped = true;
          subscriber.complete();
        },
      });
      schedule(false);
      return () => {
        stopped = true;
        live.unsubscribe();
      };
    });
  }

  headPosition(): Promise<number | undefined> {
    return Promise.resolve(this.log.length === 0 ? undefined : this.log.length - 1);
  }

  /** Every stream id, in the order the streams were created. */
  streamIds(): readonly string[] {
    return [...this.streams.keys()];
  }

  close(): Promise<void> {
    this.closed = true;
    this.appended.complete();
    return Promise.resolve();
  }
}
