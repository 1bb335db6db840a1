import type { EventEnvelope } from '../../../src/engine/event-store/envelope';
import type { HeadedPage } from '../../../src/adapters/event-store/postgres/live-subscription';
import { PageRequest, ReadAhead } from '../../../src/adapters/event-store/postgres/read-ahead';

/**
 * `$all` as positions 0 … head, paged as the PostgreSQL store pages it (no filter), with every read logged
 * by the position it starts after; `failReadAfter` makes the next read after that position fail.
 */
const fakeLog = (initialHead: number) => {
  let head = initialHead;
  const reads: (number | undefined)[] = [];
  let failing: number | undefined;
  const read = (request: PageRequest): Promise<HeadedPage> => {
    reads.push(request.after);
    if (failing !== undefined && request.after === failing) {
      failing = undefined;
      return Promise.reject(new Error('connection lost'));
    }
    const from = (request.after ?? -1) + 1;
    const to = Math.min(from + request.maxCount - 1, head);
    const events = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => ({ position: from + i }) as EventEnvelope);
    const lastPosition = events.length > 0 ? to : request.after;
    return Promise.resolve({ events, lastPosition, isEnd: (lastPosition ?? -1) >= head, head });
  };
  return {
    read,
    reads,
    append: (count: number) => {
      head += count;
    },
    failReadAfter: (position: number) => {
      failing = position;
    },
  };
};

const positionsOf = (page: HeadedPage): number[] => page.events.map((event) => event.position);
const page = (after: number | undefined, maxCount = 10): PageRequest => ({ after, maxCount, filter: undefined });
/** Lets a read ahead, started without being awaited, run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('ReadAhead', () => {
  it('hands a sequential reader the same pages, the next one read while it handles the last', async () => {
    const log = fakeLog(34);
    const ahead = new ReadAhead(log.read);
    const handed: number[][] = [];
    let after: number | undefined;
    for (;;) {
      const next = await ahead.next(page(after));
      handed.push(positionsOf(next));
      await settle();
      if (next.isEnd) break;
      after = next.lastPosition;
    }
    expect(handed.flat()).toEqual(Array.from({ length: 35 }, (_, i) => i));
    // Pages after 9 and 19 were read ahead, before the reader asked; the one after 29 reached the head and
    // was read again when asked for.
    expect(log.reads).toEqual([undefined, 9, 19, 29, 29]);
  });

  it('reads a page that reached the head again, so the reader sees what was appended since', async () => {
    const log = fakeLog(24);
    const ahead = new ReadAhead(log.read);
    await ahead.next(page(undefined));
    await ahead.next(page(9));
    await settle();
    log.append(5);
    const last = await ahead.next(page(19));
    expect(positionsOf(last)).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(last.isEnd).toBe(true);
  });

  it('costs readers that interleave different reads nothing beyond their own reads', async () => {
    const log = fakeLog(1_000);
    const ahead = new ReadAhead(log.read);
    const first: PageRequest[] = [page(undefined), page(9), page(19)];
    const second: PageRequest[] = [page(500), page(509), page(518, 9)];
    for (let i = 0; i < first.length; i += 1) {
      await ahead.next(first[i] as PageRequest);
      await ahead.next(second[i] as PageRequest);
      await settle();
    }
    expect(log.reads).toEqual([undefined, 500, 9, 509, 19, 518]);
  });

  it('forgets a read ahead that failed and reads the page when asked for', async () => {
    const log = fakeLog(100);
    const ahead = new ReadAhead(log.read);
    await ahead.next(page(undefined));
    log.failReadAfter(19);
    await ahead.next(page(9));
    await settle();
    expect(positionsOf(await ahead.next(page(19)))).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
    expect(log.reads).toEqual([undefined, 9, 19, 19, 29]);
  });
});
