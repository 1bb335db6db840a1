import * as E from 'fp-ts/Either';
import { PathReporter } from 'io-ts/PathReporter';
import { sealEvents } from '../audit/hash-chain';
import { messageOf } from '../error-message';
import { decodeWithGuard } from '../schema/guarded-decode';
import { EventEnvelope, EventEnvelopeCodec, ProposedEvent } from './envelope';

/**
 * Event data as a store that keeps JSON holds it, copied as the append is sealed: what `JSON.stringify`
 * writes, read back. The hash is taken over this copy, so it matches what is stored and read again
 * whatever the caller passed (a `Date`, an object with `toJSON`, an array with holes), and changes the
 * caller makes while the append is under way reach neither.
 */
export const asStoredJson = (data: unknown): unknown => {
  const text = JSON.stringify(data);
  return text === undefined ? null : (JSON.parse(text) as unknown);
};

/**
 * Seals proposed events as a durable store keeps them (see `sealEvents`), or says why they cannot be
 * stored: data JSON cannot hold (a `BigInt`, a cycle), or an envelope the codec refuses, which would fail it
 * on every read and stop every reader at its position.
 */
export const sealedForStore = (
  streamId: string,
  lastRevision: number,
  previousHash: string,
  events: readonly ProposedEvent[],
  positionOf: (index: number) => number,
): EventEnvelope[] | string => {
  let sealed: EventEnvelope[];
  try {
    sealed = sealEvents(streamId, lastRevision, previousHash, events, positionOf, asStoredJson);
  } catch (error) {
    return `its events cannot be serialised: ${messageOf(error)}`;
  }
  for (const envelope of sealed) {
    const decoded = decodeWithGuard(EventEnvelopeCodec, envelope);
    if (E.isLeft(decoded)) return `event ${String(envelope.eventId)} is not a valid envelope: ${PathReporter.report(decoded).join('; ')}`;
  }
  return sealed;
};
