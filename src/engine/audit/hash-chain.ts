import * as crypto from 'node:crypto';
import type { EventEnvelope, ProposedEvent } from '../event-store/envelope';
import { canonicalJson } from './canonical-json';

/** The `previousHash` of a stream's first event. */
export const GENESIS_HASH = '';

/** The fields a link of the chain covers: everything but the store-assigned global position. */
export type HashedFields = Omit<EventEnvelope, 'position' | 'hash'>;

/**
 * SHA-256 of a string's UTF-8 bytes, in hex. The one-shot `crypto.hash` (node ≥ 20.12) costs a third of a
 * `createHash` object per call, which every append pays once per event; older nodes get the same digest
 * the long way.
 */
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text).digest('hex');

/**
 * The link's hash: SHA-256 of the canonical JSON of the array `[streamId, revision, previousHash, eventId,
 * type, schemaVersion, occurredAt, recordedAt, commandId, correlationId, causationId, actor, data]`,
 * written out element by element rather than through a temporary array.
 */
export const hashEvent = (fields: HashedFields): string =>
  sha256Hex(
    `[${canonicalJson(fields.streamId)},${canonicalJson(fields.revision)},${canonicalJson(fields.previousHash)},${canonicalJson(fields.eventId)},` +
      `${canonicalJson(fields.type)},${canonicalJson(fields.schemaVersion)},${canonicalJson(fields.occurredAt)},${canonicalJson(fields.recordedAt)},` +
      `${canonicalJson(fields.commandId)},${canonicalJson(fields.correlationId)},${canonicalJson(fields.causationId)},${canonicalJson(fields.actor)},` +
      `${canonicalJson(fields.data)}]`,
  );

type Sealing = { -readonly [K in keyof EventEnvelope]: EventEnvelope[K] };

/**
 * Seals proposed events as the next links of a stream whose last event has `previousHash` and revision
 * `lastRevision` (-1 for a new stream). Positions are assigned by `positionOf(index)`; `ownData` gives the
 * data the envelope keeps (a store holding objects takes its own copy). Each envelope is built once and
 * its hash filled in last, instead of hashing a copy of its fields.
 */
export const sealEvents = (
  streamId: string,
  lastRevision: number,
  previousHash: string,
  events: readonly ProposedEvent[],
  positionOf: (index: number) => number,
  ownData: (data: unknown) => unknown = (data) => data,
): EventEnvelope[] => {
  const sealed: EventEnvelope[] = [];
  let link = previousHash;
  for (let i = 0; i < events.length; i += 1) {
    const proposed = events[i] as ProposedEvent;
    const envelope: Sealing = {
      eventId: proposed.eventId,
      type: proposed.type,
      schemaVersion: proposed.schemaVersion,
      data: ownData(proposed.data),
      occurredAt: proposed.occurredAt,
      recordedAt: proposed.recordedAt,
      commandId: proposed.commandId,
      correlationId: proposed.correlationId,
      causationId: proposed.causationId,
      actor: proposed.actor,
      streamId,
      revision: lastRevision + 1 + i,
      previousHash: link,
      position: positionOf(i),
      hash: '',
    };
    link = hashEvent(envelope);
    envelope.hash = link;
    sealed.push(envelope);
  }
  return sealed;
};
