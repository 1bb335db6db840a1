import { firstValueFrom } from 'rxjs';
import type { AppendListener } from '../../../src/adapters/event-store/postgres/append-listener';
import { HeadedPage, liveSubscription } from '../../../src/adapters/event-store/postgres/live-subscription';
import { EventStoreReadError } from '../../../src/adapters/event-store/postgres/postgres-errors';

const quietListener = { watch: () => () => undefined } as unknown as AppendListener;
const emptyEnd: HeadedPage = { events: [], lastPosition: undefined, isEnd: true, head: undefined };
const unavailable = () => new EventStoreReadError('STORE_UNAVAILABLE', 'could not connect to PostgreSQL');

/** A source whose reads fail `failures` times, then find an empty store. */
const failingFirst = (failures: number) => {
  let reads = 0;
  return {
    reads: () => reads,
    source: {
      listener: quietListener,
      polling: { minDelayMs: 1, maxDelayMs: 2 },
      readPage: (): Promise<HeadedPage> => {
        reads += 1;
        return reads <= failures ? Promise.reject(unavailable()) : Promise.resolve(emptyEnd);
      },
    },
  };
};

describe('PostgreSQL live subscription', () => {
  it('gets past a read that fails once, as one on a connection the server dropped does', async () => {
    const { source } = failingFirst(1);
    await expect(firstValueFrom(liveSubscription(source, {}))).resolves.toEqual({ kind: 'caught-up', position: undefined });
  });

  it('ends with the error once reads keep failing, so that its subscriber learns of the outage', async () => {
    const { source, reads } = failingFirst(Number.POSITIVE_INFINITY);
    await expect(firstValueFrom(liveSubscription(source, {}))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(reads()).toBe(3);
  });

  it('ends at once on a corrupt event: reading it again finds it as corrupt', async () => {
    let reads = 0;
    const source = {
      listener: quietListener,
      polling: { minDelayMs: 1, maxDelayMs: 2 },
      readPage: (): Promise<HeadedPage> => {
        reads += 1;
        return Promise.reject(new EventStoreReadError('CORRUPT_EVENT', 'event 3 cannot be read'));
      },
    };
    await expect(firstValueFrom(liveSubscription(source, {}))).rejects.toMatchObject({ code: 'CORRUPT_EVENT' });
    expect(reads).toBe(1);
  });
});
