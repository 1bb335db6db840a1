import * as t from 'io-ts';
import { documentCollection } from '../document-collection';

const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

export const OrderHistoryStatus = t.keyof(
  { 'awaiting-payment': null, paid: null, shipped: null, delivered: null, completed: null, cancelled: null, expired: null },
  'OrderHistoryStatus',
);
export type OrderHistoryStatus = t.TypeOf<typeof OrderHistoryStatus>;

const OrderLine = t.readonly(
  t.type({ sku: t.string, name: t.string, category: t.string, unitPrice: t.number, quantity: t.number, lineTotal: t.number, paidAmount: t.number }),
);
const GiftLine = t.readonly(t.type({ sku: t.string, name: t.string, category: t.string, quantity: t.number }));

/** Every figure in minor units of the order's currency. */
const OrderAmounts = t.readonly(
  t.type({
    subtotal: t.number,
    couponCode: nullable(t.string),
    couponDiscount: t.number,
    rebateDiscount: t.number,
    shippingFee: t.number,
    pointsRedeemed: t.number,
    pointsDiscount: t.number,
    total: t.number,
    paid: t.number,
    refunded: t.number,
  }),
);

const AfterSalesCase = t.readonly(
  t.type({
    requestId: t.string,
    kind: t.keyof({ return: null, refund: null }),
    status: t.keyof({ requested: null, approved: null, rejected: null, 'goods-received': null, refunded: null }),
    refundAmount: t.number,
    reason: t.string,
  }),
);

/** One order as its customer and customer service see it. */
export const OrderHistoryOrder = t.readonly(
  t.type({
    orderId: t.string,
    customerId: t.string,
    cartId: t.string,
    placedAt: t.number,
    updatedAt: t.number,
    status: OrderHistoryStatus,
    currency: t.string,
    lines: t.readonlyArray(OrderLine),
    gifts: t.readonlyArray(GiftLine),
    amounts: OrderAmounts,
    paymentMethod: t.string,
    /**
     * The payment that paid the order (`paidTheOrder`), once one has; until then, the last one heard of. A
     * payment the order did not take shows as `refunded` once its money has gone back.
     */
    payment: t.readonly(
      t.type({
        paymentId: nullable(t.string),
        status: t.keyof({ 'not-started': null, pending: null, captured: null, failed: null, refunded: null }),
        paidTheOrder: t.boolean,
      }),
    ),
    shippingAddress: t.readonly(t.type({ recipient: t.string, phone: t.string, line1: t.string, city: t.string, postalCode: t.string, country: t.string })),
    shipment: nullable(t.readonly(t.type({ carrier: t.string, trackingNumber: t.string, shippedAt: t.number, lastStatus: t.string, deliveredAt: nullable(t.number) }))),
    closure: nullable(t.readonly(t.type({ kind: t.keyof({ cancelled: null, expired: null }), reason: t.string, at: t.number }))),
    completedAt: nullable(t.number),
    review: nullable(t.readonly(t.type({ rating: t.number, comment: nullable(t.string) }))),
    afterSales: t.readonlyArray(AfterSalesCase),
  }),
  'OrderHistoryOrder',
);
export type OrderHistoryOrder = t.TypeOf<typeof OrderHistoryOrder>;

/**
 * One event of an order's timeline. Entries are documents of their own rather than an array inside the order,
 * so that applying an event costs the same however long the order's history already is.
 */
export const TimelineEntry = t.readonly(
  t.type({ orderId: t.string, position: t.number, type: t.string, at: t.number, actor: t.string, summary: t.string }),
  'TimelineEntry',
);
export type TimelineEntry = t.TypeOf<typeof TimelineEntry>;

export const orders = documentCollection('orders', OrderHistoryOrder, [
  { name: 'by-customer', equals: ['customerId'], sortBy: { field: 'placedAt', type: 'number' } },
]);

export const timeline = documentCollection('timeline', TimelineEntry, [{ name: 'by-order', equals: ['orderId'], sortBy: { field: 'position', type: 'number' } }]);
