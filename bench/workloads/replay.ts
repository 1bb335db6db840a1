import * as E from 'fp-ts/Either';
import { cartDecider, CartState } from '../../src/domain/cart/decider';
import { CartEvent } from '../../src/domain/cart/events';
import { standardPricingPolicy } from '../../src/domain/pricing/pricing-policy';
import { CART_STREAM_PREFIX } from '../../src/engine/aggregates';
import type { EventStore } from '../../src/engine/event-store/event-store';
import { currentEventSchemas } from '../../src/engine/schema/current-event-schemas';
import { decodeStoredEvent } from '../../src/engine/schema/stored-event';
import { BenchFailure } from '../failure';
import type { Measurement, Progress } from '../jobs';
import { collectGarbage } from '../measure/process-memory';
import { startStopwatch } from '../measure/stopwatch';
import { PlainCartLog, runW1Plain, runW1OnEngine, W1_STEPS } from './w1-cart-churn';

/**
 * Reads the whole store back in global order, in `readAll` pages of the store's default size, decodes
 * every event as a stored event (upcasting, then the io-ts codec: what comes out of a store is never
 * trusted) and folds it into its stream's state with the cart decider. The W1 store holds carts only;
 * any other stream is a failure of the run rather than something to skip (checked when a stream is first met).
 */
const replayCarts = async (store: EventStore): Promise<{ events: number; streams: number }> => {
  const decider = cartDecider(standardPricingPolicy());
  const schemas = currentEventSchemas;
  const states = new Map<string, CartState>();
  let after: number | undefined;
  let events = 0;
  for (;;) {
    const page = await store.readAll(after === undefined ? {} : { after });
    for (const envelope of page.events) {
      const decoded = decodeStoredEvent(CartEvent, schemas, envelope);
      if (E.isLeft(decoded)) throw new BenchFailure(decoded.left.message);
      const state = states.get(envelope.streamId);
      if (state === undefined && !envelope.streamId.startsWith(CART_STREAM_PREFIX)) {
        throw new BenchFailure(`replay met ${envelope.streamId}, which is not a cart`);
      }
      states.set(envelope.streamId, decider.evolve(state ?? decider.initialState, decoded.right));
    }
    events += page.events.length;
    if (page.isEnd) return { events, streams: states.size };
    after = page.lastPosition;
  }
};

/** Replay of the store W1 leaves behind at `carts` carts, written through the engine first (untimed). */
export const runReplayOnEngine = async (store: EventStore, carts: number, writers: number, progress: Progress): Promise<Measurement> => {
  await runW1OnEngine(store, carts, writers, (done, total) => progress(done, total * 2));
  return replayStore(store, carts, progress);
};

/** The timed part of replay, on a store that holds the W1 store at `carts` carts. */
export const replayStore = async (store: EventStore, carts: number, progress: Progress): Promise<Measurement> => {
  collectGarbage();
  const stopwatch = startStopwatch();
  const replayed = await replayCarts(store);
  const elapsed = stopwatch.stop();
  progress(1, 1);
  const expected = carts * (W1_STEPS.length + 1);
  if (replayed.events !== expected || replayed.streams !== carts) {
    throw new BenchFailure(`replay read ${replayed.events} events of ${replayed.streams} carts; W1 wrote ${expected} events to ${carts} carts`);
  }
  return { operations: replayed.events, ...elapsed, latency: null, conflictRetries: null, details: { streams: replayed.streams } };
};

/** The plain limit for replay: the plain W1 run's events, already objects in one array, folded per cart. */
export const runReplayPlain = (carts: number, progress: Progress): Measurement => {
  const log: PlainCartLog = [];
  runW1Plain(carts, (done, total) => progress(done, total * 2), log);
  const decider = cartDecider(standardPricingPolicy());
  collectGarbage();
  const stopwatch = startStopwatch();
  const states = new Map<string, CartState>();
  for (const { id, event } of log) states.set(id, decider.evolve(states.get(id) ?? decider.initialState, event));
  const elapsed = stopwatch.stop();
  progress(1, 1);
  return { operations: log.length, ...elapsed, latency: null, conflictRetries: null, details: { streams: states.size } };
};
