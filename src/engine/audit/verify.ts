import * as E from 'fp-ts/Either';
import type { EventEnvelope } from '../event-store/envelope';
import { type EventStore, walkEndsAt } from '../event-store/event-store';
import { InvalidOption, pageSizeProblem, StoreReadFailed, storeReadFailed } from './audit-errors';
import { GENESIS_HASH, hashEvent } from './hash-chain';

/**
 * - `altered`: the event's content no longer matches its hash.
 * - `removed`: revisions are missing before this event (a gap that never fills), or the event is chained
 *   to one that is not in the stream.
 * - `inserted`: the event claims a revision and a predecessor that another event of the stream already
 *   claims, and the rest of the stream goes on from the other one; or it claims a revision seen before
 *   (when it starts a branch at least as long as the other, the message names both: either was inserted).
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
  /**
   * What should be there: for `altered`, the hash of the event's content; otherwise the revision the stream
   * expected, or the hash of the link it expected. `message` says which.
   */
  readonly expected: string | number;
  /** What is there instead: the stored hash, the revision claimed, or the link found. */
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

type Link = Pick<EventEnvelope, 'streamId' | 'eventId' | 'revision' | 'position' | 'hash'>;

const linkOf = ({ streamId, eventId, revision, position, hash }: EventEnvelope): Link => ({ streamId, eventId, revision, position, hash });

/**
 * A doubt that only later events can settle. `gap`: revisions were skipped; if they turn up later the
 * stream was reordered, else they were removed. `fork`: two events claim the same revision and the same
 * predecessor; the one the next event chains to is genuine, the other was inserted.
 */
type Doubt =
  | { readonly kind: 'gap'; readonly firstMissing: number; readonly lastMissing: number; readonly early: Link }
  | { readonly kind: 'fork'; readonly first: Link; readonly second: Link };

/** What is kept per stream while walking: the last link only, so memory grows with streams, not events. */
interface StreamCheck {
  nextRevision: number;
  lastHash: string;
  lastPreviousHash: string | undefined;
  last: Link | undefined;
  eventCount: number;
  doubt: Doubt | undefined;
  finding: TamperFinding | undefined;
}

const finding = (kind: TamperKind, event: Omit<Link, 'hash'>, expected: string | number, actual: string | number, message: string): TamperFinding => ({
  kind,
  streamId: event.streamId,
  revision: event.revision,
  eventId: event.eventId,
  position: event.position,
  expected,
  actual,
  message,
});

const isSingleGap = (doubt: Extract<Doubt, { kind: 'gap' }>): boolean => doubt.firstMissing === doubt.lastMissing;

const missingRevisions = (doubt: Extract<Doubt, { kind: 'gap' }>): string =>
  isSingleGap(doubt) ? `revision ${doubt.firstMissing}` : `revisions ${doubt.firstMissing}–${doubt.lastMissing}`;

/**
 * The findings of events that claim a revision their stream already had: `verifyStore` weighs them again
 * with the whole stream (see `branchFinding`), which a walk keeping one link per stream cannot.
 */
const claimsOfSeenRevisions = new WeakSet<TamperFinding>();

const forgedOf = (genuine: Link, forged: Link): TamperFinding =>
  finding(
    'inserted',
    forged,
    genuine.hash,
    forged.hash,
    `event ${forged.eventId} was inserted at revision ${forged.revision} of ${forged.streamId}: the stream goes on from ${genuine.eventId}`,
  );

/** The finding for an event whose content no longer matches its own hash, if it does not. */
const alteration = (event: EventEnvelope): TamperFinding | undefined => {
  const contentHash = hashEvent(event);
  return contentHash === event.hash
    ? undefined
    : finding('altered', event, contentHash, event.hash, `event ${event.eventId} (revision ${event.revision} of ${event.streamId}) no longer matches its hash`);
};

/** How a doubt ends once the walk is over and nothing settled it. */
const settleAtEnd = (doubt: Doubt): TamperFinding =>
  doubt.kind === 'gap'
    ? finding('removed', doubt.early, doubt.firstMissing, doubt.early.revision, `${missingRevisions(doubt)} of ${doubt.early.streamId} ${isSingleGap(doubt) ? 'is' : 'are'} missing before event ${doubt.early.eventId}`)
    : finding(
        'inserted',
        doubt.second,
        doubt.first.hash,
        doubt.second.hash,
        `events ${doubt.first.eventId} and ${doubt.second.eventId} both claim revision ${doubt.second.revision} of ${doubt.second.streamId}: one was inserted`,
      );

/** Settles a doubt with the next event of its stream, or says it is still open. */
const settleWith = (doubt: Doubt, event: EventEnvelope): TamperFinding | undefined => {
  if (doubt.kind === 'gap') {
    const filled = event.revision >= doubt.firstMissing && event.revision <= doubt.lastMissing;
    return filled
      ? finding(
          'reordered',
          doubt.early,
          doubt.firstMissing,
          doubt.early.revision,
          `event ${doubt.early.eventId} (revision ${doubt.early.revision}) comes before ${missingRevisions(doubt)} of ${event.streamId} in the log`,
        )
      : undefined;
  }
  if (event.previousHash === doubt.second.hash) return forgedOf(doubt.second, doubt.first);
  if (event.previousHash === doubt.first.hash) return forgedOf(doubt.first, doubt.second);
  return settleAtEnd(doubt);
};

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
      stream = { nextRevision: 0, lastHash: GENESIS_HASH, lastPreviousHash: undefined, last: undefined, eventCount: 0, doubt: undefined, finding: undefined };
      this.streams.set(event.streamId, stream);
    }
    stream.eventCount += 1;
    if (stream.finding !== undefined) return;
    if (stream.doubt !== undefined) {
      // Once in doubt, a stream's later events only serve to settle it: its first problem is already behind.
      // But the event that turns out to have been moved is named for its change, if its content no longer
      // matches its hash, which says more than where it lies.
      const settled = settleWith(stream.doubt, event);
      stream.finding = settled?.kind === 'reordered' ? (alteration(event) ?? settled) : settled;
      return;
    }
    stream.finding = this.firstProblem(stream, event);
    if (stream.finding !== undefined || stream.doubt !== undefined) return;
    stream.nextRevision = event.revision + 1;
    stream.lastPreviousHash = event.previousHash;
    stream.lastHash = event.hash;
    stream.last = linkOf(event);
  }

  /** The verdict on every stream seen so far, in the order each was first seen. */
  report(): VerificationReport {
    const streams = [...this.streams.entries()].map(([streamId, stream]): StreamVerdict => {
      const settled = stream.finding ?? (stream.doubt === undefined ? undefined : settleAtEnd(stream.doubt));
      if (settled !== undefined) return { status: 'tampered', streamId, eventCount: stream.eventCount, finding: settled };
      return { status: 'ok', streamId, eventCount: stream.eventCount, headRevision: stream.nextRevision - 1, headHash: stream.lastHash };
    });
    return { ok: streams.every((s) => s.status === 'ok'), eventCount: this.events, streams };
  }

  private firstProblem(stream: StreamCheck, event: EventEnvelope): TamperFinding | undefined {
    const altered = alteration(event);
    if (altered !== undefined) return altered;
    const { last } = stream;
    if (last !== undefined && event.revision === last.revision && event.previousHash === stream.lastPreviousHash) {
      // The same event again (a line of an export copied) is no fork: there is nothing to tell apart.
      if (event.hash === last.hash) {
        return finding(
          'inserted',
          event,
          last.position,
          event.position,
          `event ${event.eventId} (revision ${event.revision} of ${event.streamId}) appears twice in the log, at positions ${last.position} and ${event.position}`,
        );
      }
      stream.doubt = { kind: 'fork', first: last, second: linkOf(event) };
      return undefined;
    }
    if (event.revision < stream.nextRevision) {
      const claim = finding('inserted', event, stream.nextRevision, event.revision, `event ${event.eventId} claims revision ${event.revision} of ${event.streamId}, which the stream already has`);
      claimsOfSeenRevisions.add(claim);
      return claim;
    }
    if (event.revision > stream.nextRevision) {
      stream.doubt = { kind: 'gap', firstMissing: stream.nextRevision, lastMissing: event.revision - 1, early: linkOf(event) };
      return undefined;
    }
    if (event.previousHash === stream.lastHash) return undefined;
    if (last !== undefined && event.previousHash === stream.lastPreviousHash) {
      return finding(
        'inserted',
        last,
        event.previousHash,
        last.hash,
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

/**
 * The length of the longest chain of hash links from each event of a stream, itself included: what follows
 * an event is any event chained to it at the next revision. Revisions only grow along a chain, so the
 * events are taken from the highest revision down, each after everything that can follow it.
 */
const chainLengths = (events: readonly EventEnvelope[]): ReadonlyMap<EventEnvelope, number> => {
  const following = new Map<string, EventEnvelope[]>();
  for (const event of events) {
    const known = following.get(event.previousHash);
    if (known === undefined) following.set(event.previousHash, [event]);
    else known.push(event);
  }
  const lengths = new Map<EventEnvelope, number>();
  for (const event of [...events].sort((a, b) => b.revision - a.revision)) {
    let longest = 0;
    for (const next of following.get(event.hash) ?? []) {
      if (next.revision === event.revision + 1) longest = Math.max(longest, lengths.get(next) ?? 0);
    }
    lengths.set(event, longest + 1);
  }
  return lengths;
};

/**
 * The finding again, with the whole stream in hand, for an event the walk found claiming a revision its
 * stream already had: a walk that keeps only each stream's last link can tell a stray event from the
 * first of a branch of several only by the log's order, and a forged branch may lie before the genuine
 * events or after them. When the event starts the longer branch from there (or one as long), the walk's
 * word that it was inserted is no better than the chain's that the other one was: both are named, and which
 * was inserted is left to a head kept elsewhere. Otherwise the walk's finding stands.
 */
const branchFinding = (events: readonly EventEnvelope[], named: TamperFinding): TamperFinding | undefined => {
  const suspect = events.find((event) => event.position === named.position);
  if (suspect === undefined) return undefined;
  const rival = events.find((event) => event.revision === suspect.revision && event.hash !== suspect.hash && event.position < suspect.position);
  if (rival === undefined) return undefined;
  const lengths = chainLengths(events);
  if ((lengths.get(suspect) ?? 0) < (lengths.get(rival) ?? 0)) return undefined;
  return {
    ...named,
    message:
      `events ${rival.eventId} and ${suspect.eventId} both claim revision ${suspect.revision} of ${suspect.streamId}, and the branch from ${suspect.eventId} ` +
      `is as long as the other or longer: one of the two was inserted, and only a head of the stream kept elsewhere tells which`,
  };
};

/** A stream's events in the order of the log, as a walk of the whole store meets them. */
const streamInLogOrder = async (store: EventStore, streamId: string): Promise<EventEnvelope[]> =>
  // A store may read a stream back in revision order (PostgreSQL does), which would hide events swapped in the log.
  [...(await store.readStream(streamId))].sort((a, b) => a.position - b.position);

/** The verdict again for a stream whose first problem is an event claiming a revision it already had. */
const withBranchesWeighed = async (store: EventStore, verdict: StreamVerdict): Promise<StreamVerdict> => {
  if (verdict.status !== 'tampered' || !claimsOfSeenRevisions.has(verdict.finding)) return verdict;
  const finding = branchFinding(await streamInLogOrder(store, verdict.streamId), verdict.finding);
  return finding === undefined ? verdict : { ...verdict, finding };
};

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
    if (walkEndsAt(page, after)) return;
    after = page.lastPosition;
  }
};

/**
 * Walks `store` (every stream through `readAll`, or the streams named in `options.streamIds`) and says,
 * per stream, whether its hash chain holds or which event first breaks it. A chain proves that no event
 * was changed, removed, inserted or moved without rewriting every later event of its stream; a stream
 * cut short at its end, or rewritten to its end, is found by comparing its head with one kept elsewhere.
 */
export const verifyStore = async (store: EventStore, given: VerifyOptions | null = {}): Promise<E.Either<StoreReadFailed | InvalidOption, VerificationReport>> => {
  // A JavaScript host may pass null for no options.
  const options = given ?? {};
  const invalid = pageSizeProblem(options.pageSize);
  if (invalid !== undefined) return E.left(invalid);
  const verifier = new ChainVerifier();
  try {
    if (options.streamIds === undefined) {
      await verifyLog(store, verifier, options);
    } else {
      let read = 0;
      for (const streamId of new Set(options.streamIds)) {
        const events = await streamInLogOrder(store, streamId);
        for (const event of events) verifier.check(event);
        read += events.length;
        options.onProgress?.(read, undefined);
      }
    }
    const found = verifier.report();
    const verdicts: StreamVerdict[] = [];
    for (const verdict of found.streams) verdicts.push(await withBranchesWeighed(store, verdict));
    if (options.streamIds === undefined) return E.right({ ...found, streams: verdicts });
    const byId = new Map(verdicts.map((verdict) => [verdict.streamId, verdict]));
    const streams = [...new Set(options.streamIds)].map((streamId): StreamVerdict => byId.get(streamId) ?? { status: 'not-found', streamId, eventCount: 0 });
    return E.right({ ok: streams.every((s) => s.status === 'ok'), eventCount: found.eventCount, streams });
  } catch (cause) {
    return E.left(storeReadFailed(cause));
  }
};
