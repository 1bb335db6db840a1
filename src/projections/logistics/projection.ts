import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { OrderCancelled, OrderDelivered, OrderPaid, OrderPlaced, OrderRefunded, OrderShipped, OrderTrackingUpdated } from '../../domain/order/events';
import { ORDER_STREAM_PREFIX } from '../../engine/aggregates';
import { allChanges } from '../document-collection';
import type { DocumentChange, ProjectionDefinition, ProjectionHandlerError } from '../projection';
import type { DocumentKey } from '../read-model-store';
import { awaitingShipment, CarrierLoad, carriers, shipments, shipmentStatuses, shippingOrders } from './documents';

export const LOGISTICS = 'logistics';

const LogisticsEvent = t.union([OrderPlaced, OrderPaid, OrderShipped, OrderTrackingUpdated, OrderDelivered, OrderCancelled, OrderRefunded]);
export type LogisticsEvent = t.TypeOf<typeof LogisticsEvent>;

/** As the engine decides `ORDER_REFUNDED`: an order paid something and has given all of it back. */
const refundedWhole = (paid: number, refunded: number): boolean => paid > 0 && refunded >= paid;

const noCarrier = (carrier: string): CarrierLoad => ({ carrier, inTransit: 0, shipped: 0, delivered: 0 });

const missing = (what: string, orderId: string, event: LogisticsEvent): E.Either<ProjectionHandlerError, readonly DocumentChange[]> =>
  E.left({ code: 'ORDER_NOT_PROJECTED', message: `${event.type} for order ${orderId}, whose ${what} this projection has not seen` });

const prefetchOf = (event: LogisticsEvent): readonly DocumentKey[] => {
  const { orderId } = event.data;
  switch (event.type) {
    case 'OrderPaid':
      return [shippingOrders.key(orderId)];
    case 'OrderRefunded':
      return [awaitingShipment.key(orderId)];
    case 'OrderShipped':
      return [shippingOrders.key(orderId), carriers.key(event.data.carrier)];
    case 'OrderTrackingUpdated':
    case 'OrderDelivered':
      return [shipments.key(orderId)];
    default:
      return [];
  }
};

/**
 * Logistics, for the warehouse and customer service: paid orders waiting to ship (oldest first; not those
 * that have given back all they were paid), each shipment with its carrier, tracking number and status
 * history, and what each carrier has in transit.
 */
export const logisticsProjection: ProjectionDefinition<LogisticsEvent> = {
  name: LOGISTICS,
  // 2: an order that has given back all it was paid no longer waits for shipment.
  version: 2,
  filter: { streamPrefixes: [ORDER_STREAM_PREFIX], eventTypes: LogisticsEvent.types.map((codec) => codec.name) },
  codec: LogisticsEvent,
  collections: [shippingOrders.definition, awaitingShipment.definition, shipments.definition, shipmentStatuses.definition, carriers.definition],
  prefetch: prefetchOf,
  apply: async (event, envelope, view) => {
    const at = envelope.occurredAt;
    const statusStep = (status: string, description: string, location: string | null): DocumentChange =>
      shipmentStatuses.put(envelope.eventId, { orderId: event.data.orderId, position: envelope.position, at, status, description, location });
    switch (event.type) {
      case 'OrderPlaced': {
        const { orderId, customerId, shippingAddress, pricing } = event.data;
        const units = pricing.lines.reduce((sum, line) => sum + line.quantity, 0);
        return E.right([
          shippingOrders.put(orderId, { orderId, customerId, placedAt: at, city: shippingAddress.city, country: shippingAddress.country, units, lineCount: pricing.lines.length }),
        ]);
      }
      case 'OrderPaid': {
        const { orderId, amount } = event.data;
        const order = await shippingOrders.read(view, orderId);
        if (E.isLeft(order)) return order;
        if (order.right === undefined) return missing('placement', orderId, event);
        const { customerId, units, city, country } = order.right;
        return E.right([awaitingShipment.put(orderId, { orderId, customerId, paidAt: at, currency: amount.currency, total: amount.amount, refunded: 0, units, city, country })]);
      }
      case 'OrderRefunded': {
        // An order records refunds only once paid; one that no longer waits (shipped, cancelled) is done here.
        const { orderId, amount } = event.data;
        const waiting = await awaitingShipment.read(view, orderId);
        if (E.isLeft(waiting)) return waiting;
        if (waiting.right === undefined) return E.right([]);
        const refunded = waiting.right.refunded + amount.amount;
        return E.right([refundedWhole(waiting.right.total, refunded) ? awaitingShipment.delete(orderId) : awaitingShipment.put(orderId, { ...waiting.right, refunded })]);
      }
      case 'OrderShipped': {
        const { orderId, carrier, trackingNumber } = event.data;
        const order = await shippingOrders.read(view, orderId);
        if (E.isLeft(order)) return order;
        if (order.right === undefined) return missing('placement', orderId, event);
        const load = await carriers.update(view, carrier, noCarrier(carrier), (c) => ({ ...c, inTransit: c.inTransit + 1, shipped: c.shipped + 1 }));
        return allChanges([
          E.right(awaitingShipment.delete(orderId)),
          E.right(shipments.put(orderId, { orderId, customerId: order.right.customerId, carrier, trackingNumber, shippedAt: at, status: 'shipped', updatedAt: at, deliveredAt: null })),
          E.right(statusStep('shipped', `Handed to ${carrier}`, null)),
          load,
        ]);
      }
      case 'OrderTrackingUpdated': {
        const { orderId, status, description, location } = event.data;
        const shipment = await shipments.read(view, orderId);
        if (E.isLeft(shipment)) return shipment;
        if (shipment.right === undefined) return missing('shipment', orderId, event);
        return E.right([shipments.put(orderId, { ...shipment.right, status, updatedAt: at }), statusStep(status, description, location)]);
      }
      case 'OrderDelivered': {
        const { orderId } = event.data;
        const shipment = await shipments.read(view, orderId);
        if (E.isLeft(shipment)) return shipment;
        if (shipment.right === undefined) return missing('shipment', orderId, event);
        const { carrier } = shipment.right;
        const load = await carriers.update(view, carrier, noCarrier(carrier), (c) => ({ ...c, inTransit: c.inTransit - 1, delivered: c.delivered + 1 }));
        return allChanges([
          E.right(shipments.put(orderId, { ...shipment.right, status: 'delivered', updatedAt: at, deliveredAt: at })),
          E.right(statusStep('delivered', 'Delivered', null)),
          load,
        ]);
      }
      case 'OrderCancelled':
        return E.right([awaitingShipment.delete(event.data.orderId)]);
    }
  },
};
