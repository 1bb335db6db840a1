/**
 * The PostgreSQL event store.
 *
 * Tables (in a schema of the caller's choice, `ordersource` by default, created on first use): `events`, one
 * row per event, keyed by global position and unique on (stream_id, revision); `streams`, each stream's head
 * (last revision and hash), which appends move with a conditional UPDATE and which gives the next event's
 * previous hash; `global_position`, one row holding the last position handed out.
 *
 * An append is one statement, so one implicit transaction (see `batch-appender.ts`; the statement calls the
 * store's append function, `append-function.ts`, whose plan PostgreSQL keeps): move the stream head if
 * it is still where the append found it (read, or remembered from this store's last write to the stream),
 * then reserve positions on the `global_position` row, insert the events, notify. A head that moved
 * meanwhile makes the append read it again and re-check its expectation.
 *
 * THE GAP PROBLEM. A `$all` reader pages by "position > last seen". Were positions taken from a sequence,
 * a transaction could take 10, another 11 and commit first; a reader would see 11, move past 10, and never
 * deliver it. Here positions are reserved by updating the single `global_position` row as the last step of
 * the transaction, and that row lock is held until commit. PostgreSQL releases a transaction's locks only
 * after its commit is visible to new snapshots, so a transaction reserves position p only once every earlier
 * reservation is visible (or rolled back, which also rolls the counter back: positions have no holes). Any
 * snapshot that shows position p therefore shows every position below it, and a reader can never skip one.
 * The cost: commits that insert events are serialised through that row, each holding it for its insert and
 * its commit (the WAL flush), so the store's append rate is bounded by commit latency. Group commit (an
 * option) recovers throughput by putting many appends into one such commit.
 * The alternative weighed was snapshot visibility: stamp rows with the writer's transaction id and deliver
 * only rows whose id is below `pg_snapshot_xmin(pg_current_snapshot())`. Writers then never wait on each
 * other, but global order becomes (transaction id, sequence), which a single numeric position cannot carry,
 * and every reader stalls behind the oldest open transaction of the whole cluster, whatever it is doing.
 *
 * Live subscriptions read `$all` pages in a loop; LISTEN/NOTIFY wakes them when an append commits, and
 * polling with back-off covers lost notifications and a dropped LISTEN session.
 */
import * as E from 'fp-ts/Either';
import { isLeft } from 'fp-ts/Either';
import { Pool } from 'pg';
import { defer, Observable, Subject, takeUntil, throwError } from 'rxjs';
import type { EventEnvelope, ProposedEvent } from '../../../engine/event-store/envelope';
import type {
  AppendError,
  AppendResult,
  EventFilter,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  StoreUnavailable,
  SubscribeOptions,
  SubscriptionMessage,
} from '../../../engine/event-store/event-store';
import { AppendListener } from './append-listener';
import { BatchAppender } from './batch-appender';
import { decodeEventRow, EVENT_COLUMN_COUNT, EVENT_COLUMNS, EVENT_ROW_TYPES } from './event-row';
import { GroupCommitOptions, GroupCommitWriter } from './group-commit-writer';
import { HeadedPage, liveSubscription, PollingOptions } from './live-subscription';
import { EventStoreReadError, readFailure, storeUnavailable } from './postgres-errors';
import { migrateSchema } from './schema-migration';
import { schemaInUrl, schemasInUrlProblem } from './schema-name';
import { DEFAULT_SCHEMA, StoreSchema, storeSchema } from './store-schema';

export interface PostgresEventStoreOptions {
  /**
   * The PostgreSQL schema that holds the store's tables; created on first use. Default: the one a connection
   * string's `?schema=` names, else `ordersource`.
   */
  readonly schema?: string;
  /**
   * Lets concurrent appends share one transaction (one commit, one round trip). Off by default; `true` takes
   * the default batch limits. Each append keeps its own expected-revision check and outcome.
   */
  readonly groupCommit?: boolean | GroupCommitOptions;
  /** How subscriptions poll when no notification wakes them. */
  readonly polling?: PollingOptions;
}

/** A page of `$all` with a sparse filter scans at most this many positions, so one call's work is bounded. */
const MAX_SCAN_PER_PAGE = 65_536;
/**
 * node-postgres holds a whole result until its last row, so a page's rows outlive young-generation
 * collections and get copied and promoted. Replaying 220,000 events in pages of 4,096 took a dozen full
 * collections, in pages of 1,024 one: that saves more CPU than the extra round trips cost.
 */
export const READ_ALL_PAGE_SIZE = 1_024;

/** Where a page's rows hold the head (in the counter's row, after the event columns, which it leaves null). */
const HEAD_COLUMN = EVENT_COLUMN_COUNT;
const NO_EVENT_COLUMNS = Array.from({ length: EVENT_COLUMN_COUNT }, () => 'NULL').join(', ');

const positionOrUndefined = (lastPosition: number): number | undefined => (lastPosition < 0 ? undefined : lastPosition);

/** The last event of a forwards read that stopped short of its limit, so at the end of the stream. */
const reachedTheEnd = (events: readonly EventEnvelope[], maxCount: number | null): EventEnvelope | undefined =>
  maxCount === null || events.length < maxCount ? events[events.length - 1] : undefined;

export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly schema: StoreSchema;
  private readonly appender: BatchAppender;
  private readonly writer: GroupCommitWriter | undefined;
  private readonly listener: AppendListener;
  private readonly polling: PollingOptions;
  private readonly closing = new Subject<void>();
  private migration: Promise<void> | undefined;
  private closed = false;
  /**
   * The appends and reads under way, from the call on. `close` ends the pool only once they have settled:
   * pg's `end` leaves a caller still waiting for a connection waiting for ever.
   */
  private readonly underWay = new Set<Promise<unknown>>();

  /** An idle pooled client whose server went away emits 'error'; unheard, that would crash the process. */
  private readonly onIdleClientError = (): void => undefined;

  /**
   * From a pool the caller owns (and ends), or from a connection string (the store then owns its pool and
   * ends it on `close`). Subscriptions use one more connection of their own, outside the pool, to LISTEN.
   */
  constructor(connection: Pool | string, options: PostgresEventStoreOptions = {}) {
    this.ownsPool = typeof connection === 'string';
    const url = typeof connection === 'string' ? schemaInUrl(connection) : undefined;
    const twoSchemas = typeof connection === 'string' ? schemasInUrlProblem(connection) : undefined;
    if (twoSchemas !== undefined) throw new RangeError(`the URL ${twoSchemas}`);
    if (url?.schema !== undefined && options.schema !== undefined && url.schema !== options.schema) {
      throw new RangeError(`the URL names schema ${JSON.stringify(url.schema)} and the options ${JSON.stringify(options.schema)}: name one`);
    }
    this.schema = storeSchema(options.schema ?? url?.schema ?? DEFAULT_SCHEMA);
    this.pool = url === undefined ? (connection as Pool) : new Pool({ connectionString: url.connectionString });
    this.pool.on('error', this.onIdleClientError);
    this.appender = new BatchAppender(this.pool, this.schema);
    const { groupCommit } = options;
    this.writer =
      groupCommit === undefined || groupCommit === false
        ? undefined
        : new GroupCommitWriter((requests) => this.appender.append(requests), groupCommit === true ? {} : groupCommit);
    this.listener = new AppendListener(this.pool.options, this.schema.channel);
    this.polling = options.polling ?? {};
  }

  /** Creates the schema and its tables if needed. Every operation does so on first use; calling this first is optional. */
  async migrate(): Promise<E.Either<StoreUnavailable, void>> {
    if (this.closed) return E.left(storeUnavailable('the PostgreSQL event store is closed'));
    try {
      await this.ready();
      return E.right(undefined);
    } catch (error) {
      return E.left(storeUnavailable('could not prepare the event store schema', error));
    }
  }

  append(streamId: string, events: readonly ProposedEvent[], expected: ExpectedRevision): Promise<E.Either<AppendError, AppendResult>> {
    return this.tracked(this.appendNow(streamId, events, expected));
  }

  private async appendNow(streamId: string, events: readonly ProposedEvent[], expected: ExpectedRevision): Promise<E.Either<AppendError, AppendResult>> {
    const ready = await this.migrate();
    if (isLeft(ready)) return ready;
    const request = { streamId, events, expected };
    if (this.writer !== undefined) return this.writer.append(request);
    const [outcome] = await this.appender.append([request]);
    return outcome ?? E.left(storeUnavailable('the append was not attempted'));
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): Promise<readonly EventEnvelope[]> {
    return this.tracked(this.readStreamNow(streamId, options));
  }

  private async readStreamNow(streamId: string, options: ReadStreamOptions): Promise<readonly EventEnvelope[]> {
    const maxCount = options.maxCount === undefined ? null : Math.max(0, Math.floor(options.maxCount));
    const backwards = options.direction === 'backwards';
    const fromRevision = backwards ? (options.fromRevision ?? Number.MAX_SAFE_INTEGER) : Math.max(options.fromRevision ?? 0, 0);
    const rows = await this.query(
      'reading a stream',
      backwards ? 'read-stream-backwards' : 'read-stream-forwards',
      `SELECT ${EVENT_COLUMNS} FROM ${this.schema.events}
       WHERE stream_id = $1 AND revision ${backwards ? '<=' : '>='} $2
       ORDER BY revision ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
      [streamId, fromRevision, maxCount],
    );
    const events = rows.map(decodeEventRow);
    // A read that ends at the stream's last event tells the appender where the stream ends, as one
    // statement saw it: the append of a command decided on these events then goes without reading the head.
    const last = backwards ? (options.fromRevision === undefined ? events[0] : undefined) : reachedTheEnd(events, maxCount);
    if (last !== undefined) this.appender.learnHead(streamId, { revision: last.revision, hash: last.hash });
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    const { events, lastPosition, isEnd } = await this.tracked(this.readPage(options.after, options.maxCount ?? READ_ALL_PAGE_SIZE, options.filter));
    return { events, lastPosition, isEnd };
  }

  subscribe(options: SubscribeOptions = {}): Observable<SubscriptionMessage> {
    // Checked when subscribed to, not when made: an observable made before `close` and subscribed to after
    // it would otherwise poll a closed store for ever, `closing` having long completed.
    return defer(() =>
      this.closed
        ? throwError(() => new EventStoreReadError('STORE_UNAVAILABLE', 'the PostgreSQL event store is closed'))
        : liveSubscription(
            {
              readPage: (after, filter) => this.readPage(after, READ_ALL_PAGE_SIZE, filter),
              listener: this.listener,
              polling: this.polling,
            },
            options,
          ).pipe(takeUntil(this.closing)),
    );
  }

  async headPosition(): Promise<number | undefined> {
    const rows = await this.tracked(this.query('reading the head position', 'head', `SELECT last_position FROM ${this.schema.globalPosition}`, []));
    return positionOrUndefined(this.decodeHead(rows[0]?.[0]));
  }

  /** Writes what group commit has queued, completes subscriptions, and releases connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.next();
    this.closing.complete();
    await this.writer?.drain();
    await Promise.allSettled([...this.underWay]);
    await this.listener.close();
    if (this.ownsPool) await this.pool.end();
    this.pool.off('error', this.onIdleClientError);
  }

  private tracked<T>(operation: Promise<T>): Promise<T> {
    this.underWay.add(operation);
    const settled = (): void => {
      this.underWay.delete(operation);
    };
    operation.then(settled, settled);
    return operation;
  }

  private ready(): Promise<void> {
    this.migration ??= migrateSchema(this.pool, this.schema).catch((error: unknown) => {
      this.migration = undefined;
      throw error;
    });
    return this.migration;
  }

  /**
   * One page of `$all` and the head, from one statement, so one snapshot, so that "reached the head" is true
   * of what the page saw. Without a filter the page is the next `maxCount` positions; with one, it scans at
   * most `MAX_SCAN_PER_PAGE` positions and reports how far it got, matching or not.
   *
   * The head comes as one more row, after the events (its position is null, and nulls sort last), rather
   * than as a column of every event row: PostgreSQL then merges the index-ordered events with that row
   * instead of sorting the page, and the driver parses one head instead of one per event.
   *
   * `LIMIT 1` states that the counter table has one row: until it is analysed the planner guesses
   * thousands (from its pages), which once priced a page high enough to switch on JIT compilation, a third
   * of a second per page.
   */
  private async readPage(after: number | undefined, maxCount: number, filter: EventFilter | undefined): Promise<HeadedPage> {
    const from = after ?? -1;
    const count = Math.max(0, Math.floor(maxCount));
    const scan = filter === undefined ? count : Math.max(count, MAX_SCAN_PER_PAGE);
    const rows = await this.query(
      'reading all streams',
      'read-all',
      `(SELECT ${EVENT_COLUMNS}, NULL::bigint AS head FROM ${this.schema.events}
        WHERE position > $1 AND position <= $2
          AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($3::text[]) AS p(prefix) WHERE starts_with(stream_id, p.prefix)))
          AND ($4::text[] IS NULL OR type = ANY($4::text[]))
        ORDER BY position
        LIMIT $5)
       UNION ALL
       (SELECT ${NO_EVENT_COLUMNS}, last_position FROM ${this.schema.globalPosition} LIMIT 1)
       ORDER BY position`,
      [from, from + scan, filter?.streamPrefixes ?? null, filter?.eventTypes ?? null, count],
    );
    // Every event row has a null head, so a head that decodes is the counter's row, the last one.
    const head = this.decodeHead(rows[rows.length - 1]?.[HEAD_COLUMN]);
    const events: EventEnvelope[] = new Array<EventEnvelope>(rows.length - 1);
    for (let i = 0; i < events.length; i += 1) events[i] = decodeEventRow(rows[i] as unknown[]);
    const last = events[events.length - 1];
    const reached = last !== undefined && events.length === count ? last.position : Math.max(from, Math.min(from + scan, head));
    return {
      events,
      lastPosition: reached > from ? reached : after,
      isEnd: reached >= head,
      head: positionOrUndefined(head),
    };
  }

  /** The counter's value, parsed by `EVENT_ROW_TYPES`: a number only when JavaScript holds it exactly. */
  private decodeHead(value: unknown): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new EventStoreReadError('CORRUPT_EVENT', `${this.schema.globalPosition} does not hold a position`);
    }
    return value;
  }

  /** Rows as arrays of columns, parsed by `EVENT_ROW_TYPES`. */
  private async query(what: string, statement: string, text: string, values: unknown[]): Promise<unknown[][]> {
    if (this.closed) throw new EventStoreReadError('STORE_UNAVAILABLE', 'the PostgreSQL event store is closed');
    try {
      await this.ready();
      const result = await this.pool.query<unknown[]>({ name: `${this.schema.statementPrefix}${statement}`, text, values, rowMode: 'array', types: EVENT_ROW_TYPES });
      return result.rows;
    } catch (error) {
      throw readFailure(what, error);
    }
  }
}
