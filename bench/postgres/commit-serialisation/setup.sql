DROP SCHEMA IF EXISTS commit_probe CASCADE;
CREATE SCHEMA commit_probe;
CREATE TABLE commit_probe.counter (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), last_position bigint NOT NULL);
INSERT INTO commit_probe.counter VALUES (true, -1);
CREATE TABLE commit_probe.streams (stream_id text PRIMARY KEY, last_revision bigint NOT NULL, last_hash text NOT NULL);
INSERT INTO commit_probe.streams SELECT 'cart-' || g, 0, md5(g::text) || md5(g::text) FROM generate_series(1, 100000) g;
CREATE TABLE commit_probe.events (position bigint PRIMARY KEY, stream_id text NOT NULL, revision bigint NOT NULL, event_id text NOT NULL, type text NOT NULL,
  schema_version integer NOT NULL, data json NOT NULL, occurred_at bigint NOT NULL, recorded_at bigint NOT NULL, command_id text NOT NULL,
  correlation_id text NOT NULL, causation_id text NOT NULL, actor text NOT NULL, previous_hash text NOT NULL, hash text NOT NULL, UNIQUE (stream_id, revision));
CREATE SEQUENCE commit_probe.positions;
CREATE TABLE commit_probe.events_seq (position bigint PRIMARY KEY DEFAULT nextval('commit_probe.positions'), tx xid8 NOT NULL DEFAULT pg_current_xact_id(), stream_id text NOT NULL, revision bigint NOT NULL, event_id text NOT NULL, type text NOT NULL,
  schema_version integer NOT NULL, data json NOT NULL, occurred_at bigint NOT NULL, recorded_at bigint NOT NULL, command_id text NOT NULL,
  correlation_id text NOT NULL, causation_id text NOT NULL, actor text NOT NULL, previous_hash text NOT NULL, hash text NOT NULL, UNIQUE (stream_id, revision));
CREATE TABLE commit_probe.raw (position bigserial PRIMARY KEY, stream_id text NOT NULL, revision bigint NOT NULL, type text NOT NULL, data json NOT NULL, UNIQUE (stream_id, revision));
