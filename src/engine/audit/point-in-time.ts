import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { NonNegativeInteger } from '../../domain/shared/codecs';
import type { EventEnvelope } from '../event-store/envelope';
import type { EventStore } from '../event-store/event-store';
import { AuditError, StreamDamaged, streamNotFound } from './audit-errors';
import { auditedStream } from './audited-stream';
import { replayerFor, StreamReplayer, streamReplayers } from './stream-replayers';

/**
 * A point in a stream's life: after a revision, or after everything recorded up to a time (inclusive): the
 * stream's events up to the first one recorded after it, since hosts whose clocks disagree (or a clock set
 * back) can record an event earlier than the one before it, which was decided first all the same.
 */
export const PointInTime = t.union([
  t.readonly(t.type({ kind: t.literal('revision'), revision: NonNegativeInteger })),
  // Any whole millisecond, before 1970 too: a time before a stream began is a point, before its first event.
  t.readonly(t.type({ kind: t.literal('time'), recordedAt: t.refinement(t.number, Number.isInteger, 'WholeMilliseconds') })),
]);
export type PointInTime = t.TypeOf<typeof PointInTime>;

export interface StateAtPoint {
  readonly streamId: string;
  /** The replayer that folded the stream: `cart`, `order`, `payment`… */
  readonly aggregate: string;
  /** The last revision folded into the state; -1 when the point is before the stream's first event. */
  readonly revision: number;
  /** When that event was recorded; null before the first event. */
  readonly recordedAt: number | null;
  /** The stream's last revision now. */
  readonly headRevision: number;
  readonly state: unknown;
}

export interface ReplayOptions {
  /** How streams are folded into states. Default: every stream the engine writes, at the current schemas. */
  readonly replayers?: readonly StreamReplayer[];
}

const eventsUpTo = (events: readonly EventEnvelope[], point: PointInTime | undefined): readonly EventEnvelope[] => {
  if (point === undefined) return events;
  // A prefix, not a filter: each event was decided on the state its predecessors made, whatever a clock said.
  const beyond = events.findIndex((event) => (point.kind === 'revision' ? event.revision > point.revision : event.recordedAt > point.recordedAt));
  return beyond === -1 ? events : events.slice(0, beyond);
};

/** The first revision a stream's events, in revision order, miss or repeat, if any. */
const revisionDamage = (streamId: string, events: readonly EventEnvelope[]): StreamDamaged | undefined => {
  for (let expected = 0; expected < events.length; expected += 1) {
    const { revision } = events[expected] as EventEnvelope;
    if (revision === expected) continue;
    const what = revision > expected ? `revision ${expected} is missing` : `revision ${revision} appears twice`;
    return { code: 'STREAM_DAMAGED', message: `stream ${streamId} cannot be replayed: ${what} (verify says what happened to it)`, streamId, revision: Math.min(revision, expected) };
  }
  return undefined;
};

/**
 * The state of `streamId` at `point` (now, when omitted), replayed from its events with the deciders'
 * own `evolve`, so it is the state the engine itself would have decided on. A stream with a revision
 * missing or repeated is not folded: `STREAM_DAMAGED`.
 */
export const stateAt = async (store: EventStore, streamId: string, point?: PointInTime, options: ReplayOptions = {}): Promise<E.Either<AuditError, StateAtPoint>> => {
  // The type says what a point is, but a host's caller may hand in anything: `Date.parse` of a bad string is NaN.
  if (point !== undefined && !PointInTime.is(point)) {
    return E.left({ code: 'INVALID_POINT', message: 'a point in time is a revision (a whole number ≥ 0) or a time (a whole number of ms since 1970)' });
  }
  const replayer = replayerFor(options.replayers ?? streamReplayers(), streamId);
  if (replayer === undefined) {
    return E.left({ code: 'NO_AGGREGATE_FOR_STREAM', message: `stream ${streamId} belongs to no aggregate whose state can be replayed`, streamId });
  }
  const read = await auditedStream(store, streamId);
  if (E.isLeft(read)) return read;
  const events = read.right;
  const head = events[events.length - 1];
  if (head === undefined) return E.left(streamNotFound(streamId));
  const damage = revisionDamage(streamId, events);
  if (damage !== undefined) return E.left(damage);
  if (point?.kind === 'revision' && point.revision > head.revision) {
    return E.left({
      code: 'REVISION_NOT_FOUND',
      message: `stream ${streamId} has no revision ${point.revision}: its last is ${head.revision}`,
      streamId,
      revision: point.revision,
      headRevision: head.revision,
    });
  }
  const folded = eventsUpTo(events, point);
  const state = replayer.replay(folded);
  if (E.isLeft(state)) return state;
  const last = folded[folded.length - 1];
  return E.right({
    streamId,
    aggregate: replayer.name,
    revision: last?.revision ?? -1,
    recordedAt: last?.recordedAt ?? null,
    headRevision: head.revision,
    state: state.right,
  });
};
