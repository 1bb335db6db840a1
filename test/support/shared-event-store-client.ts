import { Subject, takeUntil, throwError } from 'rxjs';
import type { EventStore } from '../../src/engine/event-store/event-store';
import { delegatingTo } from './delegating-event-store';

/**
 * A client of `backend` as a connection is of a database shared with others: closing it ends its own
 * subscriptions and refuses new ones, and leaves `backend`, and every other client, open.
 */
export const sharedEventStoreClient = (backend: EventStore): EventStore => {
  let closed = false;
  const closing = new Subject<void>();
  return delegatingTo(backend, {
    subscribe: (options) => (closed ? throwError(() => new Error('the client is closed')) : backend.subscribe(options).pipe(takeUntil(closing))),
    close: () => {
      closed = true;
      closing.next();
      closing.complete();
      return Promise.resolve();
    },
  });
};
