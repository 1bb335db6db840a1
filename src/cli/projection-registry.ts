import type * as E from 'fp-ts/Either';
import type { EventStore } from '../engine/event-store/event-store';
import type { EventSchemas } from '../engine/schema/event-schemas';
import { analyticsProjection } from '../projections/analytics/projection';
import { logisticsProjection } from '../projections/logistics/projection';
import { orderHistoryProjection } from '../projections/order-history/projection';
import type { ReadModelStore } from '../projections/read-model-store';
import { rebuildableProjection } from './projection-rebuild';

export interface CollectionSummary {
  /** Documents the collection holds after the rebuild. */
  readonly documents: number;
  /** Puts and deletes the rebuild committed to it: a document changed by several events of one batch counts once. */
  readonly writes: number;
}

export interface RebuildSummary {
  readonly version: number;
  /** Events the projection read (those its filter selects). */
  readonly eventsRead: number;
  /** The global position the rebuilt version has reached; undefined for an empty event store. */
  readonly position: number | undefined;
  readonly collections: Readonly<Record<string, CollectionSummary>>;
}

export interface RebuildOptions {
  /**
   * How older schema versions of the events are read: the host's schemas, which `rebuild --schemas` loads.
   * Absent: the engine's own (`currentEventSchemas`).
   */
  readonly eventSchemas?: EventSchemas;
}

/** A read model that can be rebuilt from the events alone. */
export interface RebuildableProjection {
  readonly description: string;
  /**
   * Rebuilds the projection's version into `readModels`, reporting progress as global positions reached of
   * the head, reading the events with `options.eventSchemas` when given.
   */
  readonly rebuild: (
    events: EventStore,
    readModels: ReadModelStore,
    onProgress: (reached: number, head: number | undefined) => void,
    options?: RebuildOptions,
  ) => Promise<E.Either<{ readonly code: string; readonly message: string }, RebuildSummary>>;
}

/** The projections `rebuild` knows, by name. */
export type ProjectionRegistry = ReadonlyMap<string, RebuildableProjection>;

export const noProjections: ProjectionRegistry = new Map();

/** The read models this package defines. */
export const builtInProjections: ProjectionRegistry = new Map([
  [orderHistoryProjection.name, rebuildableProjection(orderHistoryProjection, 'orders by customer, with their timelines')],
  [logisticsProjection.name, rebuildableProjection(logisticsProjection, 'shipments awaiting dispatch, in transit, by tracking number')],
  [analyticsProjection.name, rebuildableProjection(analyticsProjection, 'sales, funnel, products, customers and co-purchases by period')],
]);
