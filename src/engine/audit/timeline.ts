import * as E from 'fp-ts/Either';
import type { EventEnvelope } from '../event-store/envelope';
import type { EventStore } from '../event-store/event-store';
import { currentEventSchemas } from '../schema/current-event-schemas';
import type { EventSchemas } from '../schema/event-schemas';
import { decodeStoredEvent, StoredEvent } from '../schema/stored-event';
import type { AuditError } from './audit-errors';
import { auditedStream } from './audited-stream';
import { summariseEvent } from './event-summary';

/** One event of a stream as an auditor reads it: what, when, who, on whose command and why. */
export interface TimelineEntry {
  readonly revision: number;
  readonly position: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly occurredAt: number;
  readonly recordedAt: number;
  readonly commandId: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  /** The event's link in its stream's hash chain: what a head kept elsewhere is compared with, later. */
  readonly hash: string;
  readonly summary: string;
  /** False when the event could not be decoded; `summary` then says why. */
  readonly readable: boolean;
}

export interface TimelineOptions {
  readonly schemas?: EventSchemas;
}

const entryOf = (envelope: EventEnvelope, schemas: EventSchemas): TimelineEntry => {
  const decoded = decodeStoredEvent(StoredEvent, schemas, envelope);
  return {
    revision: envelope.revision,
    position: envelope.position,
    eventId: envelope.eventId,
    type: envelope.type,
    schemaVersion: envelope.schemaVersion,
    occurredAt: envelope.occurredAt,
    recordedAt: envelope.recordedAt,
    commandId: envelope.commandId,
    actor: envelope.actor,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    hash: envelope.hash,
    // An event that cannot be read still belongs in the timeline: hiding it would hide what needs explaining.
    summary: E.isRight(decoded) ? summariseEvent(decoded.right) : `cannot be read: ${decoded.left.problems.join('; ')}`,
    readable: E.isRight(decoded),
  };
};

/** Every event of `streamId` in stream order, with its metadata and a one-line summary. */
export const timeline = async (store: EventStore, streamId: string, options: TimelineOptions = {}): Promise<E.Either<AuditError, readonly TimelineEntry[]>> => {
  const read = await auditedStream(store, streamId);
  if (E.isLeft(read)) return read;
  const schemas = options.schemas ?? currentEventSchemas;
  return E.right(read.right.map((envelope) => entryOf(envelope, schemas)));
};
