import { createHash } from 'node:crypto';
import type { EventEnvelope, ProposedEvent } from '../event-store/envelope';
import { canonicalJson } from './canonical-json';

/** The `previousHash` of a stream's first event. */
export const GENESIS_HASH = '';

/** The fields a link of the chain covers: everything but the store-assigned global position. */
export type HashedFields = Omit<EventEnvelope, 'position' | 'hash'>;

export const hashEvent = (fields: HashedFields): string =>
  createHash('sha256')
    .update(
      canonicalJson([
        fields.streamId,
        fields.revision,
        fields.previousHash,
        fields.eventId,
        fields.type,
        fields.schemaVersion,
        fields.occurredAt,
        fields.recordedAt,
        fields.commandId,
        fields.correlationId,
        fields.causationId,
        fields.actor,
        fields.data,
      ]),
    )
    .digest('hex');

/**
 * Seals proposed events as the next links of a stream whose last event has `previousHash` and revision
 * `lastRevision` (-1 for a new stream). Positions are assigned by `positionOf(index)`.
 */
export const sealEvents = (
  streamId: string,
  lastRevision: number,
  previousHash: string,
  events: readonly ProposedEvent[],
  positionOf: (index: number) => number,
): EventEnvelope[] => {
  const sealed: EventEnvelope[] = [];
  let link = previousHash;
  for (let i = 0; i < events.length; i += 1) {
    const proposed = events[i] as ProposedEvent;
    const fields: HashedFields = {
      eventId: proposed.eventId,
      type: proposed.type,
      schemaVersion: proposed.schemaVersion,
      data: proposed.data,
      occurredAt: proposed.occurredAt,
      recordedAt: proposed.recordedAt,
      commandId: proposed.commandId,
      correlationId: proposed.correlationId,
      causationId: proposed.causationId,
      actor: proposed.actor,
      streamId,
      revision: lastRevision + 1 + i,
      previousHash: link,
    };
    link = hashEvent(fields);
    sealed.push({ ...fields, position: positionOf(i), hash: link });
  }
  return sealed;
};
