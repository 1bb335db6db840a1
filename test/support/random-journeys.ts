import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import type { HostCommand } from '../../src/engine/aggregates';
import { ADDRESS, Shop } from './shop';

/** A small catalogue: a few categories, prices from a few yuan to a few hundred. */
const CATALOGUE = [
  { sku: 'tea-oolong', category: 'tea', price: 6800 },
  { sku: 'tea-green', category: 'tea', price: 3900 },
  { sku: 'cup-celadon', category: 'tableware', price: 4500 },
  { sku: 'kettle-iron', category: 'tableware', price: 32000 },
  { sku: 'spoon', category: 'tableware', price: 1200 },
  { sku: 'phone-case', category: 'accessories', price: 2900 },
  { sku: 'charger', category: 'electronics', price: 9900 },
  { sku: 'earbuds', category: 'electronics', price: 59900 },
] as const;
const CARRIERS = ['SF-Express', 'JD-Logistics', 'YTO'] as const;
const TRACKING = ['in-transit', 'at-hub', 'out-for-delivery'] as const;
const CUSTOMERS = 4;

/** What one shopper's session does next; `order` is the session's first (0) or second (1) order. */
export type Action =
  | { readonly kind: 'open'; readonly customer: number; readonly usd: boolean }
  | { readonly kind: 'add'; readonly product: number; readonly quantity: number }
  | { readonly kind: 'change-quantity'; readonly product: number; readonly quantity: number }
  | { readonly kind: 'remove' | 'deselect' | 'select'; readonly product: number }
  | { readonly kind: 'coupon'; readonly percentage: boolean }
  | { readonly kind: 'checkout'; readonly points: number }
  | { readonly kind: 'pay'; readonly order: number; readonly outcome: 'right' | 'wrong-amount' | 'failed' }
  | { readonly kind: 'ship'; readonly carrier: number }
  | { readonly kind: 'track'; readonly status: number }
  | { readonly kind: 'deliver' | 'complete' | 'note' | 'approve' | 'reject' | 'receive' }
  | { readonly kind: 'cancel'; readonly order: number }
  | { readonly kind: 'review'; readonly rating: number }
  | { readonly kind: 'after-sales'; readonly refundOnly: boolean; readonly line: number; readonly quantity: number };

/** A session's action, or time passing (which fires due deadlines, e.g. unpaid orders expiring). */
export type JourneyStep = { readonly session: number; readonly action: Action } | { readonly session: null; readonly waitMinutes: number };

const index = fc.nat({ max: 1000 });
const product = fc.nat({ max: CATALOGUE.length - 1 });
const sometimes = (percent: number): fc.Arbitrary<boolean> => fc.integer({ min: 1, max: 100 }).map((n) => n <= percent);

const session: fc.Arbitrary<readonly Action[]> = fc
  .record({
    customer: fc.nat({ max: CUSTOMERS - 1 }),
    usd: sometimes(20),
    items: fc.array(fc.record({ product, quantity: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 4 }),
    tweaks: fc.array(
      fc.oneof(
        fc.record({ kind: fc.constantFrom('remove' as const, 'deselect' as const, 'select' as const), product }),
        fc.record({ kind: fc.constant('change-quantity' as const), product, quantity: fc.integer({ min: 1, max: 5 }) }),
        fc.record({ kind: fc.constant('coupon' as const), percentage: fc.boolean() }),
      ),
      { maxLength: 2 },
    ),
    checkout: sometimes(85),
    points: fc.constantFrom(0, 0, 100),
    secondOrder: fc.option(fc.record({ product, quantity: fc.integer({ min: 1, max: 3 }), paid: fc.boolean() }), { nil: undefined }),
    payments: fc.array(fc.constantFrom('right' as const, 'right' as const, 'right' as const, 'wrong-amount' as const, 'failed' as const), { minLength: 0, maxLength: 2 }),
    cancel: fc.constantFrom('never', 'never', 'never', 'before-payment', 'after-payment', 'after-shipment'),
    carrier: fc.option(index, { nil: undefined }),
    tracking: fc.array(index, { maxLength: 3 }),
    deliver: sometimes(75),
    complete: sometimes(60),
    review: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
    afterSales: fc.option(
      fc.record({ refundOnly: fc.boolean(), line: index, quantity: index, decision: fc.constantFrom('approve' as const, 'approve' as const, 'reject' as const), receive: fc.boolean() }),
      { nil: undefined },
    ),
    note: sometimes(20),
  })
  .map((s) => {
    const actions: Action[] = [{ kind: 'open', customer: s.customer, usd: s.usd }];
    for (const item of s.items) actions.push({ kind: 'add', ...item });
    actions.push(...s.tweaks);
    if (!s.checkout) return actions;
    actions.push({ kind: 'checkout', points: s.points });
    if (s.secondOrder !== undefined) {
      actions.push({ kind: 'add', product: s.secondOrder.product, quantity: s.secondOrder.quantity }, { kind: 'checkout', points: 0 });
      if (s.secondOrder.paid) actions.push({ kind: 'pay', order: 1, outcome: 'right' });
    }
    if (s.cancel === 'before-payment') actions.push({ kind: 'cancel', order: 0 });
    for (const outcome of s.payments) actions.push({ kind: 'pay', order: 0, outcome });
    if (s.cancel === 'after-payment') actions.push({ kind: 'cancel', order: 0 });
    if (s.carrier !== undefined) actions.push({ kind: 'ship', carrier: s.carrier });
    for (const status of s.tracking) actions.push({ kind: 'track', status });
    if (s.cancel === 'after-shipment') actions.push({ kind: 'cancel', order: 0 });
    if (s.note) actions.push({ kind: 'note' });
    if (s.deliver) actions.push({ kind: 'deliver' });
    if (s.complete) actions.push({ kind: 'complete' });
    if (s.review !== undefined) actions.push({ kind: 'review', rating: s.review });
    if (s.afterSales !== undefined) {
      const { refundOnly, line, quantity, decision, receive } = s.afterSales;
      actions.push({ kind: 'after-sales', refundOnly, line, quantity }, { kind: decision });
      if (receive) actions.push({ kind: 'receive' });
    }
    return actions;
  });

/**
 * Random journeys: a few shoppers' sessions (open a cart, fill it, check out, pay or not, get it shipped,
 * tracked, delivered, cancelled, reviewed, returned or refunded, each step taken or not) interleaved at
 * random, with time passing now and then.
 */
export const journeys = (maxSessions: number): fc.Arbitrary<readonly JourneyStep[]> =>
  fc
    .record({
      sessions: fc.array(session, { minLength: 1, maxLength: maxSessions }),
      picks: fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
      waits: fc.array(fc.record({ at: fc.nat(), minutes: fc.constantFrom(5, 20, 45, 90, 600, 1500) }), { maxLength: 3 }),
    })
    .map(({ sessions, picks, waits }) => {
      const queues = sessions.map((actions, i) => ({ session: i, actions: [...actions] }));
      const steps: JourneyStep[] = [];
      for (let p = 0; ; p += 1) {
        const open = queues.filter((q) => q.actions.length > 0);
        if (open.length === 0) break;
        const queue = open[(picks[p % picks.length] as number) % open.length]!;
        steps.push({ session: queue.session, action: queue.actions.shift()! });
      }
      for (const { at, minutes } of waits) steps.splice(at % (steps.length + 1), 0, { session: null, waitMinutes: minutes });
      return steps;
    });

interface SessionState {
  cartId: string;
  customerId: string;
  currency: string;
  readonly orderIds: string[];
  requestId: string | undefined;
}

/**
 * Plays journey steps on a real engine. A step the engine refuses (paying a cancelled order, cancelling a
 * shipped one…) is part of the history like any other.
 */
export class JourneyDriver {
  private readonly sessions = new Map<number, SessionState>();
  private counter = 0;

  constructor(readonly shop: Shop) {}

  async play(steps: readonly JourneyStep[]): Promise<void> {
    for (const step of steps) await this.playOne(step);
  }

  async playOne(step: JourneyStep): Promise<void> {
    if (step.session === null) {
      this.shop.clock.advance(step.waitMinutes * 60_000);
      await this.shop.runDeadlines();
      return;
    }
    if (step.action.kind === 'open') {
      this.counter += 1;
      const state = { cartId: `cart-${this.counter}`, customerId: `customer-${step.action.customer}`, currency: step.action.usd ? 'USD' : 'CNY', orderIds: [], requestId: undefined };
      this.sessions.set(step.session, state);
      await this.shop.attempt(state.customerId, { type: 'OpenCart', data: { cartId: state.cartId, customerId: state.customerId, currency: state.currency } });
      return;
    }
    const state = this.sessions.get(step.session);
    if (state === undefined) return;
    const command = await this.commandFor(state, step.action);
    if (command === undefined) return;
    const outcome = await this.shop.attempt(command.actor, command.command);
    if (E.isLeft(outcome)) return;
    if (command.command.type === 'CheckOutCart') state.orderIds.push(command.command.data.orderId);
    if (command.command.type === 'RequestAfterSales') state.requestId = command.command.data.requestId;
  }

  private async commandFor(state: SessionState, action: Exclude<Action, { kind: 'open' }>): Promise<{ actor: string; command: HostCommand } | undefined> {
    const { cartId, customerId: actor, currency } = state;
    const item = 'product' in action ? CATALOGUE[action.product % CATALOGUE.length]! : undefined;
    const orderId = state.orderIds['order' in action ? action.order : 0];
    switch (action.kind) {
      case 'add': {
        const { sku, category, price } = item!;
        const unitPrice = { amount: currency === 'USD' ? Math.ceil(price / 7) : price, currency };
        return { actor, command: { type: 'AddCartItem', data: { cartId, sku, name: `Product ${sku}`, category, unitPrice, quantity: action.quantity } } };
      }
      case 'change-quantity':
        return { actor, command: { type: 'ChangeCartItemQuantity', data: { cartId, sku: item!.sku, quantity: action.quantity } } };
      case 'remove':
        return { actor, command: { type: 'RemoveCartItem', data: { cartId, sku: item!.sku } } };
      case 'deselect':
        return { actor, command: { type: 'DeselectCartItems', data: { cartId, skus: [item!.sku] } } };
      case 'select':
        return { actor, command: { type: 'SelectCartItems', data: { cartId, skus: [item!.sku] } } };
      case 'coupon': {
        const coupon = action.percentage ? { code: 'TENOFF', kind: 'percentage' as const, percentOff: 10, minimumSpend: 0 } : { code: 'FIVE', kind: 'fixed' as const, amountOff: 500, minimumSpend: 3000 };
        return { actor, command: { type: 'ApplyCoupon', data: { cartId, coupon } } };
      }
      case 'checkout':
        this.counter += 1;
        return { actor, command: { type: 'CheckOutCart', data: { cartId, orderId: `order-${this.counter}`, paymentMethod: 'alipay', pointsToRedeem: action.points, shippingAddress: ADDRESS } } };
    }
    if (orderId === undefined) return undefined;
    switch (action.kind) {
      case 'pay': {
        const order = await this.shop.engine.orderState(orderId);
        if (E.isLeft(order) || order.right.state.status === 'none') return undefined;
        const { total } = order.right.state;
        this.counter += 1;
        const amount = { amount: action.outcome === 'wrong-amount' ? total + 1 : total, currency: order.right.state.currency };
        const status = action.outcome === 'failed' ? ('failed' as const) : ('succeeded' as const);
        return { actor: 'payment-gateway', command: { type: 'RecordProviderCallback', data: { paymentId: orderId, providerTransactionId: `tx-${this.counter}`, amount, status } } };
      }
      case 'cancel':
        return { actor, command: { type: 'CancelOrder', data: { orderId, reason: 'Changed my mind' } } };
      case 'ship':
        this.counter += 1;
        return { actor: 'warehouse', command: { type: 'ShipOrder', data: { orderId, carrier: CARRIERS[action.carrier % CARRIERS.length]!, trackingNumber: `track-${this.counter}` } } };
      case 'track': {
        const status = TRACKING[action.status % TRACKING.length]!;
        return { actor: 'carrier-feed', command: { type: 'RecordTrackingUpdate', data: { orderId, status, description: `Parcel ${status}`, location: action.status % 2 === 0 ? null : 'Hangzhou' } } };
      }
      case 'deliver':
        return { actor: 'carrier-feed', command: { type: 'DeliverOrder', data: { orderId } } };
      case 'complete':
        return { actor: 'system', command: { type: 'CompleteOrder', data: { orderId, pointsEarned: 10 } } };
      case 'review':
        return { actor, command: { type: 'ReviewOrder', data: { orderId, rating: action.rating, comment: null } } };
      case 'note':
        return { actor: 'service-desk', command: { type: 'AddOrderNote', data: { orderId, author: 'agent-7', text: 'Customer called' } } };
      case 'after-sales': {
        const order = await this.shop.engine.orderState(orderId);
        const lines = E.isRight(order) && order.right.state.status !== 'none' ? order.right.state.lines : [];
        const line = lines[action.line % Math.max(lines.length, 1)];
        if (line === undefined) return undefined;
        this.counter += 1;
        const requested = [{ sku: line.sku, quantity: 1 + (action.quantity % line.quantity) }];
        const kind = action.refundOnly ? ('refund' as const) : ('return' as const);
        return { actor, command: { type: 'RequestAfterSales', data: { orderId, requestId: `as-${this.counter}`, kind, lines: requested, reason: 'Not as described' } } };
      }
      case 'approve':
      case 'reject':
      case 'receive': {
        const requestId = state.requestId;
        if (requestId === undefined) return undefined;
        if (action.kind === 'approve') return { actor: 'service-desk', command: { type: 'ApproveAfterSales', data: { orderId, requestId } } };
        if (action.kind === 'reject') return { actor: 'service-desk', command: { type: 'RejectAfterSales', data: { orderId, requestId, reason: 'Outside policy' } } };
        return { actor: 'warehouse', command: { type: 'ReceiveReturnedGoods', data: { orderId, requestId } } };
      }
    }
  }
}
