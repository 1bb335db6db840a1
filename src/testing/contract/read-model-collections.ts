import type { CollectionDefinition, IndexDefinition } from '../../projections/read-model-store';

/** The read-model test suites' collections: orders with some of these indexes, and plain counters. */
export const ordersByCustomer: IndexDefinition = { name: 'by-customer', equals: ['customerId'], sortBy: { field: 'placedAt', type: 'number' } };
export const ordersByStatusAndCustomer: IndexDefinition = { name: 'by-status-and-customer', equals: ['status', 'customerId'], sortBy: { field: 'placedAt', type: 'number' } };
export const ordersByLabel: IndexDefinition = { name: 'by-label', equals: [], sortBy: { field: 'label', type: 'string' } };

export const countersCollection: CollectionDefinition = { name: 'counters', indexes: [] };

/** The orders collection with `indexes`, beside the counters. */
export const ordersAndCounters = (...indexes: readonly IndexDefinition[]): readonly CollectionDefinition[] => [{ name: 'orders', indexes }, countersCollection];
