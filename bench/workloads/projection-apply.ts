import type { EventStore } from '../../src/engine/event-store/event-store';
import type { Elapsed } from '../measure/stopwatch';

/**
 * THE SLOT FOR PROJECTIONS (they arrive from another branch). A runner here is handed a store that W1 has
 * filled and applies every event to its read model, returning how many events it applied and how long that
 * took (startStopwatch); the bench then reports projection apply events/s beside replay. Until a runner is registered the
 * report prints the row as pending, never a number.
 */
export interface ProjectionApplyRunner {
  readonly name: string;
  readonly applyAll: (store: EventStore) => Promise<Elapsed & { readonly events: number }>;
}

export const projectionApplyRunners: readonly ProjectionApplyRunner[] = [];
