import * as E from 'fp-ts/Either';
import type { EventEnvelope } from '../event-store/envelope';
import type { EventStore } from '../event-store/event-store';
import { AuditError, storeReadFailed, streamNotFound } from './audit-errors';

/**
 * A stream's events in revision order, or why there are none. A store reads its streams back in that order,
 * but one holding a damaged import (events swapped in the file, which `verify` reports) may give them as
 * they came: audits answer the same from every store.
 */
export const auditedStream = async (store: EventStore, streamId: string): Promise<E.Either<AuditError, readonly EventEnvelope[]>> => {
  let events: readonly EventEnvelope[];
  try {
    events = await store.readStream(streamId);
  } catch (cause) {
    return E.left(storeReadFailed(cause));
  }
  if (events.length === 0) return E.left(streamNotFound(streamId));
  return E.right([...events].sort((a, b) => a.revision - b.revision));
};
