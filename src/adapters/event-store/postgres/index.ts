/**
 * The PostgreSQL event store: `import { PostgresEventStore } from 'ordersource/adapters/event-store/postgres'`.
 * Needs the `pg` package.
 *
 * @module ordersource/adapters/event-store/postgres
 */
export { PostgresEventStore } from './postgres-event-store';
export type { PostgresEventStoreOptions } from './postgres-event-store';
export { EventStoreReadError } from './postgres-errors';
