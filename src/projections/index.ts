/**
 * Projections: read models kept up to date from the event store, rebuilt beside the live version when
 * their definition changes, and queried through whichever version is active.
 */
export type {
  Batch,
  CollectionDefinition,
  DocumentKey,
  DocumentWrite,
  IndexDefinition,
  IndexQuery,
  JsonDocument,
  JsonValue,
  ProjectionVersion,
  QueryPage,
  ReadModelError,
  ReadModelStore,
  SortCursor,
  SortOrder,
  SortType,
  SortValue,
  StoredDocument,
} from './read-model-store';
export { MAX_QUERY_LIMIT } from './read-model-store';
export {
  batchProblem,
  compareCodePoints,
  compareSortKeys,
  compareSortValues,
  copyJsonDocument,
  definitionProblem,
  idProblem,
  indexForQuery,
  indexKeyOf,
  sameCollectionDefinition,
  versionProblem,
} from './read-model-rules';
export { MemoryReadModelStore } from '../adapters/read-model/memory/memory-read-model-store';

export type { DocumentChange, ProjectionDefinition, ProjectionHandlerError, ProjectionView } from './projection';
export { allChanges, documentCollection } from './document-collection';
export type { CorruptDocument, DocumentCollection } from './document-collection';
export { ProjectionRunner } from './projection-runner';
export type { ProjectionEventFailure, ProjectionFailure, ProjectionHalt, ProjectionLag, ProjectionRunnerOptions, ProjectionStatus } from './projection-runner';
export { ParkedEvent } from './parked-events';
export { buildAndActivate, retireVersion } from './rebuild';
export type { ActivationFailure } from './rebuild';
export { activeVersionOf, decodeCursor, encodeCursor, MAX_PAGE_SIZE } from './query-page';
export type { Page, PageRequest, QueryError } from './query-page';

export { ORDER_HISTORY, orderHistoryProjection } from './order-history/projection';
export type { OrderHistoryEvent } from './order-history/projection';
export { customerOrders, orderDetail, CUSTOMER_ORDERS_PAGE_SIZE } from './order-history/queries';
export type { OrderDetail, OrderSummary, TimelineItem } from './order-history/queries';
export type { OrderHistoryOrder, OrderHistoryStatus, TimelineEntry as OrderTimelineEntry } from './order-history/documents';

export { LOGISTICS, logisticsProjection } from './logistics/projection';
export type { LogisticsEvent } from './logistics/projection';
export { awaitingShipment, inTransitByCarrier, shipmentByTrackingNumber, shipmentOfOrder, AWAITING_SHIPMENT_PAGE_SIZE } from './logistics/queries';
export type { CarrierInTransit, ShipmentDetail, ShipmentStep } from './logistics/queries';
export type { AwaitingShipment, Shipment } from './logistics/documents';

export { ANALYTICS, analyticsProjection, MAX_PAIRED_PRODUCTS } from './analytics/projection';
export type { AnalyticsEvent } from './analytics/projection';
export { boughtTogether, customerProfile, funnelByPeriod, salesByPeriod, topProducts } from './analytics/queries';
export type { BoughtTogether, CustomerProfile, FunnelReport, PeriodRequest, ProductReport, Rate, SalesReport } from './analytics/queries';
export type { Granularity } from './analytics/time-buckets';
export type { PriceRange } from './analytics/price-histogram';
