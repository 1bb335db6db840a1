/**
 * One shopper's whole journey on the embedded in-memory store: cart, checkout, order, payment callback,
 * shipment, tracking, delivery, review and a partial refund; then the order's timeline and final state.
 * `npm run demo -- --export events.ndjson` also writes every event, for the CLI to audit.
 */
import * as E from 'fp-ts/Either';
import { writeFile } from 'node:fs/promises';
import { createEngine, exportNdjson, formatMoney, manualClock, orderStreamId, sequentialIds } from '../src';
import { ALICE_CART_ID, ALICE_ORDER_ID, runAliceJourney } from './alice-journey';

const clock = manualClock(Date.parse('2026-11-25T09:00:00Z'));
const engine = createEngine({ clock: clock.now, newId: sequentialIds() });
const cartId = ALICE_CART_ID;
const orderId = ALICE_ORDER_ID;

const main = async (): Promise<void> => {
  await runAliceJourney(engine, clock);

  const events = await engine.eventStore.readStream(orderStreamId(orderId));
  console.log(`Timeline of ${orderStreamId(orderId)}`);
  console.log('rev  time (UTC)            event                   actor            command');
  for (const event of events) {
    const time = new Date(event.occurredAt).toISOString().slice(0, 19).replace('T', ' ');
    console.log(`${String(event.revision).padStart(3)}  ${time}   ${event.type.padEnd(22)}  ${event.actor.padEnd(15)}  ${event.commandId}`);
  }

  const final = await engine.orderState(orderId);
  if (E.isLeft(final) || final.right.state.status === 'none') throw new Error('the order is missing');
  const order = final.right.state;
  console.log('\nFinal state');
  console.log(`  status         ${order.status}${order.reviewed ? ', reviewed' : ''}`);
  console.log(`  lines          ${order.lines.map((l) => `${l.quantity} × ${l.name}`).join('; ')}`);
  console.log(`  total due      ${formatMoney({ amount: order.total, currency: order.currency })}`);
  console.log(`  paid           ${formatMoney({ amount: order.amountPaid, currency: order.currency })}`);
  console.log(`  refunded       ${formatMoney({ amount: order.amountRefunded, currency: order.currency })}`);
  console.log(`  shipment       ${order.shipment === null ? '—' : `${order.shipment.carrier} ${order.shipment.trackingNumber}`}`);
  console.log(`  after-sales    ${order.afterSales.map((c) => `${c.requestId} ${c.kind} ${c.status}`).join('; ')}`);
  const cartNow = await engine.cartState(cartId);
  if (E.isRight(cartNow) && cartNow.right.state.status === 'open') {
    console.log(`  still in cart  ${cartNow.right.state.lines.map((l) => l.name).join('; ')}`);
  }
  const exportIndex = process.argv.indexOf('--export');
  if (exportIndex >= 0) {
    const file = process.argv[exportIndex + 1];
    if (file === undefined) throw new Error('--export needs a file name');
    const chunks: string[] = [];
    const exported = await exportNdjson(engine.eventStore, (chunk) => {
      chunks.push(chunk);
      return Promise.resolve();
    });
    if (E.isLeft(exported)) throw new Error(exported.left.message);
    await writeFile(file, chunks.join(''));
    console.log(`\n${exported.right.events} events written to ${file}`);
  }
  await engine.close();
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
