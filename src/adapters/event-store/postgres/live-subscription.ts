import { Observable } from 'rxjs';
import type { EventFilter, ReadAllPage, SubscribeOptions, SubscriptionMessage } from '../../../engine/event-store/event-store';
import type { AppendListener } from './append-listener';
import { EventStoreReadError } from './postgres-errors';

export interface PollingOptions {
  /** The first wait after a read that found nothing new. Default 25 ms. */
  readonly minDelayMs?: number;
  /** The wait doubles after each empty read up to this. Default 1000 ms. */
  readonly maxDelayMs?: number;
}

/** A `$all` page together with the head position seen by the same snapshot. */
export interface HeadedPage extends ReadAllPage {
  readonly head: number | undefined;
}

export interface LiveSubscriptionSource {
  readonly readPage: (after: number | undefined, filter: EventFilter | undefined) => Promise<HeadedPage>;
  readonly listener: AppendListener;
  readonly polling: PollingOptions;
}

const DEFAULT_MIN_DELAY_MS = 25;
const DEFAULT_MAX_DELAY_MS = 1_000;

/**
 * Reads that may fail in a row before the subscription ends with the error: a pooled connection the server
 * dropped fails one read, which the next one, on a new connection, gets past.
 */
const READ_FAILURES_TOLERATED = 3;

/**
 * Catch-up then live delivery by reading `$all` pages in a loop. Between reads it sleeps until an append
 * notification wakes it or its back-off runs out, whichever comes first, so it still delivers when
 * notifications are lost. A failed read is tried again after the same back-off, a few times; then the
 * subscription ends with the error, so that its subscriber (a projection runner, the process manager)
 * reports the outage and takes it up again from where it got to. A corrupt event ends it at once:
 * skipping it would break the order the reader relies on, and reading it again finds it as corrupt.
 */
export const liveSubscription = (source: LiveSubscriptionSource, options: SubscribeOptions): Observable<SubscriptionMessage> =>
  new Observable<SubscriptionMessage>((subscriber) => {
    const minDelay = source.polling.minDelayMs ?? DEFAULT_MIN_DELAY_MS;
    const maxDelay = Math.max(minDelay, source.polling.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);
    let stopped = false;
    let woken = false;
    let interruptSleep: (() => void) | undefined;
    const stopWatching = source.listener.watch(() => {
      woken = true;
      interruptSleep?.();
    });

    /** Resolves true when woken by a notification, false when the delay ran out. */
    const sleep = (delay: number): Promise<boolean> =>
      new Promise((resolve) => {
        if (woken || stopped) {
          resolve(woken);
          return;
        }
        const timer = setTimeout(() => {
          interruptSleep = undefined;
          resolve(false);
        }, delay);
        interruptSleep = () => {
          clearTimeout(timer);
          interruptSleep = undefined;
          resolve(true);
        };
      });

    const run = async (): Promise<void> => {
      let cursor = options.after;
      let caughtUp = false;
      let delay = minDelay;
      let failuresInARow = 0;
      while (!stopped) {
        woken = false;
        let page: HeadedPage;
        try {
          page = await source.readPage(cursor, options.filter);
        } catch (error) {
          if (stopped) return;
          failuresInARow += 1;
          if ((error instanceof EventStoreReadError && error.code === 'CORRUPT_EVENT') || failuresInARow >= READ_FAILURES_TOLERATED) {
            subscriber.error(error);
            return;
          }
          await sleep(delay);
          delay = Math.min(delay * 2, maxDelay);
          continue;
        }
        failuresInARow = 0;
        if (stopped) return;
        let lastDelivered = cursor;
        for (const event of page.events) {
          subscriber.next({ kind: 'event', event });
          if (stopped) return;
          lastDelivered = event.position;
        }
        if (page.lastPosition !== undefined && page.lastPosition !== lastDelivered) {
          subscriber.next({ kind: 'checkpoint', position: page.lastPosition });
        }
        cursor = page.lastPosition;
        if (!page.isEnd) {
          delay = minDelay;
          continue;
        }
        if (!caughtUp) {
          caughtUp = true;
          subscriber.next({ kind: 'caught-up', position: page.head });
        }
        if (page.events.length > 0) delay = minDelay;
        const notified = await sleep(delay);
        delay = notified ? minDelay : Math.min(delay * 2, maxDelay);
      }
    };
    run().catch((error: unknown) => subscriber.error(error));

    return () => {
      stopped = true;
      stopWatching();
      interruptSleep?.();
    };
  });
