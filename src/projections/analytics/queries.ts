import * as E from 'fp-ts/Either';
import { activeVersionOf, getDocument, Page, PageRequest, QueryError, queryPage } from '../query-page';
import type { ReadModelStore } from '../read-model-store';
import { shownValue } from '../../engine/error-message';
import { compareCodePoints } from '../read-model-rules';
import { CoPurchase, coPurchases, customers, funnel, FunnelFigures, products, ProductSales, sales, SalesFigures } from './documents';
import { bucketRange, medianBucket, PriceRange } from './price-histogram';
import { ANALYTICS } from './projection';
import { type Granularity, GRANULARITIES } from './time-buckets';

/** `count` out of `of`, and their ratio (null when `of` is 0). */
export interface Rate {
  readonly count: number;
  readonly of: number;
  readonly ratio: number | null;
}

const rate = (count: number, of: number): Rate => ({ count, of, ratio: of === 0 ? null : count / of });

/** Amounts are minor units of `currency`. */
export interface SalesReport {
  readonly granularity: Granularity;
  readonly bucketStart: number;
  readonly currency: string;
  /** Sum of the totals of the orders paid in this period. */
  readonly gmv: number;
  readonly ordersPaid: number;
  /** GMV / orders paid, rounded down; 0 without orders. */
  readonly averageOrderValue: number;
  readonly ordersPlaced: number;
  /** Of the orders placed in this period, those cancelled (paid or not) or expired unpaid. */
  readonly cancellations: Rate;
  /** Of the orders paid in this period, those refunded, in part or in full, whenever the refund came. */
  readonly refunds: Rate;
  /** What went back of the orders paid in this period, whenever it went back: GMV is not reduced by it. */
  readonly refundedAmount: number;
}

export interface FunnelReport {
  readonly granularity: Granularity;
  readonly bucketStart: number;
  readonly cartsOpened: number;
  readonly cartsCheckedOut: number;
  readonly checkouts: number;
  readonly cartsPaid: number;
  readonly ordersPaid: number;
  /** Carts checked out at least once, of the carts opened. */
  readonly checkoutRate: Rate;
  /** Carts with at least one paid order, of the carts checked out. */
  readonly paymentRate: Rate;
}

export interface PeriodRequest extends PageRequest {
  readonly granularity: Granularity;
  /** Inclusive, epoch milliseconds. */
  readonly from?: number;
  /** Exclusive, epoch milliseconds. */
  readonly to?: number;
}

export interface ProductReport {
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly unitsSold: number;
  readonly revenue: number;
  readonly orders: number;
}

export interface CustomerProfile {
  readonly customerId: string;
  readonly ordersPaid: number;
  readonly unitsBought: number;
  /** Most units first. */
  readonly favouriteCategories: readonly { readonly category: string; readonly units: number }[];
  /**
   * Unit prices of the items bought, per currency (most units first), in its minor units: exact extremes
   * and the bucket holding the median.
   */
  readonly priceRanges: readonly { readonly currency: string; readonly min: number; readonly max: number; readonly usual: PriceRange }[];
  /** UTC hours of day with paid orders, the most frequent first. */
  readonly buyingHours: readonly { readonly hour: number; readonly orders: number }[];
}

export interface BoughtTogether {
  readonly sku: string;
  readonly name: string;
  /** Paid orders that held both products among their `MAX_PAIRED_PRODUCTS` largest lines. */
  readonly orders: number;
}

export const PERIOD_PAGE_SIZE = 100;
export const FAVOURITE_CATEGORIES = 3;

const rangeOf = ({ from, to }: PeriodRequest) => ({ ...(from === undefined ? {} : { atLeast: from }), ...(to === undefined ? {} : { below: to }) });

const pageRequestOf = ({ limit, after }: PageRequest): PageRequest => ({ ...(limit === undefined ? {} : { limit }), ...(after === undefined ? {} : { after }) });

const salesReport = (s: SalesFigures): SalesReport => ({
  granularity: s.granularity,
  bucketStart: s.bucketStart,
  currency: s.currency,
  gmv: s.gmv,
  ordersPaid: s.ordersPaid,
  averageOrderValue: s.ordersPaid === 0 ? 0 : Math.floor(s.gmv / s.ordersPaid),
  ordersPlaced: s.ordersPlaced,
  cancellations: rate(s.ordersCancelled + s.ordersExpired, s.ordersPlaced),
  refunds: rate(s.ordersRefunded, s.ordersPaid),
  refundedAmount: s.refundedAmount,
});

const funnelReport = (f: FunnelFigures): FunnelReport => ({
  ...f,
  checkoutRate: rate(f.cartsCheckedOut, f.cartsOpened),
  paymentRate: rate(f.cartsPaid, f.cartsCheckedOut),
});

/** Why a period request is none, if it is not: a granularity the read model has no buckets for would find none, as if nothing sold. */
const periodRequestProblem = (request: PeriodRequest): QueryError | undefined => {
  if (typeof request !== 'object' || request === null) return { code: 'INVALID_QUERY', message: 'a period request must be an object with a granularity' };
  if (!GRANULARITIES.includes(request.granularity)) {
    return { code: 'INVALID_QUERY', message: `the granularity must be ${GRANULARITIES.join(' or ')}, not ${JSON.stringify(request.granularity) ?? 'undefined'}` };
  }
  // Said here by name: the store would refuse it too, but as a range that does not fit its index.
  const bound = (['from', 'to'] as const).find((key) => request[key] !== undefined && !Number.isFinite(request[key]));
  return bound === undefined ? undefined : { code: 'INVALID_QUERY', message: `${bound} must be a finite number of epoch milliseconds, not ${shownValue(request[bound])}` };
};

/** Sales in one currency per day or hour from `from` to `to`, in time order; periods without orders are absent. */
export const salesByPeriod = async (store: ReadModelStore, currency: string, request: PeriodRequest): Promise<E.Either<QueryError, Page<SalesReport>>> => {
  const invalid = periodRequestProblem(request);
  if (invalid !== undefined) return E.left(invalid);
  const version = await activeVersionOf(store, ANALYTICS);
  if (E.isLeft(version)) return version;
  const page = await queryPage(
    store,
    version.right,
    sales,
    { index: 'by-period', equals: { granularity: request.granularity, currency }, order: 'ascending', range: rangeOf(request) },
    pageRequestOf(request),
    PERIOD_PAGE_SIZE,
  );
  return E.map((found: Page<SalesFigures>) => ({ items: found.items.map(salesReport), next: found.next }))(page);
};

/** The funnel of the carts opened in each day or hour from `from` to `to`. */
export const funnelByPeriod = async (store: ReadModelStore, request: PeriodRequest): Promise<E.Either<QueryError, Page<FunnelReport>>> => {
  const invalid = periodRequestProblem(request);
  if (invalid !== undefined) return E.left(invalid);
  const version = await activeVersionOf(store, ANALYTICS);
  if (E.isLeft(version)) return version;
  const page = await queryPage(
    store,
    version.right,
    funnel,
    { index: 'by-period', equals: { granularity: request.granularity }, order: 'ascending', range: rangeOf(request) },
    pageRequestOf(request),
    PERIOD_PAGE_SIZE,
  );
  return E.map((found: Page<FunnelFigures>) => ({ items: found.items.map(funnelReport), next: found.next }))(page);
};

/** The best-selling products in one currency, by units sold or by revenue. */
export const topProducts = async (
  store: ReadModelStore,
  currency: string,
  by: 'units' | 'revenue',
  limit = 10,
): Promise<E.Either<QueryError, readonly ProductReport[]>> => {
  if (by !== 'units' && by !== 'revenue') return E.left({ code: 'INVALID_QUERY', message: `products rank by units or revenue, not ${JSON.stringify(by) ?? 'undefined'}` });
  const version = await activeVersionOf(store, ANALYTICS);
  if (E.isLeft(version)) return version;
  const page = await queryPage(store, version.right, products, { index: by === 'units' ? 'by-units' : 'by-revenue', equals: { currency }, order: 'descending' }, { limit }, limit);
  return E.map((found: Page<ProductSales>) => found.items.map(({ sku, name, category, unitsSold, revenue, orders }) => ({ sku, name, category, unitsSold, revenue, orders })))(page);
};

/** What a customer buys: favourite categories, usual price range and the hours they buy in. */
export const customerProfile = async (store: ReadModelStore, customerId: string): Promise<E.Either<QueryError, CustomerProfile>> => {
  const version = await activeVersionOf(store, ANALYTICS);
  if (E.isLeft(version)) return version;
  const found = await getDocument(store, version.right, customers, customerId);
  if (E.isLeft(found)) return found;
  const profile = found.right;
  if (profile === undefined) return E.left({ code: 'NOT_FOUND', message: `customer ${customerId} has no paid order` });
  const priceRanges = profile.prices
    .flatMap(({ currency, min, max, histogram }) => {
      const median = medianBucket(histogram);
      const units = histogram.reduce((sum, count) => sum + count, 0);
      return median === undefined ? [] : [{ units, range: { currency, min, max, usual: bucketRange(median) } }];
    })
    .sort((a, b) => b.units - a.units || compareCodePoints(a.range.currency, b.range.currency))
    .map(({ range }) => range);
  return E.right({
    customerId,
    ordersPaid: profile.ordersPaid,
    unitsBought: profile.unitsBought,
    favouriteCategories: profile.categories.slice(0, FAVOURITE_CATEGORIES),
    priceRanges,
    buyingHours: profile.hours
      .map((orders, hour) => ({ hour, orders }))
      .filter((h) => h.orders > 0)
      .sort((a, b) => b.orders - a.orders || a.hour - b.hour),
  });
};

/** The products most often bought in the same order as `sku`, most orders first. */
export const boughtTogether = async (store: ReadModelStore, sku: string, limit = 10): Promise<E.Either<QueryError, readonly BoughtTogether[]>> => {
  const version = await activeVersionOf(store, ANALYTICS);
  if (E.isLeft(version)) return version;
  const page = await queryPage(store, version.right, coPurchases, { index: 'by-product', equals: { sku }, order: 'descending' }, { limit }, limit);
  return E.map((found: Page<CoPurchase>) => found.items.map((c) => ({ sku: c.partner, name: c.partnerName, orders: c.orders })))(page);
};
