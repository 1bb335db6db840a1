import type * as E from 'fp-ts/Either';
import type { EventStore } from '../engine/event-store/event-store';

export interface RebuildSummary {
  readonly eventsRead: number;
  /** Documents the rebuilt read model holds, when it counts them. */
  readonly documents?: number;
}

/** A read model that can be dropped and rebuilt from the events alone. */
export interface RebuildableProjection {
  readonly description: string;
  readonly rebuild: (
    store: EventStore,
    onProgress: (eventsRead: number, total: number | undefined) => void,
  ) => Promise<E.Either<{ readonly code: string; readonly message: string }, RebuildSummary>>;
}

/** The projections `rebuild` knows, by name. The read models are wired in by whoever builds the CLI. */
export type ProjectionRegistry = ReadonlyMap<string, RebuildableProjection>;

export const noProjections: ProjectionRegistry = new Map();
