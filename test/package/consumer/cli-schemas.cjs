// The installed CLI reads a host's events with the host's schemas (`--schemas`), from a module that takes
// eventSchemas from the host's own installation of the package: a CartOpened the host wrote at its
// version 1, where the customer was `shopper`, which the engine's own schemas cannot read.
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { MemoryEventStore, exportNdjson } = require('ordersource');

const bin = join(__dirname, 'node_modules', '.bin', 'ordersource');
const host = {
  eventId: 'host-1',
  type: 'CartOpened',
  schemaVersion: 1,
  data: { cartId: 'old', shopper: 'alice', currency: 'CNY' },
  occurredAt: 1767225600000,
  recordedAt: 1767225600000,
  commandId: 'host-cmd-1',
  correlationId: 'host-corr-1',
  causationId: 'host-cmd-1',
  actor: 'host-shop',
};

const main = async () => {
  const store = new MemoryEventStore();
  await store.append('cart-old', [host], 'no-stream');
  let ndjson = '';
  const exported = await exportNdjson(store, (chunk) => {
    ndjson += chunk;
    return Promise.resolve();
  });
  assert.equal(exported._tag, 'Right');
  writeFileSync(join(__dirname, 'host-events.ndjson'), ndjson);
  writeFileSync(
    join(__dirname, 'host-schemas.cjs'),
    `const { eventSchemas, eventSchemaDefinitions } = require('ordersource');
exports.schemas = eventSchemas({
  ...eventSchemaDefinitions,
  CartOpened: { version: 2, upcasters: { 1: ({ shopper, ...data }) => ({ ...data, customerId: shopper }) } },
});
`,
  );
  const args = ['audit', 'cart-old', '--source', 'file:host-events.ndjson', '--json'];
  const without = spawnSync(bin, args, { cwd: __dirname, encoding: 'utf8' });
  assert.equal(without.status, 1, `without --schemas: ${without.stderr}`);
  assert.match(without.stderr, /cannot be read/);
  const audited = JSON.parse(execFileSync(bin, [...args, '--schemas', './host-schemas.cjs'], { cwd: __dirname, encoding: 'utf8' }));
  assert.deepEqual([audited.aggregate, audited.state.customerId], ['cart', 'alice']);
  console.log('CLI --schemas: the host CartOpened v1 is read as alice’s cart');
};

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
