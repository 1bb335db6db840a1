import * as E from 'fp-ts/Either';
import { activeVersionOf, getDocument, Page, PageRequest, queryAll, QueryError, queryPage } from '../query-page';
import type { ProjectionVersion, ReadModelStore } from '../read-model-store';
import { AwaitingShipment, carriers, awaitingShipment as awaiting, Shipment, shipments, shipmentStatuses } from './documents';
import { LOGISTICS } from './projection';

export interface ShipmentStep {
  readonly at: number;
  readonly status: string;
  readonly description: string;
  readonly location: string | null;
}

export type ShipmentDetail = Shipment & { readonly history: readonly ShipmentStep[] };

export interface CarrierInTransit {
  readonly carrier: string;
  readonly inTransit: number;
}

export const AWAITING_SHIPMENT_PAGE_SIZE = 50;

/** Paid orders that have not shipped, the longest-waiting first. */
export const awaitingShipment = async (store: ReadModelStore, request: PageRequest = {}): Promise<E.Either<QueryError, Page<AwaitingShipment>>> => {
  const version = await activeVersionOf(store, LOGISTICS);
  if (E.isLeft(version)) return version;
  return queryPage(store, version.right, awaiting, { index: 'by-paid-at', equals: {}, order: 'ascending' }, request, AWAITING_SHIPMENT_PAGE_SIZE);
};

const withHistory = async (store: ReadModelStore, version: ProjectionVersion, shipment: Shipment): Promise<E.Either<QueryError, ShipmentDetail>> => {
  const steps = await queryAll(store, version, shipmentStatuses, { index: 'by-order', equals: { orderId: shipment.orderId }, order: 'ascending' });
  return E.map((found: readonly ShipmentStep[]) => ({
    ...shipment,
    history: found.map(({ at, status, description, location }) => ({ at, status, description, location })),
  }))(steps);
};

/** An order's shipment: carrier, tracking number, current status and every status it went through. */
export const shipmentOfOrder = async (store: ReadModelStore, orderId: string): Promise<E.Either<QueryError, ShipmentDetail>> => {
  const version = await activeVersionOf(store, LOGISTICS);
  if (E.isLeft(version)) return version;
  const shipment = await getDocument(store, version.right, shipments, orderId);
  if (E.isLeft(shipment)) return shipment;
  if (shipment.right === undefined) return E.left({ code: 'NOT_FOUND', message: `order ${orderId} has not shipped` });
  return withHistory(store, version.right, shipment.right);
};

/** The shipment a carrier's tracking number belongs to (the latest, should a carrier reuse numbers). */
export const shipmentByTrackingNumber = async (store: ReadModelStore, carrier: string, trackingNumber: string): Promise<E.Either<QueryError, ShipmentDetail>> => {
  const version = await activeVersionOf(store, LOGISTICS);
  if (E.isLeft(version)) return version;
  const page = await queryPage(store, version.right, shipments, { index: 'by-tracking-number', equals: { carrier, trackingNumber }, order: 'descending' }, { limit: 1 }, 1);
  if (E.isLeft(page)) return page;
  const [shipment] = page.right.items;
  if (shipment === undefined) return E.left({ code: 'NOT_FOUND', message: `${carrier} has no shipment ${trackingNumber}` });
  return withHistory(store, version.right, shipment);
};

/** How many shipments each carrier has picked up and not yet delivered, by carrier name. */
export const inTransitByCarrier = async (store: ReadModelStore): Promise<E.Either<QueryError, readonly CarrierInTransit[]>> => {
  const version = await activeVersionOf(store, LOGISTICS);
  if (E.isLeft(version)) return version;
  const all = await queryAll(store, version.right, carriers, { index: 'by-name', equals: {}, order: 'ascending' });
  return E.map((loads: readonly { carrier: string; inTransit: number }[]) => loads.map(({ carrier, inTransit }) => ({ carrier, inTransit })))(all);
};
