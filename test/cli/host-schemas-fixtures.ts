import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import type { ProposedEvent } from '../../src/engine/event-store/envelope';
import { exportLines } from '../audit/ndjson-lines';

/**
 * A host whose engine reads with schemas of its own: its `CartOpened` is at version 2, where version 1 (which
 * its older events are) called the customer `shopper`. Its schemas keep the engine's own definitions, so
 * its `CartItemAdded` v1 is upcast as the engine's is (category `uncategorised`).
 */
export interface HostSchemaFiles {
  readonly dir: string;
  /** `cart-old`: CartOpened v1 (`shopper`), CartItemAdded v1; `cart-new`: CartOpened v2 (`customerId`). */
  readonly events: string;
}

const SRC = join(__dirname, '..', '..', 'src');

let sequence = 0;
const event = (type: string, schemaVersion: number, data: unknown): ProposedEvent => {
  sequence += 1;
  return {
    eventId: `host-${sequence}`,
    type,
    schemaVersion,
    data,
    occurredAt: 1_767_225_600_000 + sequence * 1000,
    recordedAt: 1_767_225_600_000 + sequence * 1000,
    commandId: `host-cmd-${sequence}`,
    correlationId: `host-corr-${sequence}`,
    causationId: `host-cmd-${sequence}`,
    actor: 'host-shop',
  };
};

/** The host's schemas module as CommonJS, requiring the library from these sources (as a host requires 'ordersource'). */
export const hostSchemasModule = (exportAs: (schemas: string) => string = (schemas) => `exports.schemas = ${schemas};`): string => `'use strict';
const { eventSchemas } = require(${JSON.stringify(join(SRC, 'engine', 'schema', 'event-schemas'))});
const { eventSchemaDefinitions } = require(${JSON.stringify(join(SRC, 'engine', 'schema', 'current-event-schemas'))});
${exportAs(`eventSchemas({
  ...eventSchemaDefinitions,
  CartOpened: { version: 2, upcasters: { 1: ({ shopper, ...data }) => ({ ...data, customerId: shopper }) } },
})`)}
`;

/** A temporary directory holding the host's export and its schemas module, `host-schemas.js`. */
export const writeHostSchemaFiles = async (): Promise<HostSchemaFiles> => {
  const dir = mkdtempSync(join(tmpdir(), 'ordersource-cli-schemas-'));
  const store = new MemoryEventStore();
  const kettle = { sku: 'kettle-iron', name: 'Cast-iron kettle', quantity: 1, unitPrice: { amount: 32000, currency: 'CNY' } };
  store.appendNow('cart-old', [event('CartOpened', 1, { cartId: 'old', shopper: 'alice', currency: 'CNY' }), event('CartItemAdded', 1, { cartId: 'old', ...kettle })], 'no-stream');
  store.appendNow('cart-new', [event('CartOpened', 2, { cartId: 'new', customerId: 'bob', currency: 'CNY' })], 'no-stream');
  const lines = await exportLines(store);
  const events = join(dir, 'host-events.ndjson');
  writeFileSync(events, `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'host-schemas.js'), hostSchemasModule());
  mkdirSync(join(dir, 'config'));
  return { dir, events };
};
