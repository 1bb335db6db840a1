import { isLeft } from 'fp-ts/Either';
import { PathReporter } from 'io-ts/PathReporter';
import { types, CustomTypesConfig } from 'pg';
import { EventEnvelope, EventEnvelopeCodec } from '../../../engine/event-store/envelope';
import { decodeWithGuard } from '../../../engine/schema/guarded-decode';
import { EventStoreReadError } from './postgres-errors';

/**
 * The columns of an event row, in the order `decodeEventRow` reads them. Rows are fetched as arrays
 * (`rowMode: 'array'`): node-postgres then builds no object keyed by column name per row.
 */
const EVENT_COLUMN_NAMES = [
  'position',
  'stream_id',
  'revision',
  'event_id',
  'type',
  'schema_version',
  'data',
  'occurred_at',
  'recorded_at',
  'command_id',
  'correlation_id',
  'causation_id',
  'actor',
  'previous_hash',
  'hash',
];

export const EVENT_COLUMNS = EVENT_COLUMN_NAMES.join(', ');

export const EVENT_COLUMN_COUNT = EVENT_COLUMN_NAMES.length;

const INT8_OID = 20;

/**
 * A bigint column as a number when JavaScript holds it exactly, else as its text, which the envelope's
 * integer codecs then refuse. PostgreSQL writes int8 in plain decimal, so `Number` is exact on every
 * value it returns as safe: a value beyond 2^53 - 1 comes back as a number that is not a safe integer.
 * Parsing here, in the driver's one pass over the row, spares a string-to-number step per column after it.
 */
const int8OrText = (text: string): number | string => {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
};

/** The driver's type parsers, but for bigint columns (see `int8OrText`); json stays one `JSON.parse` per value. */
export const EVENT_ROW_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? int8OrText : types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

/**
 * Validates a row that starts with `EVENT_COLUMNS`, read with `EVENT_ROW_TYPES`, into an envelope. The
 * envelope is built once, field by field, so that any other column stays out of it, and checked with the
 * codec's exact guard; only a row the guard refuses goes through io-ts, for its report.
 */
export const decodeEventRow = (row: readonly unknown[]): EventEnvelope => {
  const candidate = {
    eventId: row[3],
    streamId: row[1],
    revision: row[2],
    position: row[0],
    type: row[4],
    schemaVersion: row[5],
    data: row[6],
    occurredAt: row[7],
    recordedAt: row[8],
    commandId: row[9],
    correlationId: row[10],
    causationId: row[11],
    actor: row[12],
    previousHash: row[13],
    hash: row[14],
  };
  const decoded = decodeWithGuard(EventEnvelopeCodec, candidate);
  if (isLeft(decoded)) {
    throw new EventStoreReadError(
      'CORRUPT_EVENT',
      `stored event at position ${String(row[0])} is invalid: ${PathReporter.report(decoded).join('; ')}`,
    );
  }
  return decoded.right;
};
