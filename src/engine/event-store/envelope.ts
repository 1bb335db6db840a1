import * as t from 'io-ts';
import { DerivedIdentifier, Identifier, NonNegativeInteger, PositiveInteger, Timestamp } from '../../domain/shared/codecs';

/** What the engine asks a store to append: an event with everything but its place in the store. */
export interface ProposedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly occurredAt: number;
  readonly recordedAt: number;
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: string;
}

/**
 * An event as stored: the proposal plus its place (stream revision, global position) and its link in the
 * stream's hash chain. `hash` covers every field but `position`, which a store assigns on its own.
 */
export interface EventEnvelope extends ProposedEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly previousHash: string;
  readonly hash: string;
}

/** A SHA-256 digest in lowercase hex: an event's hash chain links, and a stream head's hash in a store. */
// The same set as /^[0-9a-f]{64}$/, checked in about half the time: every stored event read back checks two.
export const Sha256Hex = t.refinement(t.string, (s) => s.length === 64 && /^[0-9a-f]+$/.test(s), 'Sha256Hex');

/** Decodes an envelope that comes from outside the process (a file, a database row, a server). */
export const EventEnvelopeCodec: t.Type<EventEnvelope, EventEnvelope, unknown> = t.readonly(
  t.type({
    eventId: Identifier,
    streamId: DerivedIdentifier,
    revision: NonNegativeInteger,
    position: NonNegativeInteger,
    type: Identifier,
    schemaVersion: PositiveInteger,
    data: t.unknown,
    occurredAt: Timestamp,
    recordedAt: Timestamp,
    commandId: DerivedIdentifier,
    correlationId: DerivedIdentifier,
    causationId: DerivedIdentifier,
    actor: Identifier,
    previousHash: t.union([Sha256Hex, t.literal('')]),
    hash: Sha256Hex,
  }),
  'EventEnvelope',
);

/**
 * Whether a proposed event's own fields (all but its data) are what an envelope needs: a store that
 * assigns the rest (stream id, revision, position, hash links) itself knows those are. Field by field
 * rather than through the envelope codec: a store in memory runs it on every event appended.
 */
export const isValidProposal = (event: ProposedEvent): boolean =>
  Identifier.is(event.eventId) &&
  Identifier.is(event.type) &&
  PositiveInteger.is(event.schemaVersion) &&
  Timestamp.is(event.occurredAt) &&
  Timestamp.is(event.recordedAt) &&
  DerivedIdentifier.is(event.commandId) &&
  DerivedIdentifier.is(event.correlationId) &&
  DerivedIdentifier.is(event.causationId) &&
  Identifier.is(event.actor);
