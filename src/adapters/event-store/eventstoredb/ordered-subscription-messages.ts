import type { AllStreamResolvedEvent, AllStreamSubscription, EventStoreDBClient, Filter, Position, ReadPosition } from '@eventstore/db-client';
import { Observable } from 'rxjs';

/** What a filtered `$all` subscription receives, in the order the server sent it. */
export type WireMessage =
  | { readonly kind: 'event'; readonly resolved: AllStreamResolvedEvent }
  | { readonly kind: 'checkpoint'; readonly position: Position }
  | { readonly kind: 'caught-up' };

interface HeldMarker {
  /** Events the client had buffered ahead of this marker and has not delivered yet. */
  remaining: number;
  readonly message: WireMessage;
}

/**
 * A catch-up subscription to `$all` as an Observable that keeps the server's order. The client delivers
 * events through its readable side, which may buffer them, but reports checkpoints and caught-up through a
 * callback and an emitted event that fire as soon as the response is decoded, possibly while earlier events
 * still sit in that buffer. Such a marker is held back until the events buffered ahead of it have been
 * delivered, so a checkpoint never overtakes an event before it.
 */
export const orderedSubscriptionMessages = (
  client: EventStoreDBClient,
  fromPosition: ReadPosition,
  filter: Filter,
): Observable<WireMessage> =>
  new Observable<WireMessage>((subscriber) => {
    const held: HeldMarker[] = [];
    const release = (): void => {
      while (held.length > 0 && (held[0] as HeldMarker).remaining === 0) subscriber.next((held.shift() as HeldMarker).message);
    };
    const mark = (source: AllStreamSubscription, message: WireMessage): void => {
      held.push({ remaining: source.readableLength, message });
      release();
    };
    const subscription = client.subscribeToAll({
      fromPosition,
      filter: { ...filter, checkpointReached: (source, position) => mark(source, { kind: 'checkpoint', position }) },
    });
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      subscriber.next({ kind: 'event', resolved });
      for (const marker of held) marker.remaining -= 1;
      release();
    });
    subscription.on('caughtUp', () => mark(subscription, { kind: 'caught-up' }));
    subscription.on('error', (error: Error) => subscriber.error(error));
    subscription.on('end', () => subscriber.complete());
    return () => {
      void subscription.unsubscribe();
    };
  });
