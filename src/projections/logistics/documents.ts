import * as t from 'io-ts';
import { documentCollection } from '../document-collection';

/** What logistics needs to know of an order from its placement: who and where it ships to. */
export const ShippingOrder = t.readonly(
  t.type({ orderId: t.string, customerId: t.string, placedAt: t.number, city: t.string, country: t.string, units: t.number, lineCount: t.number }),
  'ShippingOrder',
);
export type ShippingOrder = t.TypeOf<typeof ShippingOrder>;

/**
 * A paid order that has not shipped, with what it has refunded of its `total` so far. The document goes when
 * the order ships, is cancelled, or has given back all it was paid (the engine then refuses to ship it,
 * `ORDER_REFUNDED`, until it is cancelled).
 */
export const AwaitingShipment = t.readonly(
  t.type({
    orderId: t.string,
    customerId: t.string,
    paidAt: t.number,
    currency: t.string,
    total: t.number,
    refunded: t.number,
    units: t.number,
    city: t.string,
    country: t.string,
  }),
  'AwaitingShipment',
);
export type AwaitingShipment = t.TypeOf<typeof AwaitingShipment>;

export const Shipment = t.readonly(
  t.type({
    orderId: t.string,
    customerId: t.string,
    carrier: t.string,
    trackingNumber: t.string,
    shippedAt: t.number,
    /** `shipped`, then the carrier's latest status, then `delivered`. */
    status: t.string,
    updatedAt: t.number,
    deliveredAt: t.union([t.number, t.null]),
  }),
  'Shipment',
);
export type Shipment = t.TypeOf<typeof Shipment>;

/** One step of a shipment's status history, a document of its own so that the shipment's stays small. */
export const ShipmentStatus = t.readonly(
  t.type({ orderId: t.string, position: t.number, at: t.number, status: t.string, description: t.string, location: t.union([t.string, t.null]) }),
  'ShipmentStatus',
);
export type ShipmentStatus = t.TypeOf<typeof ShipmentStatus>;

export const CarrierLoad = t.readonly(t.type({ carrier: t.string, inTransit: t.number, shipped: t.number, delivered: t.number }), 'CarrierLoad');
export type CarrierLoad = t.TypeOf<typeof CarrierLoad>;

export const shippingOrders = documentCollection('orders', ShippingOrder);
export const awaitingShipment = documentCollection('awaiting-shipment', AwaitingShipment, [
  { name: 'by-paid-at', equals: [], sortBy: { field: 'paidAt', type: 'number' } },
]);
export const shipments = documentCollection('shipments', Shipment, [
  { name: 'by-tracking-number', equals: ['carrier', 'trackingNumber'], sortBy: { field: 'shippedAt', type: 'number' } },
]);
export const shipmentStatuses = documentCollection('shipment-statuses', ShipmentStatus, [
  { name: 'by-order', equals: ['orderId'], sortBy: { field: 'position', type: 'number' } },
]);
export const carriers = documentCollection('carriers', CarrierLoad, [{ name: 'by-name', equals: [], sortBy: { field: 'carrier', type: 'string' } }]);
