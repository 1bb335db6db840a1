import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/PathReporter';
import type { Pool, PoolClient } from 'pg';
import { GENESIS_HASH } from '../../../engine/audit/hash-chain';
import { EventEnvelope, ProposedEvent, Sha256Hex } from '../../../engine/event-store/envelope';
import {
  AppendError,
  AppendResult,
  expectationHolds,
  ExpectedRevision,
  NO_STREAM_REVISION,
  wrongExpectedRevision,
} from '../../../engine/event-store/event-store';
import { int4Array, int8Array, textArray } from '../../postgres/binary-arrays';
import { checkOutClient, giveBackClient } from '../../postgres/pooled-client';
import { Int8 } from './column-codecs';
import { EVENT_ROW_TYPES } from './event-row';
import { isConnectionFailure, isStreamRevisionTaken, isTransientConflict, isWholeTransactionFailure, storeUnavailable } from './postgres-errors';
import type { StoreSchema } from './store-schema';
import { StreamHead, StreamHeadCache } from '../stream-head-cache';
import { sealedForStore } from '../../../engine/event-store/sealing';

export interface AppendRequest {
  readonly streamId: string;
  readonly events: readonly ProposedEvent[];
  readonly expected: ExpectedRevision;
}

export type AppendOutcome = E.Either<AppendError, AppendResult>;

/**
 * A round that loses a race (another writer moved one of its streams between the read and the write) runs
 * again with fresh heads. Each lost race means some other append committed, so this bound is only reached
 * under pathological contention or a defect; it turns an endless loop into an error value.
 */
const MAX_ROUNDS = 1_000;

/** Enough for the streams a process is busy with; each entry is a stream id and a hash. */
const HEAD_CACHE_CAPACITY = 10_000;

/**
 * `sealEvents` wants a position, which only the write assigns: envelopes are sealed with this stand-in (a valid
 * position, so that the sealed envelope can be validated as it is) and copied with the real one afterwards.
 */
const UNASSIGNED_POSITION = 0;

const NO_HEAD: StreamHead = { revision: NO_STREAM_REVISION, hash: GENESIS_HASH };

const StreamHeadRow = t.type({ stream_id: t.string, last_revision: Int8, last_hash: Sha256Hex });

const WriteResultRow = t.type({ accepted: t.readonlyArray(t.string), base: t.union([Int8, t.null]) });

type Planned =
  | { readonly kind: 'conflict'; readonly actual: number }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'empty'; readonly revision: number }
  | { readonly kind: 'write'; readonly sealed: readonly EventEnvelope[]; readonly nextRevision: number };

interface PlannedAppend {
  readonly index: number;
  readonly request: AppendRequest;
  readonly planned: Planned;
}

interface StreamMove {
  readonly from: StreamHead;
  readonly to: StreamHead;
}

interface RoundPlan {
  readonly appends: readonly PlannedAppend[];
  /** One per stream that gets events: from the head read to the head after the round's last append to it. */
  readonly moves: ReadonlyMap<string, StreamMove>;
}

/**
 * Checks each append against the heads as the earlier appends of the same round leave them, so a stream
 * that appears twice sees its first append's revision, and a failed expectation fails that append alone.
 */
const planRound = (requests: readonly AppendRequest[], pending: readonly number[], heads: ReadonlyMap<string, StreamHead>): RoundPlan => {
  const current = new Map(heads);
  const moves = new Map<string, StreamMove>();
  const appends: PlannedAppend[] = [];
  for (const index of pending) {
    const request = requests[index] as AppendRequest;
    const head = current.get(request.streamId) ?? NO_HEAD;
    if (!expectationHolds(request.expected, head.revision)) {
      appends.push({ index, request, planned: { kind: 'conflict', actual: head.revision } });
    } else if (request.events.length === 0) {
      appends.push({ index, request, planned: { kind: 'empty', revision: head.revision } });
    } else {
      const sealed = sealedForStore(request.streamId, head.revision, head.hash, request.events, () => UNASSIGNED_POSITION);
      if (typeof sealed === 'string') {
        appends.push({ index, request, planned: { kind: 'invalid', reason: sealed } });
        continue;
      }
      const last = sealed[sealed.length - 1] as EventEnvelope;
      const next: StreamHead = { revision: last.revision, hash: last.hash };
      current.set(request.streamId, next);
      moves.set(request.streamId, { from: moves.get(request.streamId)?.from ?? head, to: next });
      appends.push({ index, request, planned: { kind: 'write', sealed, nextRevision: next.revision } });
    }
  }
  return { appends, moves };
};

/**
 * The write of a round of more than one event: one call of the store's append function (see `append-function.ts`),
 * so one statement and one implicit transaction.
 */
const writeStatement = (schema: StoreSchema): string => `
  SELECT accepted_streams AS accepted, base_position AS base
  FROM ${schema.appendFunction}($1::text[], $2::int8[], $3::text[], $4::int8[], $5::text[], $6::text[], $7::int8[], $8::text[],
                                $9::text[], $10::int4[], $11::text[], $12::int8[], $13::int8[], $14::text[], $15::text[],
                                $16::text[], $17::text[], $18::text[], $19::text[], $20::text)`;

/**
 * The write of a round of one event to one stream, most rounds: the same writes, in the same order and under
 * the same locks, as the append function for a round of one (move the stream head if it is still where the
 * event was sealed, reserve the next position on the counter row, held until commit, insert the event,
 * notify), as one statement on scalar parameters. Parameters: the event's columns (stream id, revision, event
 * id, type, schema version, data as JSON text, occurred at, recorded at, command id, correlation id,
 * causation id, actor, previous hash, hash), then the NOTIFY channel. One row with the event's position, or
 * none if the head moved (a lost race, which goes round again). The notification comes from a CTE that the
 * final SELECT counts, so that it runs exactly when a position was reserved, and the row carries no void column.
 *
 * WHY NO JOIN WITH THE COUNTER. The planner takes the counter table to hold as many rows as its pages could:
 * it has no statistics until something analyses it, and under concurrent appends its one row leaves dead
 * versions behind faster than pruning removes them (19 pages after 30,000 appends by 8 writers, with nothing
 * vacuuming). The final SELECT once joined two scans of `reserved`, so its estimate grew with the square of
 * that guess: past about 20 pages a new connection planned the append above `jit_above_cost` and compiled it on
 * every execution (13 ms an append at 21 pages, 187 ms at 27). Every part now costs in proportion to the guess,
 * and `singleton` lets the planner reach the row through its key instead of reading every page.
 *
 * WHY NOT THE FUNCTION. For one event, its arrays (nineteen to build, encode, send and unnest), window function
 * and CTE per step cost about a third of the server's time per append: pgbench, one client, 5 s runs, a call
 * of `append_events` with one event ~350-390 µs, the same writes as plain plpgsql statements ~280-320 µs, a
 * raw INSERT of the row ~220-250 µs. This statement, sent directly, was ~20 µs faster again than the plpgsql
 * version (node-postgres, 6,000 appends alternating in one process). Unlike the array statement, it needs no
 * function to keep its plan: with scalar parameters PostgreSQL settles on the generic plan after five
 * executions per connection (EXPLAIN EXECUTE shows its one-time filters on $2).
 *
 * The head it expects follows from the event: the hash chain links it to the head's hash (previous hash), and
 * its revision is the head's plus one, so revision 0 means a new stream. The unique (stream, revision) key
 * still refuses what slips past the head, as for the function.
 */
export const writeOneStatement = (schema: StoreSchema): string => `
  WITH advanced AS (
    UPDATE ${schema.streams} SET last_revision = $2, last_hash = $14
    WHERE $2::int8 > 0 AND stream_id = $1 AND last_revision = $2::int8 - 1 AND last_hash = $13
    RETURNING stream_id
  ),
  created AS (
    INSERT INTO ${schema.streams} (stream_id, last_revision, last_hash)
    SELECT $1, $2, $14 WHERE $2::int8 = 0
    ON CONFLICT (stream_id) DO NOTHING
    RETURNING stream_id
  ),
  reserved AS (
    UPDATE ${schema.globalPosition} SET last_position = last_position + 1
    WHERE singleton AND (EXISTS (SELECT FROM advanced) OR EXISTS (SELECT FROM created))
    RETURNING last_position
  ),
  inserted AS (
    INSERT INTO ${schema.events} (position, stream_id, revision, event_id, type, schema_version, data, occurred_at,
                                  recorded_at, command_id, correlation_id, causation_id, actor, previous_hash, hash)
    SELECT r.last_position, $1, $2, $3, $4, $5, $6::json, $7, $8, $9, $10, $11, $12, $13, $14 FROM reserved AS r
  ),
  notified AS (SELECT pg_notify($15, r.last_position::text) FROM reserved AS r)
  SELECT r.last_position AS position FROM reserved AS r WHERE (SELECT count(*) FROM notified) > 0`;

/** The round's only event, if it writes exactly one. */
const onlyEvent = (plan: RoundPlan): EventEnvelope | undefined => {
  if (plan.moves.size !== 1) return undefined;
  let only: EventEnvelope | undefined;
  for (const { planned } of plan.appends) {
    if (planned.kind !== 'write') continue;
    if (only !== undefined || planned.sealed.length !== 1) return undefined;
    only = planned.sealed[0];
  }
  return only;
};

/** canonicalJson hashes `undefined` as null; storing null keeps the stored event's hash verifiable. */
const dataText = (event: EventEnvelope): string => JSON.stringify(event.data) ?? 'null';

interface EventColumn {
  /** The event's value, as the one-event statement takes it. */
  readonly scalar: (event: EventEnvelope) => unknown;
  /** The column's values of a round's events, as the append function takes them. */
  readonly array: (events: readonly EventEnvelope[]) => Buffer;
}

const column = <V>(value: (event: EventEnvelope) => V, encode: (values: readonly V[]) => Buffer): EventColumn => ({
  scalar: value,
  array: (events) => encode(events.map(value)),
});

/** The events table's columns but the position, in order, as both write statements take them. */
const EVENT_COLUMNS: readonly EventColumn[] = [
  column((event) => event.streamId, textArray),
  column((event) => event.revision, int8Array),
  column((event) => event.eventId, textArray),
  column((event) => event.type, textArray),
  column((event) => event.schemaVersion, int4Array),
  column(dataText, textArray),
  column((event) => event.occurredAt, int8Array),
  column((event) => event.recordedAt, int8Array),
  column((event) => event.commandId, textArray),
  column((event) => event.correlationId, textArray),
  column((event) => event.causationId, textArray),
  column((event) => event.actor, textArray),
  column((event) => event.previousHash, textArray),
  column((event) => event.hash, textArray),
];

const writeOneParameters = (event: EventEnvelope, channel: string): unknown[] => [...EVENT_COLUMNS.map((c) => c.scalar(event)), channel];

/**
 * The append function's parameters: the moves, then the events, one array per column in PostgreSQL's binary
 * array format (see `binary-arrays.ts`), then the channel.
 */
const writeParameters = (plan: RoundPlan, channel: string): unknown[] => {
  const moveIds: string[] = [];
  const fromRevisions: number[] = [];
  const fromHashes: string[] = [];
  const toRevisions: number[] = [];
  const toHashes: string[] = [];
  for (const [streamId, move] of plan.moves) {
    moveIds.push(streamId);
    fromRevisions.push(move.from.revision);
    fromHashes.push(move.from.hash);
    toRevisions.push(move.to.revision);
    toHashes.push(move.to.hash);
  }
  const events: EventEnvelope[] = [];
  for (const { planned } of plan.appends) if (planned.kind === 'write') events.push(...planned.sealed);
  return [
    textArray(moveIds),
    int8Array(fromRevisions),
    textArray(fromHashes),
    int8Array(toRevisions),
    textArray(toHashes),
    ...EVENT_COLUMNS.map((c) => c.array(events)),
    channel,
  ];
};

const decodeOrThrow = <A>(codec: t.Decoder<unknown, A>, value: unknown, what: string): A => {
  const decoded = codec.decode(value);
  if (E.isLeft(decoded)) throw new Error(`${what} is not what the store wrote: ${PathReporter.report(decoded).join('; ')}`);
  return decoded.right;
};

/**
 * Appends batches of requests, each round in one transaction: take the heads of the streams involved (from
 * the cache of heads this store wrote, else read), check and seal every append in memory, then write them all
 * in one statement that applies only where the heads have not moved meanwhile. The appends of a stream that
 * moved go again in the next round, with a head read afresh; so does an outcome decided on a cached head
 * that the write did not confirm. A batch of one is the plain append; the group-commit writer passes larger
 * ones.
 */
export class BatchAppender {
  private readonly statementName: string;
  private readonly statementText: string;
  private readonly oneStatementName: string;
  private readonly oneStatementText: string;
  private readonly headsStatementName: string;
  private readonly headsStatementText: string;

  private readonly cache = new StreamHeadCache(HEAD_CACHE_CAPACITY);

  constructor(
    private readonly pool: Pool,
    private readonly schema: StoreSchema,
  ) {
    this.statementName = `${schema.statementPrefix}append`;
    this.statementText = writeStatement(schema);
    this.oneStatementName = `${schema.statementPrefix}append_one`;
    this.oneStatementText = writeOneStatement(schema);
    this.headsStatementName = `${schema.statementPrefix}heads`;
    this.headsStatementText = `SELECT stream_id, last_revision, last_hash FROM ${schema.streams} WHERE stream_id = ANY($1::text[])`;
  }

  /**
   * Takes note of a stream's head as a read of the stream found it, so that an append after the read (a
   * command decided on the events just read) need not read the head again.
   */
  learnHead(streamId: string, head: StreamHead): void {
    this.cache.learn(streamId, head);
  }

  /** One outcome per request, in order. Never rejects: every failure is a value. */
  async append(requests: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    const outcomes: (AppendOutcome | undefined)[] = requests.map(() => undefined);
    let pending = requests.map((_, index) => index);
    const readAfresh = new Set<string>();
    for (let round = 0; pending.length > 0; round += 1) {
      if (round === MAX_ROUNDS) {
        for (const index of pending) outcomes[index] = E.left(storeUnavailable(`gave up after ${MAX_ROUNDS} rounds lost to concurrent writers`));
        break;
      }
      try {
        pending = await this.runRound(requests, pending, outcomes, readAfresh);
      } catch (error) {
        if (isTransientConflict(error)) continue;
        if (pending.length > 1 && !isConnectionFailure(error) && !isWholeTransactionFailure(error)) {
          // One append the server refuses must not fail the others that shared its transaction.
          for (const index of pending) outcomes[index] = (await this.append([requests[index] as AppendRequest]))[0];
        } else if (isStreamRevisionTaken(error)) {
          const index = pending[0] as number;
          outcomes[index] = await this.revisionTaken(requests[index] as AppendRequest);
        } else {
          const outcome = E.left(
            storeUnavailable(
              isConnectionFailure(error)
                ? 'the connection to PostgreSQL failed during the append, which may or may not have been written'
                : 'the append could not be written',
              error,
            ),
          );
          for (const index of pending) outcomes[index] = outcome;
        }
        pending = [];
      }
    }
    return outcomes.map((outcome) => outcome ?? E.left(storeUnavailable('the append was not attempted')));
  }

  /**
   * Returns the requests to run again: those of streams another writer moved since this round took their
   * heads, and those decided on a cached head the write did not confirm. Their streams join `readAfresh`.
   */
  private async runRound(
    requests: readonly AppendRequest[],
    pending: readonly number[],
    outcomes: (AppendOutcome | undefined)[],
    readAfresh: Set<string>,
  ): Promise<number[]> {
    let client: PoolClient;
    try {
      client = await checkOutClient(this.pool);
    } catch (error) {
      for (const index of pending) outcomes[index] = E.left(storeUnavailable('could not connect to PostgreSQL; nothing was written', error));
      return [];
    }
    let failure: unknown;
    try {
      const heads = new Map<string, StreamHead>();
      const guessed = new Set<string>();
      const unknown: string[] = [];
      // Each stream's head is guessed from this store's last write to it, or taken to be the empty head when
      // the stream's first append of the round expects no stream (a new cart, order or payment), rather than
      // read: a wrong guess leaves the write unconfirmed, and the next round reads the head.
      const firstExpected = new Map<string, ExpectedRevision>();
      for (const index of pending) {
        const { streamId, expected } = requests[index] as AppendRequest;
        if (!firstExpected.has(streamId)) firstExpected.set(streamId, expected);
      }
      for (const [streamId, expected] of firstExpected) {
        const cached = readAfresh.has(streamId) ? undefined : (this.cache.get(streamId) ?? (expected === 'no-stream' ? NO_HEAD : undefined));
        if (cached === undefined) {
          unknown.push(streamId);
        } else {
          heads.set(streamId, cached);
          guessed.add(streamId);
        }
      }
      if (unknown.length > 0) for (const [streamId, head] of await this.readHeads(client, unknown)) heads.set(streamId, head);
      const plan = planRound(requests, pending, heads);
      const { accepted, base } = plan.moves.size === 0 ? { accepted: new Set<string>(), base: null } : await this.write(client, plan);
      for (const [streamId, move] of plan.moves) if (accepted.has(streamId)) this.cache.set(streamId, move.to);
      const again: number[] = [];
      let position = (base ?? 0) + 1;
      for (const { index, request, planned } of plan.appends) {
        const { streamId } = request;
        const confirmed = plan.moves.has(streamId) ? accepted.has(streamId) : !guessed.has(streamId);
        if (!confirmed) {
          again.push(index);
          readAfresh.add(streamId);
          this.cache.forget(streamId);
        } else if (planned.kind === 'conflict') {
          outcomes[index] = E.left(wrongExpectedRevision(streamId, request.expected, planned.actual));
        } else if (planned.kind === 'invalid') {
          outcomes[index] = E.left(storeUnavailable(`refused to store an append to ${streamId}: ${planned.reason}`));
        } else if (planned.kind === 'empty') {
          outcomes[index] = E.right({ nextExpectedRevision: planned.revision, events: [] });
        } else {
          // Positions follow the statement's order: kept events by their place in the batch.
          const events = planned.sealed.map((event) => ({ ...event, position: position++ }));
          outcomes[index] = E.right({ nextExpectedRevision: planned.nextRevision, events });
        }
      }
      return again;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      giveBackClient(client, failure !== undefined && isConnectionFailure(failure));
    }
  }

  private async readHeads(client: PoolClient, streamIds: readonly string[]): Promise<Map<string, StreamHead>> {
    const result = await client.query({ name: this.headsStatementName, text: this.headsStatementText, values: [streamIds] });
    const heads = new Map<string, StreamHead>();
    for (const row of result.rows) {
      const head = decodeOrThrow(StreamHeadRow, row, 'a stream head row');
      heads.set(head.stream_id, { revision: head.last_revision, hash: head.last_hash });
    }
    return heads;
  }

  private async write(client: PoolClient, plan: RoundPlan): Promise<{ accepted: ReadonlySet<string>; base: number | null }> {
    const only = onlyEvent(plan);
    if (only !== undefined) {
      const values = writeOneParameters(only, this.schema.channel);
      // Its one column comes as an array row with the bigint already a number (see EVENT_ROW_TYPES): no row
      // object keyed by name and no codec pass, once per append.
      const result = await client.query<unknown[]>({ name: this.oneStatementName, text: this.oneStatementText, values, rowMode: 'array', types: EVENT_ROW_TYPES });
      const row = result.rows[0];
      if (row === undefined) return { accepted: new Set(), base: null };
      const position = row[0];
      if (typeof position !== 'number' || !Number.isSafeInteger(position)) throw new Error(`the append statement returned ${String(position)}, not a position`);
      return { accepted: new Set([only.streamId]), base: position - 1 };
    }
    const result = await client.query({ name: this.statementName, text: this.statementText, values: writeParameters(plan, this.schema.channel) });
    const row = decodeOrThrow(WriteResultRow, result.rows[0], 'the append statement result');
    return { accepted: new Set(row.accepted), base: row.base };
  }

  /**
   * The unique (stream, revision) key refused an event although the stream's head allowed it: report the
   * revision the events table holds, as any other conflict.
   */
  private async revisionTaken(request: AppendRequest): Promise<AppendOutcome> {
    try {
      const result = await this.pool.query(`SELECT max(revision) AS revision FROM ${this.schema.events} WHERE stream_id = $1`, [request.streamId]);
      const { revision } = decodeOrThrow(t.type({ revision: t.union([Int8, t.null]) }), result.rows[0], 'the last revision');
      return E.left(wrongExpectedRevision(request.streamId, request.expected, revision ?? NO_STREAM_REVISION));
    } catch (error) {
      return E.left(storeUnavailable('could not read the revision of a conflicting stream', error));
    }
  }
}
