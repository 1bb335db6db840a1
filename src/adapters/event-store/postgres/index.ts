/**
 * The PostgreSQL event store: `import { PostgresEventStore } from 'ordersource/adapters/event-store/postgres'`.
 * Needs the `pg` package.
 *
 * @module ordersource/adapters/event-store/postgres
 */
export { PostgresEventStore } from './postgres-event-store';
export type { PostgresEventStoreOptions } from './postgres-event-store';
export { EventStoreReadError } from './postgres-errors';
export type { ReadFailureCode } from './postgres-errors';
export type { GroupCommitOptions } from './group-commit-writer';
export type { PollingOptions } from './live-subscription';
export { beginPostgresRestore } from './postgres-restore';
export type { PostgresRestore, PostgresRestoreOptions, StoreNotEmpty } from './postgres-restore';
