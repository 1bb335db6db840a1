import type { EventFilter } from '../../../engine/event-store/event-store';
import type { HeadedPage } from './live-subscription';

/** Which page of `$all` to read: the positions after `after`, at most `maxCount` events, matching `filter`. */
export interface PageRequest {
  readonly after: number | undefined;
  readonly maxCount: number;
  readonly filter: EventFilter | undefined;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((item, i) => item === b[i]));

const sameRequest = (a: PageRequest, b: PageRequest): boolean =>
  a.after === b.after &&
  a.maxCount === b.maxCount &&
  (a.filter === b.filter || (sameList(a.filter?.streamPrefixes, b.filter?.streamPrefixes) && sameList(a.filter?.eventTypes, b.filter?.eventTypes)));

/**
 * Reads the next page of `$all` for a reader going through it page after page (a replay, an export, a
 * catch-up) while that reader is still handling the page it has, so that PostgreSQL prepares the next page
 * on one core while the reader decodes and folds on the other, instead of each waiting for the other.
 *
 * A page read ahead is handed out only if it did not reach the head. Such a page covers positions below
 * the head of its snapshot, and those never change: positions are gap-free and become visible in order,
 * so every one of them was committed when it was read, and a read now would return the same events. A
 * page that reached the head is read again, so that a reader sees what was appended in the meantime (its
 * own appends included), as it would without reading ahead.
 *
 * A read ahead starts only once a reader has asked for the page continuing the one it was last handed,
 * so readers that interleave different reads do not set off reads nobody uses. A failed read ahead is
 * forgotten and the page read when asked for: a reader sees only its own reads' failures.
 */
export class ReadAhead {
  /** The request that continues the page last handed out. */
  private continuation: PageRequest | undefined;
  private pending: { readonly request: PageRequest; readonly page: Promise<HeadedPage | undefined> } | undefined;

  constructor(private readonly read: (request: PageRequest) => Promise<HeadedPage>) {}

  async next(request: PageRequest): Promise<HeadedPage> {
    const sequential = this.continuation !== undefined && sameRequest(this.continuation, request);
    const pending = this.pending;
    this.pending = undefined;
    const ahead = sequential && pending !== undefined && sameRequest(pending.request, request) ? await pending.page : undefined;
    const page = ahead !== undefined && !ahead.isEnd ? ahead : await this.read(request);
    this.continuation = page.lastPosition === undefined ? undefined : { ...request, after: page.lastPosition };
    if (sequential && !page.isEnd && this.continuation !== undefined) {
      const next = this.continuation;
      this.pending = { request: next, page: this.read(next).catch(() => undefined) };
    }
    return page;
  }
}
