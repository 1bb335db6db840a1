import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { CartCheckedOut, CartOpened } from '../../domain/cart/events';
import { OrderCancelled, OrderExpired, OrderPaid, OrderPlaced, OrderRefunded } from '../../domain/order/events';
import { CART_STREAM_PREFIX, ORDER_STREAM_PREFIX } from '../../engine/aggregates';
import { allChanges } from '../document-collection';
import type { DocumentChange, ProjectionDefinition, ProjectionHandlerError, ProjectionView } from '../projection';
import { compareCodePoints } from '../read-model-rules';
import type { DocumentKey, JsonDocument } from '../read-model-store';
import {
  CartFacts,
  carts,
  checkoutId,
  checkouts,
  coPurchaseId,
  coPurchases,
  customers,
  FactLine,
  funnel,
  FunnelFigures,
  funnelId,
  OrderFacts,
  orderFacts,
  productId,
  products,
  sales,
  SalesFigures,
  salesId,
} from './documents';
import { noPurchases, withPurchase } from './purchase-profile';
import { bucketStart, GRANULARITIES } from './time-buckets';

export const ANALYTICS = 'analytics';

/**
 * Co-purchases are counted per ordered pair of products, one small document each, which a query reads as
 * "the top N partners of a product" through an index: exact counts, and no document that grows with the
 * catalogue. An order adds n·(n−1) pairs, so only its `MAX_PAIRED_PRODUCTS` largest lines are paired.
 */
export const MAX_PAIRED_PRODUCTS = 16;

const AnalyticsEvent = t.union([CartOpened, CartCheckedOut, OrderPlaced, OrderPaid, OrderCancelled, OrderExpired, OrderRefunded]);
export type AnalyticsEvent = t.TypeOf<typeof AnalyticsEvent>;

type Outcome = E.Either<ProjectionHandlerError, DocumentChange | readonly DocumentChange[]>;

const emptySales = (granularity: SalesFigures['granularity'], start: number, currency: string): SalesFigures => ({
  granularity,
  bucketStart: start,
  currency,
  ordersPlaced: 0,
  ordersCancelled: 0,
  ordersExpired: 0,
  ordersPaid: 0,
  gmv: 0,
  ordersRefunded: 0,
  refundedAmount: 0,
});

const emptyFunnel = (granularity: FunnelFigures['granularity'], start: number): FunnelFigures => ({
  granularity,
  bucketStart: start,
  cartsOpened: 0,
  cartsCheckedOut: 0,
  checkouts: 0,
  cartsPaid: 0,
  ordersPaid: 0,
});

/** Updates the day's and the hour's sales figures that `at` falls in. */
const updateSales = (view: ProjectionView, at: number, currency: string, change: (figures: SalesFigures) => SalesFigures): Promise<Outcome>[] =>
  GRANULARITIES.map((granularity) => {
    const start = bucketStart(granularity, at);
    return sales.update(view, salesId(granularity, start, currency), emptySales(granularity, start, currency), change);
  });

const updateFunnel = (view: ProjectionView, openedAt: number, change: (figures: FunnelFigures) => FunnelFigures): Promise<Outcome>[] =>
  GRANULARITIES.map((granularity) => {
    const start = bucketStart(granularity, openedAt);
    return funnel.update(view, funnelId(granularity, start), emptyFunnel(granularity, start), change);
  });

const salesKeys = (at: number, currency: string): DocumentKey[] => GRANULARITIES.map((g) => sales.key(salesId(g, bucketStart(g, at), currency)));

/** One line per product, should an order placed from outside a cart list a product twice. */
const linesBySku = (lines: readonly FactLine[]): readonly FactLine[] => {
  const merged = new Map<string, FactLine>();
  for (const line of lines) {
    const seen = merged.get(line.sku);
    merged.set(
      line.sku,
      seen === undefined
        ? line
        : { ...seen, quantity: seen.quantity + line.quantity, lineTotal: seen.lineTotal + line.lineTotal, paidAmount: seen.paidAmount + line.paidAmount },
    );
  }
  return [...merged.values()];
};

const notProjected = (what: string, id: string, event: AnalyticsEvent): E.Either<ProjectionHandlerError, never> =>
  E.left({ code: `${what.toUpperCase()}_NOT_PROJECTED`, message: `${event.type} for ${what} ${id}, which this projection has not seen` });

const readFacts = async (view: ProjectionView, orderId: string, event: AnalyticsEvent): Promise<E.Either<ProjectionHandlerError, OrderFacts>> => {
  const facts = await orderFacts.read(view, orderId);
  if (E.isLeft(facts)) return facts;
  return facts.right === undefined ? notProjected('order', orderId, event) : E.right(facts.right);
};

const onCheckout = async (view: ProjectionView, event: Extract<AnalyticsEvent, { type: 'CartCheckedOut' }>): Promise<E.Either<ProjectionHandlerError, readonly DocumentChange[]>> => {
  const { cartId, orderId } = event.data;
  const cart = await carts.read(view, cartId);
  if (E.isLeft(cart)) return cart;
  if (cart.right === undefined) return notProjected('cart', cartId, event);
  const placed = await orderFacts.read(view, orderId);
  if (E.isLeft(placed)) return placed;
  const { checkedOutBy, openedAt } = cart.right;
  const countsCart = checkedOutBy === null || checkedOutBy === orderId;
  return allChanges([
    ...(await Promise.all(updateFunnel(view, openedAt, (f) => ({ ...f, checkouts: f.checkouts + 1, cartsCheckedOut: f.cartsCheckedOut + (countsCart ? 1 : 0) })))),
    E.right(checkedOutBy === null ? [carts.put(cartId, { ...cart.right, checkedOutBy: orderId })] : []),
    // An order placed before the checkout that names it (a host's) was not placed by it: the engine refuses
    // to place it again, so the checkout pays for nothing.
    E.right(placed.right === undefined ? [checkouts.put(checkoutId(cartId, orderId), { cartId, orderId })] : []),
  ]);
};

const cartPaid = async (view: ProjectionView, cart: CartFacts, orderId: string): Promise<Outcome[]> => {
  const countsCart = cart.paidBy === null || cart.paidBy === orderId;
  return [
    ...(await Promise.all(updateFunnel(view, cart.openedAt, (f) => ({ ...f, ordersPaid: f.ordersPaid + 1, cartsPaid: f.cartsPaid + (countsCart ? 1 : 0) })))),
    E.right(cart.paidBy === null ? [carts.put(cart.cartId, { ...cart, paidBy: orderId })] : []),
  ];
};

/** The order's products whose co-purchases are counted: the most paid for, at most MAX_PAIRED_PRODUCTS. */
const pairedLines = (lines: readonly FactLine[]): readonly FactLine[] =>
  [...lines].sort((a, b) => b.lineTotal - a.lineTotal || compareCodePoints(a.sku, b.sku)).slice(0, MAX_PAIRED_PRODUCTS);

const coPurchaseUpdates = (view: ProjectionView, lines: readonly FactLine[]): Promise<Outcome>[] => {
  const paired = pairedLines(lines);
  return paired.flatMap((line) =>
    paired
      .filter((partner) => partner.sku !== line.sku)
      .map((partner) =>
        coPurchases.update(view, coPurchaseId(line.sku, partner.sku), { sku: line.sku, partner: partner.sku, partnerName: partner.name, orders: 0 }, (c) => ({
          ...c,
          partnerName: partner.name,
          orders: c.orders + 1,
        })),
      ),
  );
};

const onPaid = async (view: ProjectionView, event: Extract<AnalyticsEvent, { type: 'OrderPaid' }>, paidAt: number): Promise<E.Either<ProjectionHandlerError, readonly DocumentChange[]>> => {
  const { orderId, amount } = event.data;
  const facts = await readFacts(view, orderId, event);
  if (E.isLeft(facts)) return facts;
  const cart = await carts.read(view, facts.right.cartId);
  if (E.isLeft(cart)) return cart;
  const checkout = await checkouts.read(view, checkoutId(facts.right.cartId, orderId));
  if (E.isLeft(checkout)) return checkout;
  const lines = linesBySku(facts.right.lines);
  const { currency } = amount;
  return allChanges([
    E.right(orderFacts.put(orderId, { ...facts.right, paidAt })),
    ...(await Promise.all(updateSales(view, paidAt, currency, (s) => ({ ...s, ordersPaid: s.ordersPaid + 1, gmv: s.gmv + amount.amount })))),
    // Only an order its cart checked out moves the cart along the funnel: one a host placed naming a cart (that
    // never checked out, or checked out other orders) made more carts or orders paid than checked out.
    ...(cart.right === undefined || checkout.right === undefined ? [] : await cartPaid(view, cart.right, orderId)),
    ...(await Promise.all(
      lines.map((line) =>
        products.update(
          view,
          productId(currency, line.sku),
          { currency, sku: line.sku, name: line.name, category: line.category, unitsSold: 0, revenue: 0, orders: 0 },
          (p) => ({ ...p, name: line.name, category: line.category, unitsSold: p.unitsSold + line.quantity, revenue: p.revenue + line.paidAmount, orders: p.orders + 1 }),
        ),
      ),
    )),
    await customers.update(view, facts.right.customerId, noPurchases(facts.right.customerId), (profile) => withPurchase(profile, lines, paidAt, currency)),
    ...(await Promise.all(coPurchaseUpdates(view, lines))),
  ]);
};

const onRefunded = async (view: ProjectionView, event: Extract<AnalyticsEvent, { type: 'OrderRefunded' }>): Promise<E.Either<ProjectionHandlerError, readonly DocumentChange[]>> => {
  const { orderId, refundId, amount } = event.data;
  // A refund of nothing (settled at once, for lines that cost nothing) refunds no order.
  if (amount.amount === 0) return E.right([]);
  const facts = await readFacts(view, orderId, event);
  if (E.isLeft(facts)) return facts;
  const { paidAt, refundCountedBy, currency } = facts.right;
  if (paidAt === null) return E.left({ code: 'ORDER_NOT_PAID', message: `OrderRefunded for order ${orderId}, which this projection has not seen paid` });
  const countsOrder = refundCountedBy === null || refundCountedBy === refundId;
  return allChanges([
    ...(await Promise.all(
      updateSales(view, paidAt, currency, (s) => ({ ...s, refundedAmount: s.refundedAmount + amount.amount, ordersRefunded: s.ordersRefunded + (countsOrder ? 1 : 0) })),
    )),
    E.right(refundCountedBy === null ? [orderFacts.put(orderId, { ...facts.right, refundCountedBy: refundId })] : []),
  ]);
};

const prefetchOf = (event: AnalyticsEvent, at: number): readonly DocumentKey[] => {
  switch (event.type) {
    case 'CartOpened':
      return GRANULARITIES.map((g) => funnel.key(funnelId(g, bucketStart(g, at))));
    case 'CartCheckedOut':
      return [carts.key(event.data.cartId), orderFacts.key(event.data.orderId)];
    case 'OrderPlaced':
      return salesKeys(at, event.data.pricing.currency);
    case 'OrderPaid':
      return [orderFacts.key(event.data.orderId), ...salesKeys(at, event.data.amount.currency)];
    default:
      return [orderFacts.key(event.data.orderId)];
  }
};

/** What an order's later events read beyond its facts, named by those facts (as stored, so decoded here first). */
const prefetchFollowingOf = (event: AnalyticsEvent, preloaded: (collection: string, id: string) => JsonDocument | undefined): readonly DocumentKey[] => {
  if (event.type !== 'OrderPaid' && event.type !== 'OrderCancelled' && event.type !== 'OrderExpired' && event.type !== 'OrderRefunded') return [];
  const { orderId } = event.data;
  const stored = preloaded(orderFacts.name, orderId);
  const facts = stored === undefined ? undefined : orderFacts.decode(orderId, stored);
  if (facts === undefined || E.isLeft(facts)) return [];
  if (event.type === 'OrderCancelled' || event.type === 'OrderExpired') return salesKeys(facts.right.placedAt, facts.right.currency);
  if (event.type === 'OrderRefunded') return facts.right.paidAt === null ? [] : salesKeys(facts.right.paidAt, facts.right.currency);
  const { amount } = event.data;
  const lines = linesBySku(facts.right.lines);
  const paired = pairedLines(lines);
  return [
    carts.key(facts.right.cartId),
    checkouts.key(checkoutId(facts.right.cartId, orderId)),
    customers.key(facts.right.customerId),
    ...lines.map((line) => products.key(productId(amount.currency, line.sku))),
    ...paired.flatMap((line) => paired.filter((partner) => partner.sku !== line.sku).map((partner) => coPurchases.key(coPurchaseId(line.sku, partner.sku)))),
  ];
};

/**
 * Analytics: sales per day and hour (GMV, orders, average order value, cancellation and refund rates), the
 * cart → checkout → paid funnel, top products, each customer's purchase profile and "bought together"
 * recommendations. Every event updates a bounded number of small documents (at most a few hundred, for the
 * co-purchase pairs of a large order), whatever the size of the history. Times are the events' `occurredAt`.
 */
export const analyticsProjection: ProjectionDefinition<AnalyticsEvent> = {
  name: ANALYTICS,
  // 2: a customer's unit prices are kept per currency. 3: a cart that never checked out is not counted paid.
  // 4: nor is an order its cart did not check out (a host's, naming a cart that checked out others).
  version: 4,
  filter: { streamPrefixes: [CART_STREAM_PREFIX, ORDER_STREAM_PREFIX], eventTypes: AnalyticsEvent.types.map((codec) => codec.name) },
  codec: AnalyticsEvent,
  collections: [carts, checkouts, orderFacts, sales, funnel, products, customers, coPurchases].map((collection) => collection.definition),
  prefetch: (event, envelope) => prefetchOf(event, envelope.occurredAt),
  prefetchFollowing: (event, _envelope, preloaded) => prefetchFollowingOf(event, preloaded),
  apply: async (event, envelope, view) => {
    const at = envelope.occurredAt;
    switch (event.type) {
      case 'CartOpened': {
        const { cartId, customerId } = event.data;
        return allChanges([
          E.right(carts.put(cartId, { cartId, customerId, openedAt: at, checkedOutBy: null, paidBy: null })),
          ...(await Promise.all(updateFunnel(view, at, (f) => ({ ...f, cartsOpened: f.cartsOpened + 1 })))),
        ]);
      }
      case 'CartCheckedOut':
        return onCheckout(view, event);
      case 'OrderPlaced': {
        const { orderId, cartId, customerId, pricing } = event.data;
        const lines = pricing.lines.map(({ sku, name, category, unitPrice, quantity, lineTotal, paidAmount }) => ({ sku, name, category, unitPrice, quantity, lineTotal, paidAmount }));
        return allChanges([
          E.right(orderFacts.put(orderId, { orderId, cartId, customerId, currency: pricing.currency, total: pricing.total, placedAt: at, paidAt: null, refundCountedBy: null, lines })),
          ...(await Promise.all(updateSales(view, at, pricing.currency, (s) => ({ ...s, ordersPlaced: s.ordersPlaced + 1 })))),
        ]);
      }
      case 'OrderPaid':
        return onPaid(view, event, at);
      case 'OrderCancelled':
      case 'OrderExpired': {
        const facts = await readFacts(view, event.data.orderId, event);
        if (E.isLeft(facts)) return facts;
        const cancelled = event.type === 'OrderCancelled' ? 1 : 0;
        return allChanges(
          await Promise.all(
            updateSales(view, facts.right.placedAt, facts.right.currency, (s) => ({
              ...s,
              ordersCancelled: s.ordersCancelled + cancelled,
              ordersExpired: s.ordersExpired + 1 - cancelled,
            })),
          ),
        );
      }
      case 'OrderRefunded':
        return onRefunded(view, event);
    }
  },
};
