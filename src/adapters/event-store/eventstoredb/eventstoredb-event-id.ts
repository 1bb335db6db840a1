import { createHash } from 'node:crypto';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The name space of ordersource's derived event ids; fixed forever, or replayed appends would stop de-duplicating. */
const ORDERSOURCE_EVENT_ID_NAMESPACE = Buffer.from('a0502e3089d54c188eb548708a8853d6', 'hex');

/**
 * The id EventStoreDB stores for an engine event id. EventStoreDB only accepts UUIDs; an id that already is
 * one is used as is (lower-cased, as the server returns it), any other id is mapped to a name-based UUID
 * (RFC 4122 version 5: SHA-1 over a fixed name space and the id). The mapping is deterministic, so a replayed
 * append carries the same ids and the server's idempotency check recognises it.
 */
export const eventStoreDbEventId = (eventId: string): string => {
  if (UUID_PATTERN.test(eventId)) return eventId.toLowerCase();
  const digest = createHash('sha1').update(ORDERSOURCE_EVENT_ID_NAMESPACE).update(eventId, 'utf8').digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
