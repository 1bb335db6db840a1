import { jsonEvent, type JSONEventData, type JSONType, type RecordedEvent } from '@eventstore/db-client';
import * as E from 'fp-ts/Either';
import { PathReporter } from 'io-ts/PathReporter';
import { EventEnvelopeCodec, type EventEnvelope } from '../../../engine/event-store/envelope';
import { CART_STREAM_PREFIX, ORDER_STREAM_PREFIX, PAYMENT_STREAM_PREFIX, PROVIDER_TRANSACTION_STREAM_PREFIX } from '../../../engine/aggregates';
import { DEADLINE_STREAM_PREFIX } from '../../../engine/process-manager/deadline-events';
import { eventStoreDbEventId } from './eventstoredb-event-id';
import { portPosition } from './eventstoredb-positions';

/**
 * The envelope fields EventStoreDB has no place for, stored as the event's JSON metadata. Stream, revision,
 * position and type are the server's own; the engine's event id is kept here verbatim because the server's
 * id may be one derived from it (see `eventStoreDbEventId`).
 */
type EnvelopeMetadata = {
  readonly eventId: string;
  readonly schemaVersion: number;
  readonly occurredAt: number;
  readonly recordedAt: number;
  readonly commandId: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: string;
  readonly previousHash: string;
  readonly hash: string;
};

export const toEventData = (envelope: EventEnvelope): JSONEventData => {
  const metadata: EnvelopeMetadata = {
    eventId: envelope.eventId,
    schemaVersion: envelope.schemaVersion,
    occurredAt: envelope.occurredAt,
    recordedAt: envelope.recordedAt,
    commandId: envelope.commandId,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    actor: envelope.actor,
    previousHash: envelope.previousHash,
    hash: envelope.hash,
  };
  return jsonEvent({
    id: eventStoreDbEventId(envelope.eventId),
    type: envelope.type,
    // The client JSON-serialises whatever it is given; its type only names the common shapes. `undefined`
    // has no JSON form and the hash chain already treats it as null.
    data: (envelope.data === undefined ? null : envelope.data) as JSONType,
    metadata,
  });
};

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);

/** Whether an event belongs to EventStoreDB itself (system streams and types start with `$`). */
export const isSystemEvent = (recorded: Pick<RecordedEvent, 'streamId' | 'type'>): boolean =>
  recorded.streamId.startsWith('$') || recorded.type.startsWith('$');

/** The streams the engine writes: an event there is the engine's, whatever it carries. */
const ENGINE_STREAM_PREFIXES = [CART_STREAM_PREFIX, ORDER_STREAM_PREFIX, PAYMENT_STREAM_PREFIX, PROVIDER_TRANSACTION_STREAM_PREFIX, DEADLINE_STREAM_PREFIX];

/**
 * Whether an event is none of this library's: EventStoreDB's own, or another application's on a shared
 * server, which carries no envelope metadata (no event id and hash) in a stream the engine does not write.
 * Walks of `$all` pass over both, as they are no part of any hash chain here. An event in one of the
 * engine's streams, or one that carries the metadata but does not decode, is this library's, damaged, and
 * still stops them, as it stops every read of its stream.
 */
export const isOtherApplicationsEvent = (recorded: Pick<RecordedEvent, 'streamId' | 'type' | 'isJson' | 'metadata'>): boolean => {
  if (isSystemEvent(recorded)) return true;
  if (ENGINE_STREAM_PREFIXES.some((prefix) => recorded.streamId.startsWith(prefix))) return false;
  const { metadata } = recorded;
  return !recorded.isJson || !isRecord(metadata) || !('hash' in metadata) || !('eventId' in metadata);
};

/** Rebuilds and validates an envelope from an event the server returned; a left says what is wrong with it. */
export const fromRecordedEvent = (recorded: RecordedEvent): E.Either<string, EventEnvelope> => {
  const where = `${recorded.streamId}@${recorded.revision}`;
  if (!recorded.isJson) return E.left(`event ${where} is not JSON`);
  const { metadata } = recorded;
  if (!isRecord(metadata)) return E.left(`event ${where} has no JSON object metadata`);
  if (recorded.position === undefined) return E.left(`event ${where} has no $all position`);
  if (recorded.revision > BigInt(Number.MAX_SAFE_INTEGER)) return E.left(`event ${where} has a revision beyond 2^53`);
  let position: number;
  try {
    position = portPosition(recorded.position.commit);
  } catch (error) {
    return E.left(`event ${where}: ${(error as Error).message}`);
  }
  const decoded = EventEnvelopeCodec.decode({
    eventId: metadata['eventId'],
    streamId: recorded.streamId,
    revision: Number(recorded.revision),
    position,
    type: recorded.type,
    schemaVersion: metadata['schemaVersion'],
    data: recorded.data,
    occurredAt: metadata['occurredAt'],
    recordedAt: metadata['recordedAt'],
    commandId: metadata['commandId'],
    correlationId: metadata['correlationId'],
    causationId: metadata['causationId'],
    actor: metadata['actor'],
    previousHash: metadata['previousHash'],
    hash: metadata['hash'],
  });
  if (E.isLeft(decoded)) return E.left(`event ${where} is not a valid envelope: ${PathReporter.report(decoded).join('; ')}`);
  const envelope = decoded.right;
  if (eventStoreDbEventId(envelope.eventId) !== recorded.id.toLowerCase()) {
    return E.left(`event ${where} has server id ${recorded.id}, which does not belong to event id ${envelope.eventId}`);
  }
  return E.right(envelope);
};
