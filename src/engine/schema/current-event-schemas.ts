import type { StoredEvent } from './stored-event';
import { EventSchemaDefinition, eventSchemas, EventSchemas, Upcaster } from './event-schemas';

/** The category given to cart lines that were added before products had categories. */
export const UNCATEGORISED = 'uncategorised';

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `CartItemAdded` v1 carried no `category`; v2 does, since analytics groups sales by it. A v1 line keeps
 * a category it already has (an engine that wrote v1 labels after the field arrived) and otherwise gets
 * `uncategorised`. Anything that is not an object is passed on for the decoder to reject.
 */
const cartItemAddedV1ToV2: Upcaster = (data) => (isRecord(data) && data['category'] === undefined ? { ...data, category: UNCATEGORISED } : data);

const v1: EventSchemaDefinition = { version: 1, upcasters: {} };

/**
 * The current schema version of every event type the engine stores, with the upcasters that bring each
 * older version up to it. Keyed by the `StoredEvent` union, so a new event type does not compile until it
 * is listed here. Raising a version means: add the upcaster from the previous one, then run
 * `npm run fixtures:golden` to add a sample of the new version to the golden fixtures.
 */
export const eventSchemaDefinitions: Readonly<Record<StoredEvent['type'], EventSchemaDefinition>> = {
  CartOpened: v1,
  CartItemAdded: { version: 2, upcasters: { 1: cartItemAddedV1ToV2 } },
  CartItemQuantityChanged: v1,
  CartItemRemoved: v1,
  CartItemsSelected: v1,
  CartItemsDeselected: v1,
  CouponApplied: v1,
  CouponRemoved: v1,
  CartCheckedOut: v1,
  OrderPlaced: v1,
  OrderPaid: v1,
  OrderShipped: v1,
  OrderTrackingUpdated: v1,
  OrderDelivered: v1,
  OrderCompleted: v1,
  OrderReviewed: v1,
  OrderCancelled: v1,
  OrderExpired: v1,
  AfterSalesRequested: v1,
  AfterSalesApproved: v1,
  AfterSalesRejected: v1,
  ReturnedGoodsReceived: v1,
  OrderRefunded: v1,
  OrderNoteAdded: v1,
  PaymentInitiated: v1,
  PaymentCaptured: v1,
  PaymentCallbackRejected: v1,
  PaymentFailed: v1,
  PaymentRefunded: v1,
  ProviderTransactionClaimed: v1,
  DeadlineScheduled: v1,
  DeadlineCancelled: v1,
  DeadlineFired: v1,
};

/** The engine's event schemas as of this release: what `createEngine` should write and read with. */
export const currentEventSchemas: EventSchemas = eventSchemas(eventSchemaDefinitions);
