import { Observable, OperatorFunction } from 'rxjs';

/** Handled values are cut off the front of the queue once they are this many and outnumber those waiting. */
const COMPACT_AFTER = 1_024;

/**
 * Hands each value of the source to `handle`, one at a time and in the source's order, as
 * `concatMap((value) => from(handle(value)))` does, and emits nothing: a source error, or a handler's
 * rejection, errors the result; it completes once the source has and every value is handled.
 *
 * The values that arrive while one is handled wait in a queue read from a moving head. concatMap keeps them
 * in an array it shifts at each step, which costs time proportional to the backlog once that array is too
 * large to be trimmed in place: a process manager behind a burst of writers spent 40% of its process's time
 * shifting its backlog along.
 */
export const handledInOrder =
  <T>(handle: (value: T) => Promise<void>): OperatorFunction<T, never> =>
  (source) =>
    new Observable<never>((subscriber) => {
      let waiting: T[] = [];
      let head = 0;
      let handling = false;
      let sourceDone = false;

      const handleWaiting = async (): Promise<void> => {
        handling = true;
        while (head < waiting.length && !subscriber.closed) {
          const value = waiting[head] as T;
          head += 1;
          if (head >= COMPACT_AFTER && head * 2 >= waiting.length) {
            waiting = waiting.slice(head);
            head = 0;
          }
          try {
            await handle(value);
          } catch (error) {
            subscriber.error(error);
            return;
          }
        }
        handling = false;
        if (sourceDone) subscriber.complete();
      };

      const subscription = source.subscribe({
        next: (value) => {
          waiting.push(value);
          if (!handling) void handleWaiting();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          if (!handling) subscriber.complete();
        },
      });
      return () => subscription.unsubscribe();
    });
