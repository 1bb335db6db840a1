import * as t from 'io-ts';
import { documentCollection } from './document-collection';

/** An event a projection could not apply and, as configured, stepped over: kept so that it can be looked into. */
export const ParkedEvent = t.readonly(
  t.type({
    eventId: t.string,
    streamId: t.string,
    revision: t.number,
    type: t.string,
    position: t.number,
    recordedAt: t.number,
    reason: t.readonly(t.type({ code: t.string, message: t.string })),
  }),
  'ParkedEvent',
);
export type ParkedEvent = t.TypeOf<typeof ParkedEvent>;

/** Every projection version has this collection besides its own; the leading `_` keeps it apart from those. */
export const parkedEvents = documentCollection('_parked', ParkedEvent, [{ name: 'by-position', equals: [], sortBy: { field: 'position', type: 'number' } }]);

export const PARKED_EVENTS_PAGE_SIZE = 100;
