/**
 * The PostgreSQL read-model store: `import { PostgresReadModelStore } from 'ordersource/adapters/read-model/postgres'`.
 * Needs the `pg` package.
 *
 * @module ordersource/adapters/read-model/postgres
 */
export { PostgresReadModelStore } from './postgres-read-model-store';
export type { PostgresReadModelConnection, PostgresReadModelStoreOptions } from './postgres-read-model-store';
