import { Subject } from 'rxjs';
import { handledInOrder } from '../../../src/engine/process-manager/handled-in-order';

/** A handler whose calls finish only when the test says so, logging when each starts and ends. */
const controlledHandler = () => {
  const log: string[] = [];
  const finishers: (() => void)[] = [];
  const handle = (value: number): Promise<void> =>
    new Promise((resolve) => {
      log.push(`start ${value}`);
      finishers.push(() => {
        log.push(`end ${value}`);
        resolve();
      });
    });
  const finishNext = async (): Promise<void> => {
    finishers.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { log, handle, finishNext };
};

describe('handledInOrder', () => {
  it('handles one value at a time, in order, values arriving meanwhile after the one in hand', async () => {
    const source = new Subject<number>();
    const { log, handle, finishNext } = controlledHandler();
    source.pipe(handledInOrder(handle)).subscribe();
    source.next(1);
    source.next(2);
    source.next(3);
    expect(log).toEqual(['start 1']);
    await finishNext();
    source.next(4);
    await finishNext();
    await finishNext();
    await finishNext();
    expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3', 'start 4', 'end 4']);
  });

  it('works through a backlog far larger than its compaction step, in order', async () => {
    const source = new Subject<number>();
    const handled: number[] = [];
    const done = new Promise<void>((resolve) => source.pipe(handledInOrder(async (value: number) => void handled.push(value))).subscribe({ complete: resolve }));
    for (let value = 0; value < 50_000; value += 1) source.next(value);
    source.complete();
    await done;
    expect(handled).toEqual(Array.from({ length: 50_000 }, (_, value) => value));
  });

  it('completes only once the source has completed and every value is handled', async () => {
    const source = new Subject<number>();
    const { handle, finishNext } = controlledHandler();
    let completed = false;
    source.pipe(handledInOrder(handle)).subscribe({ complete: () => (completed = true) });
    source.next(1);
    source.next(2);
    source.complete();
    await finishNext();
    expect(completed).toBe(false);
    await finishNext();
    expect(completed).toBe(true);
  });

  it('errors on a rejected handler and handles nothing after it', async () => {
    const source = new Subject<number>();
    const handled: number[] = [];
    const failed = new Promise<unknown>((resolve) =>
      source
        .pipe(
          handledInOrder(async (value: number) => {
            if (value === 2) throw new Error('refused 2');
            handled.push(value);
          }),
        )
        .subscribe({ error: resolve }),
    );
    [1, 2, 3].forEach((value) => source.next(value));
    expect(await failed).toEqual(new Error('refused 2'));
    expect(handled).toEqual([1]);
  });

  it('stops handling and leaves the source once unsubscribed', async () => {
    const source = new Subject<number>();
    const { log, handle, finishNext } = controlledHandler();
    const subscription = source.pipe(handledInOrder(handle)).subscribe();
    source.next(1);
    source.next(2);
    subscription.unsubscribe();
    await finishNext();
    expect(log).toEqual(['start 1', 'end 1']);
    expect(source.observed).toBe(false);
  });
});
