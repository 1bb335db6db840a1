/**
 * The MongoDB read-model store: `import { MongoReadModelStore } from 'ordersource/adapters/read-model/mongodb'`.
 * Needs the `mongodb` package.
 *
 * @module ordersource/adapters/read-model/mongodb
 */
export { MongoReadModelStore } from './mongodb-read-model-store';
