import * as t from 'io-ts';
import { documentCollection } from '../document-collection';

const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);
const GranularityCodec = t.keyof({ day: null, hour: null });

/**
 * What analytics remembers of a cart. `checkedOutBy` and `paidBy` name the first order that counted the cart
 * as checked out or paid: a claim rather than a flag, so an event replayed after a cut-short batch sees that
 * the claim is its own and counts again where its count was not yet written.
 */
export const CartFacts = t.readonly(
  t.type({ cartId: t.string, customerId: t.string, openedAt: t.number, checkedOutBy: nullable(t.string), paidBy: nullable(t.string) }),
  'CartFacts',
);
export type CartFacts = t.TypeOf<typeof CartFacts>;

export const FactLine = t.readonly(
  t.type({ sku: t.string, name: t.string, category: t.string, unitPrice: t.number, quantity: t.number, lineTotal: t.number, paidAmount: t.number }),
);
export type FactLine = t.TypeOf<typeof FactLine>;

/** What analytics remembers of an order; `refundCountedBy` is the refund that counted it as refunded. */
export const OrderFacts = t.readonly(
  t.type({
    orderId: t.string,
    cartId: t.string,
    customerId: t.string,
    currency: t.string,
    total: t.number,
    placedAt: t.number,
    paidAt: nullable(t.number),
    refundCountedBy: nullable(t.string),
    lines: t.readonlyArray(FactLine),
  }),
  'OrderFacts',
);
export type OrderFacts = t.TypeOf<typeof OrderFacts>;

/**
 * Sales of one day or hour in one currency. Orders placed, cancelled and expired count in the bucket where
 * the order was placed; paid orders, GMV and refunds in the bucket where it was paid; so each rate compares
 * a cohort with itself and never exceeds 1.
 */
export const SalesFigures = t.readonly(
  t.type({
    granularity: GranularityCodec,
    bucketStart: t.number,
    currency: t.string,
    ordersPlaced: t.number,
    ordersCancelled: t.number,
    ordersExpired: t.number,
    ordersPaid: t.number,
    gmv: t.number,
    ordersRefunded: t.number,
    refundedAmount: t.number,
  }),
  'SalesFigures',
);
export type SalesFigures = t.TypeOf<typeof SalesFigures>;

/** The funnel of the carts opened in one day or hour: what became of them, whenever it happened. */
export const FunnelFigures = t.readonly(
  t.type({
    granularity: GranularityCodec,
    bucketStart: t.number,
    cartsOpened: t.number,
    cartsCheckedOut: t.number,
    checkouts: t.number,
    cartsPaid: t.number,
    ordersPaid: t.number,
  }),
  'FunnelFigures',
);
export type FunnelFigures = t.TypeOf<typeof FunnelFigures>;

/** A product's paid sales in one currency; revenue is what shoppers paid for it after discounts. */
export const ProductSales = t.readonly(
  t.type({ currency: t.string, sku: t.string, name: t.string, category: t.string, unitsSold: t.number, revenue: t.number, orders: t.number }),
  'ProductSales',
);
export type ProductSales = t.TypeOf<typeof ProductSales>;

export const CategoryUnits = t.readonly(t.type({ category: t.string, units: t.number }));
export type CategoryUnits = t.TypeOf<typeof CategoryUnits>;

/** A customer's paid purchases, in fixed-size summaries (see purchase-profile.ts). */
/** The unit prices a customer paid in one currency: exact extremes, and how many units fell in each bucket. */
export const PricesPaid = t.readonly(t.type({ currency: t.string, min: t.number, max: t.number, histogram: t.readonlyArray(t.number) }), 'PricesPaid');
export type PricesPaid = t.TypeOf<typeof PricesPaid>;

export const CustomerPurchases = t.readonly(
  t.type({
    customerId: t.string,
    ordersPaid: t.number,
    unitsBought: t.number,
    categories: t.readonlyArray(CategoryUnits),
    /** Per currency: unit prices are not comparable across currencies. */
    prices: t.readonlyArray(PricesPaid),
    hours: t.readonlyArray(t.number),
  }),
  'CustomerPurchases',
);
export type CustomerPurchases = t.TypeOf<typeof CustomerPurchases>;

/** How many paid orders held both `sku` and `partner`. */
export const CoPurchase = t.readonly(t.type({ sku: t.string, partner: t.string, partnerName: t.string, orders: t.number }), 'CoPurchase');
export type CoPurchase = t.TypeOf<typeof CoPurchase>;

/** That a cart checked out an order id: the funnel counts only such orders paid, not one a host placed naming the cart. */
export const Checkout = t.readonly(t.type({ cartId: t.string, orderId: t.string }), 'Checkout');
export type Checkout = t.TypeOf<typeof Checkout>;

export const carts = documentCollection('carts', CartFacts);
export const checkouts = documentCollection('checkouts', Checkout);
export const orderFacts = documentCollection('orders', OrderFacts);
export const sales = documentCollection('sales', SalesFigures, [
  { name: 'by-period', equals: ['granularity', 'currency'], sortBy: { field: 'bucketStart', type: 'number' } },
]);
export const funnel = documentCollection('funnel', FunnelFigures, [{ name: 'by-period', equals: ['granularity'], sortBy: { field: 'bucketStart', type: 'number' } }]);
export const products = documentCollection('products', ProductSales, [
  { name: 'by-units', equals: ['currency'], sortBy: { field: 'unitsSold', type: 'number' } },
  { name: 'by-revenue', equals: ['currency'], sortBy: { field: 'revenue', type: 'number' } },
]);
export const customers = documentCollection('customers', CustomerPurchases);
export const coPurchases = documentCollection('co-purchases', CoPurchase, [{ name: 'by-product', equals: ['sku'], sortBy: { field: 'orders', type: 'number' } }]);

/** Ids made of identifiers, which never hold whitespace, so a space cannot make two of them collide. */
export const salesId = (granularity: string, start: number, currency: string): string => `${granularity} ${start} ${currency}`;
export const funnelId = (granularity: string, start: number): string => `${granularity} ${start}`;
export const productId = (currency: string, sku: string): string => `${currency} ${sku}`;
export const coPurchaseId = (sku: string, partner: string): string => `${sku} ${partner}`;
export const checkoutId = (cartId: string, orderId: string): string => `${cartId} ${orderId}`;
