import { eventTypeFilter, streamNameFilter, type Filter } from '@eventstore/db-client';
import type { EventFilter } from '../../../engine/event-store/event-store';

const REGEX_SPECIALS = /[.*+?^${}()|[\]\\]/g;

const exactly = (alternatives: readonly string[]): string =>
  `^(?:${alternatives.map((value) => value.replace(REGEX_SPECIALS, '\\$&')).join('|')})$`;

/**
 * The server-side part of a port filter. EventStoreDB filters on one criterion, so with both stream prefixes
 * and event types the prefixes go to the server (a prefix list is the cheapest filter it evaluates) and the
 * adapter re-applies the whole port filter to what arrives. Without a port filter, EventStoreDB's own system
 * streams are excluded, since they never hold envelopes. `checkpointInterval` is the client's: a multiple
 * of the server's search window (32 events), after which the server reports a checkpoint.
 */
export const serverSideFilter = (filter: EventFilter | undefined, checkpointInterval: number): Filter => {
  if (filter?.streamPrefixes !== undefined) return streamNameFilter({ prefixes: [...filter.streamPrefixes], checkpointInterval });
  if (filter?.eventTypes !== undefined) return eventTypeFilter({ regex: exactly(filter.eventTypes), checkpointInterval });
  return streamNameFilter({ regex: '^[^$]', checkpointInterval });
};
