import * as E from 'fp-ts/Either';
import { createEngine, CommandOutcome, OrderEngine } from '../../src/engine/order-engine';
import { manualClock, ManualClock } from '../../src/engine/clock';
import { sequentialIds } from '../../src/engine/ids';
import type { HostCommand } from '../../src/engine/aggregates';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';

export const ADDRESS = { recipient: 'Alice Chen', phone: '+86 138 0000 0000', line1: '88 Century Avenue', city: 'Shanghai', postalCode: '200120', country: 'CN' };

export const money = (amount: number, currency = 'CNY') => ({ amount, currency });

/**
 * A real engine on an in-memory store, a manual clock and sequential ids, with the commands of a shopper's
 * journey as one-liners. Each command moves the clock by `stepMs` first and waits for the process manager.
 */
export class Shop {
  readonly clock: ManualClock;
  readonly eventStore: MemoryEventStore;
  readonly engine: OrderEngine;
  private commandNumber = 0;

  constructor(start = '2026-11-25T09:00:00Z', private readonly stepMs = 60_000) {
    this.clock = manualClock(Date.parse(start));
    this.eventStore = new MemoryEventStore();
    this.engine = createEngine({ eventStore: this.eventStore, clock: this.clock.now, newId: sequentialIds() });
  }

  /** Sends a command and fails the test if the engine refuses it. */
  async send(actor: string, command: HostCommand): Promise<CommandOutcome> {
    const outcome = await this.attempt(actor, command);
    if (E.isLeft(outcome)) throw new Error(`${command.type} was refused: ${outcome.left.message}`);
    return outcome;
  }

  /** Sends a command whatever its outcome. */
  async attempt(actor: string, command: HostCommand): Promise<CommandOutcome> {
    this.commandNumber += 1;
    this.clock.advance(this.stepMs);
    const outcome = await this.engine.execute({ commandId: `cmd-${this.commandNumber}`, actor, command });
    await this.engine.settle();
    return outcome;
  }

  async openCart(customerId: string, cartId: string, currency = 'CNY'): Promise<void> {
    await this.send(customerId, { type: 'OpenCart', data: { cartId, customerId, currency } });
  }

  async add(customerId: string, cartId: string, sku: string, unitPrice: number, quantity = 1, category = 'general', currency = 'CNY'): Promise<void> {
    await this.send(customerId, { type: 'AddCartItem', data: { cartId, sku, name: `Product ${sku}`, category, unitPrice: money(unitPrice, currency), quantity } });
  }

  async checkOut(customerId: string, cartId: string, orderId: string, pointsToRedeem = 0): Promise<void> {
    await this.send(customerId, { type: 'CheckOutCart', data: { cartId, orderId, paymentMethod: 'alipay', pointsToRedeem, shippingAddress: ADDRESS } });
  }

  async total(orderId: string): Promise<{ amount: number; currency: string }> {
    const state = await this.engine.orderState(orderId);
    if (E.isLeft(state) || state.right.state.status === 'none') throw new Error(`order ${orderId} was not placed`);
    return money(state.right.state.total, state.right.state.currency);
  }

  async pay(orderId: string, transactionId = `tx-${orderId}`): Promise<void> {
    await this.send('payment-gateway', { type: 'RecordProviderCallback', data: { paymentId: orderId, providerTransactionId: transactionId, amount: await this.total(orderId), status: 'succeeded' } });
  }

  async ship(orderId: string, carrier: string, trackingNumber: string): Promise<void> {
    await this.send('warehouse', { type: 'ShipOrder', data: { orderId, carrier, trackingNumber } });
  }

  async track(orderId: string, status: string, description: string, location: string | null = null): Promise<void> {
    await this.send('carrier-feed', { type: 'RecordTrackingUpdate', data: { orderId, status, description, location } });
  }

  async deliver(orderId: string): Promise<void> {
    await this.send('carrier-feed', { type: 'DeliverOrder', data: { orderId } });
  }

  /** Sends every due deadline's command (e.g. the expiry of unpaid orders) at the clock's time. */
  async runDeadlines(): Promise<void> {
    await this.engine.runDueDeadlines(this.clock.now());
    await this.engine.settle();
  }
}
