import { Observable, OperatorFunction } from 'rxjs';
import type { SubscriptionMessage } from '../engine/event-store/event-store';

/**
 * Groups a subscription's messages into batches of at most `maxEvents` events. A batch is emitted when it is
 * full, when the catch-up phase ends (so a reader waiting for it is not kept waiting), or `maxWaitMs` after
 * its first message; no timer runs while nothing is pending.
 */
export const inBatches =
  (maxEvents: number, maxWaitMs: number): OperatorFunction<SubscriptionMessage, readonly SubscriptionMessage[]> =>
  (source) =>
    new Observable<readonly SubscriptionMessage[]>((subscriber) => {
      let batch: SubscriptionMessage[] = [];
      let events = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const flush = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        if (batch.length === 0) return;
        const full = batch;
        batch = [];
        events = 0;
        subscriber.next(full);
      };
      const subscription = source.subscribe({
        next: (message) => {
          batch.push(message);
          if (message.kind === 'event') events += 1;
          if (events >= maxEvents || message.kind === 'caught-up') flush();
          else timer ??= setTimeout(flush, maxWaitMs);
        },
        error: (error: unknown) => {
          flush();
          subscriber.error(error);
        },
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        if (timer !== undefined) clearTimeout(timer);
        subscription.unsubscribe();
      };
    });
