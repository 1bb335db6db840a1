import * as E from 'fp-ts/Either';
import type { EventEnvelope } from '../event-store/envelope';
import type { EventStore } from '../event-store/event-store';
import { StoreReadFailed, storeReadFailed } from './audit-errors';
import { GENESIS_HASH, hashEvent } from './hash-chain';

/**
 * - `altered`: the event's content no longer matches its hash.
 * - `removed`: revisions are missing before this event (a gap that never fills), or the event is chained
 *   to one that is not in the stream.
 * - `inserted`: the event claims a revision the stream already has, or the event before it forks the
 *   chain (both claim the same predecessor).
 * - `reordered`: the event comes before a lower revision of its stream in the log.
 */
export type TamperKind = 'altered' | 'removed' | 'inserted' | 'reordered';

/** The first event of a stream found not to be as it was written, and what was expected in its place. */
export interface TamperFinding {
  readonly kind: TamperKind;
  readonly streamId: string;
  /** The revision the suspect event carries. */
  readonly revision: number;
  readonly eventId: string;
  /** Where the suspect event is in the log that was walked. */
  readonly position: number;
  /** `altered`: the hash of the content. `removed`, `inserted`, `reordered`: a revision or the expected link. */
  readonly expected: string | number;
  /** What the event carries instead. */
  readonly actual: string | number;
  readonly message: string;
}

export type StreamVerdict =
  | {
      readonly status: 'ok';
      readonly streamId: string;
      readonly eventCount: number;
      /** The last link of the chain: keep it elsewhere to detect, later, a stream truncated or rewritten from here. */
      readonly headRevision: number;
      readonly headHash: string;
    }
  | { readonly status: 'tampered'; readonly streamId: string; readonly eventCount: number; readonly finding: TamperFinding }
  /** A stream asked for by id that has no event at all. */
  | { readonly status: 'not-found'; readonly streamId: string; readonly eventCount: 0 };

export interface VerificationReport {
  /** True when every stream verified. */
  readonly ok: boolean;
  readonly eventCount: number;
  readonly streams: readonly StreamVerdict[];
}

/** Revisions skipped at some point of a stream, kept until either they arrive later (reordered) or not (removed). */
interface PendingGap {
  readonly firstMissing: number;
  readonly lastMissing: number;
  readonly early: EventEnvelope;
}

/** What is kept per stream while walking: the last link only, so memory grows with streams, not events. */
interface StreamCheck {
  nextRevision: number;
  lastHash: string;
  lastPreviousHash: string | undefined;
  last: Pick<EventEnvelope, 'eventId' | 'revision' | 'position'> | undefined;
  eventCount: number;
  gap: PendingGap | undefined;
  finding: TamperFinding | undefined;
}

const finding = (kind: TamperKind, event: Pick<EventEnvelope, 'streamId' | 'revision' | 'eventId' | 'position'>, expected: string | number, actual: string | number, message: string): TamperFinding => ({
  kind,
  streamId: event.streamId,
  revision: event.revision,
  eventId: event.eventId,
  position: event.position,
  expected,
  actual,
  message,
});

const describeGap = (gap: PendingGap): string =>
  gap.firstMissing === gap.lastMissing ? `revision ${gap.firstMissing}` : `revisions ${gap.firstMissing}–${gap.lastMissing}`;

/**
 * Checks hash chains event by event, in the order a log or a stream delivers them, and reports per stream
 * the first event that breaks its chain. Each event is checked against its own hash first, then against the
 * last event seen of its stream.
 */
export class ChainVerifier {
  private readonly streams = new Map<string, StreamCheck>();
  private events = 0;

  check(event: EventEnvelope): void {
    this.events += 1;
    let stream = this.streams.get(event.streamId);
    if (stream === undefined) {
      stream = { nextRevision: 0, lastHash: GENESIS_HASH, lastPreviousHash: undefined, last: undefined, eventCount: 0, gap: undefined, finding: undefined };
      this.streams.set(event.streamId, stream);
    }
    stream.eventCount += 1;
    if (stream.finding !== undefined) return;
    if (stream.gap !== undefined) {
      // Only the missing revisions matter now: whether they turn up decides between reordered and removed.
      const { gap } = stream;
      if (event.revision >= gap.firstMissing && event.revision <= gap.lastMissing) {
        stream.finding = finding(
          'reordered',
          gap.early,
          gap.firstMissing,
          gap.early.revision,
          `event ${gap.early.eventId} (revision ${gap.early.revision}) comes before ${describeGap(gap)} of ${event.streamId} in the log`,
        );
      }
      return;
    }
    stream.finding = this.firstProblem(stream, event);
    if (stream.finding !== undefined || stream.gap !== undefined) return;
    stream.nextRevision = event.revision + 1;
    stream.lastPreviousHash = event.previousHash;
    stream.lastHash = event.hash;
    stream.last = { eventId: event.eventId, revision: event.revision, position: event.position };
  }

  /** The verdict on every stream seen so far, in the order each was first seen. */
  report(): VerificationReport {
    const streams = [...this.streams.entries()].map(([streamId, stream]): StreamVerdict => {
      const { gap } = stream;
      const settled =
        stream.finding ??
        (gap === undefined
          ? undefined
          : finding('removed', gap.early, gap.firstMissing, gap.early.revision, `${describeGap(gap)} of ${streamId} are missing before event ${gap.early.eventId}`));
      if (settled !== undefined) return { status: 'tampered', streamId, eventCount: stream.eventCount, finding: settled };
      return { status: 'ok', streamId, eventCount: stream.eventCount, headRevision: stream.nextRevision - 1, headHash: stream.lastHash };
    });
    return { ok: streams.every((s) => s.status === 'ok'), eventCount: this.events, streams };
  }

  private firstProblem(stream: StreamCheck, event: EventEnvelope): TamperFinding | undefined {
    const contentHash = hashEvent(event);
    if (contentHash !== event.hash) {
      return finding('altered', event, contentHash, event.hash, `event ${event.eventId} (revision ${event.revision} of ${event.streamId}) no longer matches its hash`);
    }
    if (event.revision < stream.nextRevision) {
      return finding(
        'inserted',
        event,
        stream.nextRevision,
        event.revision,
        `event ${event.eventId} claims revision ${event.revision} of ${event.streamId}, which the stream already has`,
      );
    }
    if (event.revision > stream.nextRevision) {
      stream.gap = { firstMissing: stream.nextRevision, lastMissing: event.revision - 1, early: event };
      return undefined;
    }
    if (event.previousHash === stream.lastHash) return undefined;
    const { last } = stream;
    if (last !== undefined && event.previousHash === stream.lastPreviousHash) {
      return finding(
        'inserted',
        { streamId: event.streamId, ...last },
        event.previousHash,
        stream.lastHash,
        `event ${last.eventId} (revision ${last.revision} of ${event.streamId}) was inserted: the next event is chained to the one before it`,
      );
    }
    return finding(
      'removed',
      event,
      stream.lastHash,
      event.previousHash,
      `event ${event.eventId} (revision ${event.revision} of ${event.streamId}) is chained to an event that is not in the stream: the one before it was removed or replaced`,
    );
  }
}

export interface VerifyOptions {
  /** Verify only these streams, each read on its own; by default every stream, walking the whole log. */
  readonly streamIds?: readonly string[];
  /** Events per `readAll` page. */
  readonly pageSize?: number;
  /** Called after each page (or stream) with the events read so far and, when known, how many there are. */
  readonly onProgress?: (eventsRead: number, total: number | undefined) => void;
}

const DEFAULT_PAGE_SIZE = 4_096;

const verifyLog = async (store: EventStore, verifier: ChainVerifier, options: VerifyOptions): Promise<void> => {
  const head = await store.headPosition();
  const total = head === undefined ? 0 : head + 1;
  let after: number | undefined;
  let read = 0;
  for (;;) {
    const page = await store.readAll({ maxCount: options.pageSize ?? DEFAULT_PAGE_SIZE, ...(after === undefined ? {} : { after }) });
    for (const event of page.events) verifier.check(event);
    read += page.events.length;
    options.onProgress?.(read, Math.max(total, read));
    if (page.isEnd || page.lastPosition === undefined || page.events.length === 0) return;
    after = page.lastPosition;
  }
};

/**
 * Walks `store` (every stream through `readAll`, or the streams named in `options.streamIds`) and says,
 * per stream, whether its hash chain holds or which event first breaks it. A chain proves that no event
 * was changed, removed, inserted or moved without rewriting every later event of its stream; a stream
 * cut short at its end, or rewritten to its end, is found by comparing its head with one kept elsewhere.
 */
export const verifyStore = async (store: EventStore, options: VerifyOptions = {}): Promise<E.Either<StoreReadFailed, VerificationReport>> => {
  const verifier = new ChainVerifier();
  try {
    if (options.streamIds === undefined) {
      await verifyLog(store, verifier, options);
      return E.right(verifier.report());
    }
    const streamIds = [...new Set(options.streamIds)];
    let read = 0;
    for (const streamId of streamIds) {
      const events = await store.readStream(streamId);
      for (const event of events) verifier.check(event);
      read += events.length;
      options.onProgress?.(read, undefined);
    }
    const found = verifier.report();
    const byId = new Map(found.streams.map((verdict) => [verdict.streamId, verdict]));
    const streams = streamIds.map((streamId): StreamVerdict => byId.get(streamId) ?? { status: 'not-found', streamId, eventCount: 0 });
    return E.right({ ok: streams.every((s) => s.status === 'ok'), eventCount: found.eventCount, streams });
  } catch (cause) {
    return E.left(storeReadFailed(cause));
  }
};
