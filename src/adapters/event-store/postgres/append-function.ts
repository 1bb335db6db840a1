import { escapeLiteral } from 'pg';
import type { StoreSchema } from './store-schema';

/**
 * The append function (schema migration 2), which the batch appender calls once per round that writes more than
 * one event (a round of one event sends its own statement, see `batch-appender.ts`). Its parameters
 * are one array per column: the streams to move (id, head read, head after), then the events (stream id,
 * revision, event id, type, schema version, data as JSON text, occurred at, recorded at, command id,
 * correlation id, causation id, actor, previous hash, hash), then the NOTIFY channel.
 *
 * One statement, so one implicit transaction: move each stream head if it is still where the round read it
 * (a conditional UPDATE, or an INSERT for a new stream), keep the events of the streams that moved, reserve
 * their positions on the global counter, insert them, and notify subscribers (with the new head position as
 * payload, for anyone watching the channel; the store's own subscriptions only take the notification as a
 * cue to read). The counter is updated last, so its row lock (which serialises commits, see the adapter's
 * header) is held only for the insert and the commit, never while waiting on a stream.
 *
 * WHY A FUNCTION. Sent as a prepared statement, this query got a custom plan at every execution: the
 * planner prefers plans that know each array's length, and planning the seven parts took about three
 * times as long as running them. Inside a function its plan is made once per session and kept
 * (`plan_cache_mode = force_generic_plan` for the function's own statements only), and the statement the
 * client sends is a call that plans in microseconds. The query itself is the one the adapter sent before.
 *
 * A migration is never edited: a change to the append creates the function again in a new migration.
 */
const appendFunctionBody = (schema: StoreSchema): string => `
BEGIN
  RETURN QUERY
  WITH moves AS (
    SELECT * FROM unnest($1, $2, $3, $4, $5) AS m(stream_id, from_revision, from_hash, to_revision, to_hash)
  ),
  advanced AS (
    UPDATE ${schema.streams} AS s SET last_revision = m.to_revision, last_hash = m.to_hash
    FROM moves AS m
    WHERE m.from_revision >= 0 AND s.stream_id = m.stream_id
      AND s.last_revision = m.from_revision AND s.last_hash = m.from_hash
    RETURNING s.stream_id
  ),
  created AS (
    INSERT INTO ${schema.streams} (stream_id, last_revision, last_hash)
    SELECT m.stream_id, m.to_revision, m.to_hash FROM moves AS m WHERE m.from_revision < 0
    ON CONFLICT (stream_id) DO NOTHING
    RETURNING stream_id
  ),
  accepted AS (SELECT stream_id FROM advanced UNION ALL SELECT stream_id FROM created),
  kept AS (
    SELECT e.*, row_number() OVER (ORDER BY e.ord) AS batch_offset
    FROM unnest($6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
      WITH ORDINALITY AS e(stream_id, revision, event_id, type, schema_version, data, occurred_at, recorded_at,
                           command_id, correlation_id, causation_id, actor, previous_hash, hash, ord)
    WHERE e.stream_id IN (SELECT stream_id FROM accepted)
  ),
  reserved AS (
    UPDATE ${schema.globalPosition} SET last_position = last_position + (SELECT count(*) FROM kept)
    WHERE (SELECT count(*) FROM kept) > 0
    RETURNING last_position - (SELECT count(*) FROM kept) AS base, last_position
  ),
  inserted AS (
    INSERT INTO ${schema.events} (position, stream_id, revision, event_id, type, schema_version, data, occurred_at,
                                  recorded_at, command_id, correlation_id, causation_id, actor, previous_hash, hash)
    SELECT r.base + k.batch_offset, k.stream_id, k.revision, k.event_id, k.type, k.schema_version, k.data::json,
           k.occurred_at, k.recorded_at, k.command_id, k.correlation_id, k.causation_id, k.actor, k.previous_hash, k.hash
    FROM kept AS k CROSS JOIN reserved AS r
  ),
  signalled AS (SELECT pg_notify($20, r.last_position::text) FROM reserved AS r)
  -- A CTE that only selects runs only if referenced: the condition makes the notification happen.
  SELECT ARRAY(SELECT stream_id FROM accepted), (SELECT base FROM reserved)
  WHERE (SELECT count(*) FROM signalled) >= 0;
END`;

export const createAppendFunction = (schema: StoreSchema): string => `
  CREATE FUNCTION ${schema.appendFunction}(
    text[], int8[], text[], int8[], text[],
    text[], int8[], text[], text[], int4[], text[], int8[], int8[], text[], text[], text[], text[], text[], text[],
    text
  ) RETURNS TABLE (accepted_streams text[], base_position int8)
  LANGUAGE plpgsql VOLATILE
  SET plan_cache_mode = force_generic_plan
  AS ${escapeLiteral(appendFunctionBody(schema))}`;
