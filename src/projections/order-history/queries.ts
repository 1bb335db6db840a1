import * as E from 'fp-ts/Either';
import { activeVersionOf, getDocument, Page, PageRequest, queryAll, QueryError, queryPage } from '../query-page';
import type { ReadModelStore } from '../read-model-store';
import { OrderHistoryOrder, OrderHistoryStatus, orders, timeline } from './documents';
import { ORDER_HISTORY } from './projection';

/** One order in a customer's list. Amounts are minor units of `currency`. */
export interface OrderSummary {
  readonly orderId: string;
  readonly placedAt: number;
  readonly status: OrderHistoryStatus;
  readonly currency: string;
  readonly total: number;
  readonly paid: number;
  readonly refunded: number;
  readonly lineCount: number;
  readonly units: number;
  /** The first line's name, and how many more lines there are. */
  readonly title: string;
}

export interface TimelineItem {
  readonly type: string;
  readonly at: number;
  readonly actor: string;
  readonly summary: string;
}

export type OrderDetail = OrderHistoryOrder & { readonly timeline: readonly TimelineItem[] };

export const CUSTOMER_ORDERS_PAGE_SIZE = 20;

const summaryOf = (order: OrderHistoryOrder): OrderSummary => {
  const [first] = order.lines;
  const more = order.lines.length - 1;
  return {
    orderId: order.orderId,
    placedAt: order.placedAt,
    status: order.status,
    currency: order.currency,
    total: order.amounts.total,
    paid: order.amounts.paid,
    refunded: order.amounts.refunded,
    lineCount: order.lines.length,
    units: order.lines.reduce((sum, line) => sum + line.quantity, 0),
    title: first === undefined ? '' : more > 0 ? `${first.name} and ${more} more` : first.name,
  };
};

const notFound = (orderId: string): QueryError => ({ code: 'NOT_FOUND', message: `there is no order ${orderId} for this customer` });

/** A customer's orders, newest first, a page at a time. */
export const customerOrders = async (store: ReadModelStore, customerId: string, request: PageRequest = {}): Promise<E.Either<QueryError, Page<OrderSummary>>> => {
  const version = await activeVersionOf(store, ORDER_HISTORY);
  if (E.isLeft(version)) return version;
  const page = await queryPage(store, version.right, orders, { index: 'by-customer', equals: { customerId }, order: 'descending' }, request, CUSTOMER_ORDERS_PAGE_SIZE);
  return E.map((found: Page<OrderHistoryOrder>) => ({ items: found.items.map(summaryOf), next: found.next }))(page);
};

/**
 * One of a customer's orders in full, with its timeline. An order of another customer is `NOT_FOUND`, exactly
 * like one that does not exist, so that a customer cannot learn whether someone else's order id is real.
 */
export const orderDetail = async (store: ReadModelStore, customerId: string, orderId: string): Promise<E.Either<QueryError, OrderDetail>> => {
  const version = await activeVersionOf(store, ORDER_HISTORY);
  if (E.isLeft(version)) return version;
  const order = await getDocument(store, version.right, orders, orderId);
  if (E.isLeft(order)) return order;
  if (order.right === undefined || order.right.customerId !== customerId) return E.left(notFound(orderId));
  const entries = await queryAll(store, version.right, timeline, { index: 'by-order', equals: { orderId }, order: 'ascending' });
  if (E.isLeft(entries)) return entries;
  return E.right({ ...order.right, timeline: entries.right.map(({ type, at, actor, summary }) => ({ type, at, actor, summary })) });
};
