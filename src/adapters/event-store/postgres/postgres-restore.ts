import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import type { Pool, PoolClient } from 'pg';
import type { EventEnvelope } from '../../../engine/event-store/envelope';
import type { StoreUnavailable } from '../../../engine/event-store/event-store';
import { checkOutClient, giveBackClient } from '../../postgres/pooled-client';
import { Int8 } from './column-codecs';
import { isStreamRevisionTaken, storeUnavailable } from './postgres-errors';
import { applyMigrations } from './schema-migration';
import { DEFAULT_SCHEMA, StoreSchema, storeSchema } from './store-schema';

/** PostgreSQL's detail of a unique violation names the key, e.g. `Key (stream_id, revision)=(order-1, 4) already exists.` */
const detailOf = (error: unknown): string => {
  const detail = typeof error === 'object' && error !== null && 'detail' in error ? error.detail : undefined;
  return typeof detail === 'string' ? detail : 'no detail';
};

/** A restore only goes into a store that has no event yet: positions and chains start from nothing. */
export interface StoreNotEmpty {
  readonly code: 'STORE_NOT_EMPTY';
  readonly message: string;
}

/**
 * Envelopes written as they are given — ids, revisions, timestamps, previous hashes and hashes unchanged —
 * inside one transaction that `commit` makes visible whole and `abort` leaves without a trace. Only the
 * global position is the store's own: the next free one, in the order given. The chains are not checked (a
 * damaged export comes in damaged, for `verifyStore` to find); what the tables' constraints refuse, such as
 * two events at one revision of a stream, fails the restore.
 */
export interface PostgresRestore {
  restore(envelopes: readonly EventEnvelope[]): Promise<E.Either<StoreUnavailable, { readonly restored: number }>>;
  commit(): Promise<E.Either<StoreUnavailable, { readonly restored: number }>>;
  abort(): Promise<void>;
}

export interface PostgresRestoreOptions {
  /** The schema of the store to fill, created if it does not exist. Default `ordersource`. */
  readonly schema?: string;
}

const HeadRow = t.type({ last_position: Int8 });

const insertEvents = (schema: StoreSchema): string => `
  INSERT INTO ${schema.events} (position, stream_id, revision, event_id, type, schema_version, data, occurred_at,
                                recorded_at, command_id, correlation_id, causation_id, actor, previous_hash, hash)
  SELECT e.position, e.stream_id, e.revision, e.event_id, e.type, e.schema_version, e.data::json, e.occurred_at,
         e.recorded_at, e.command_id, e.correlation_id, e.causation_id, e.actor, e.previous_hash, e.hash
  FROM unnest($1::int8[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::int4[], $7::text[], $8::int8[], $9::int8[],
              $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
    AS e(position, stream_id, revision, event_id, type, schema_version, data, occurred_at, recorded_at,
         command_id, correlation_id, causation_id, actor, previous_hash, hash)`;

/** Each stream's head is its highest revision restored so far, whatever order the events came in. */
const upsertHeads = (schema: StoreSchema): string => `
  INSERT INTO ${schema.streams} AS s (stream_id, last_revision, last_hash)
  SELECT * FROM unnest($1::text[], $2::int8[], $3::text[])
  ON CONFLICT (stream_id) DO UPDATE SET last_revision = EXCLUDED.last_revision, last_hash = EXCLUDED.last_hash
  WHERE s.last_revision < EXCLUDED.last_revision`;

const eventColumns = (envelopes: readonly EventEnvelope[], firstPosition: number): unknown[][] => {
  const columns: unknown[][] = Array.from({ length: 15 }, () => []);
  envelopes.forEach((envelope, offset) => {
    const values = [
      firstPosition + offset,
      envelope.streamId,
      envelope.revision,
      envelope.eventId,
      envelope.type,
      envelope.schemaVersion,
      // As the appender stores it: canonical JSON hashes `undefined` as null.
      JSON.stringify(envelope.data) ?? 'null',
      envelope.occurredAt,
      envelope.recordedAt,
      envelope.commandId,
      envelope.correlationId,
      envelope.causationId,
      envelope.actor,
      envelope.previousHash,
      envelope.hash,
    ];
    values.forEach((value, column) => (columns[column] as unknown[]).push(value));
  });
  return columns;
};

const headColumns = (envelopes: readonly EventEnvelope[]): unknown[][] => {
  const heads = new Map<string, EventEnvelope>();
  for (const envelope of envelopes) {
    const head = heads.get(envelope.streamId);
    if (head === undefined || head.revision < envelope.revision) heads.set(envelope.streamId, envelope);
  }
  const values = [...heads.values()];
  return [values.map((e) => e.streamId), values.map((e) => e.revision), values.map((e) => e.hash)];
};

/**
 * Opens a restore into the store in `options.schema`: one transaction, held until `commit` or `abort`, that
 * creates the schema and the store's tables if needed and locks the global position row, so that no append
 * interleaves. A restore that does not commit (aborted, failed, or its process killed) leaves no schema or
 * table it created behind. Refuses a store that already holds events.
 */
export const beginPostgresRestore = async (pool: Pool, options: PostgresRestoreOptions = {}): Promise<E.Either<StoreUnavailable | StoreNotEmpty, PostgresRestore>> => {
  const schema = storeSchema(options.schema ?? DEFAULT_SCHEMA);
  let client: PoolClient;
  try {
    client = await checkOutClient(pool);
  } catch (error) {
    return E.left(storeUnavailable(`could not prepare the event store schema ${schema.name}`, error));
  }
  let finished = false;
  let failed = false;
  const release = async (rollback: boolean): Promise<void> => {
    if (finished) return;
    finished = true;
    const rolledBack = rollback ? await client.query('ROLLBACK').then(() => true, () => false) : true;
    // A client whose transaction could not be ended is not trusted back into the pool.
    giveBackClient(client, !rolledBack);
  };
  let last: number;
  try {
    await client.query('BEGIN');
    await applyMigrations(client, schema);
    const head = HeadRow.decode((await client.query(`SELECT last_position FROM ${schema.globalPosition} FOR UPDATE`)).rows[0]);
    if (E.isLeft(head)) throw new Error(`${schema.globalPosition} does not hold a position`);
    last = head.right.last_position;
  } catch (error) {
    await release(true);
    return E.left(storeUnavailable(`could not start the restore into ${schema.name}`, error));
  }
  if (last >= 0) {
    await release(true);
    return E.left({ code: 'STORE_NOT_EMPTY', message: `the event store in schema ${schema.name} already holds events (up to position ${last}): restore into an empty one` });
  }
  let restored = 0;
  const closed = (): E.Either<StoreUnavailable, never> => E.left(storeUnavailable(failed ? 'the restore failed and was rolled back' : 'the restore is already over'));
  return E.right({
    restore: async (envelopes) => {
      if (finished || failed) return closed();
      if (envelopes.length === 0) return E.right({ restored: 0 });
      try {
        await client.query(insertEvents(schema), eventColumns(envelopes, last + 1));
        await client.query(upsertHeads(schema), headColumns(envelopes));
        last += envelopes.length;
        await client.query(`UPDATE ${schema.globalPosition} SET last_position = $1`, [last]);
        restored += envelopes.length;
        return E.right({ restored: envelopes.length });
      } catch (error) {
        failed = true;
        await release(true);
        return E.left(storeUnavailable(isStreamRevisionTaken(error) ? `could not restore the events: two of them claim one revision of one stream (${detailOf(error)})` : 'could not restore the events', error));
      }
    },
    commit: async () => {
      if (finished || failed) return closed();
      try {
        // Live subscriptions wake on this as on an append; PostgreSQL delivers it at commit.
        if (last >= 0) await client.query('SELECT pg_notify($1, $2)', [schema.channel, String(last)]);
        await client.query('COMMIT');
        await release(false);
        return E.right({ restored });
      } catch (error) {
        failed = true;
        await release(true);
        return E.left(storeUnavailable('could not commit the restore', error));
      }
    },
    abort: () => release(true),
  });
};
