/**
 * The EventStoreDB event store: `import { EventStoreDbEventStore } from 'ordersource/adapters/event-store/eventstoredb'`.
 * Needs the `@eventstore/db-client` package.
 *
 * @module ordersource/adapters/event-store/eventstoredb
 */
export { EventStoreDbEventStore } from './eventstoredb-event-store';
export type { EventStoreDbEventStoreOptions, InvalidConnectionString } from './eventstoredb-event-store';
