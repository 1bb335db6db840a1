import { isLeft } from 'fp-ts/Either';
import { PathReporter } from 'io-ts/PathReporter';
import { EventEnvelope, EventEnvelopeCodec } from '../../../engine/event-store/envelope';
import { int8Value } from './column-codecs';
import { EventStoreReadError } from './postgres-errors';

/** The columns of an event row, named as the envelope's fields. */
export const EVENT_COLUMNS = [
  'position',
  'stream_id AS "streamId"',
  'revision',
  'event_id AS "eventId"',
  'type',
  'schema_version AS "schemaVersion"',
  'data',
  'occurred_at AS "occurredAt"',
  'recorded_at AS "recordedAt"',
  'command_id AS "commandId"',
  'correlation_id AS "correlationId"',
  'causation_id AS "causationId"',
  'actor',
  'previous_hash AS "previousHash"',
  'hash',
].join(', ');

/**
 * Validates a row selected with `EVENT_COLUMNS` into an envelope. The candidate is built field by field so
 * that any other column the query returned stays out of the envelope.
 */
export const decodeEventRow = (row: Record<string, unknown>): EventEnvelope => {
  const candidate = {
    eventId: row['eventId'],
    streamId: row['streamId'],
    revision: int8Value(row['revision']),
    position: int8Value(row['position']),
    type: row['type'],
    schemaVersion: row['schemaVersion'],
    data: row['data'],
    occurredAt: int8Value(row['occurredAt']),
    recordedAt: int8Value(row['recordedAt']),
    commandId: row['commandId'],
    correlationId: row['correlationId'],
    causationId: row['causationId'],
    actor: row['actor'],
    previousHash: row['previousHash'],
    hash: row['hash'],
  };
  const decoded = EventEnvelopeCodec.decode(candidate);
  if (isLeft(decoded)) {
    throw new EventStoreReadError(
      'CORRUPT_EVENT',
      `stored event at position ${String(row['position'])} is invalid: ${PathReporter.report(decoded).join('; ')}`,
    );
  }
  return decoded.right;
};
