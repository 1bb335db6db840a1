import { EventStoreDBClient, jsonEvent, NO_STREAM, START, type JSONType, type Position, type RecordedEvent } from '@eventstore/db-client';
import * as E from 'fp-ts/Either';
import type { CartCommand } from '../../src/domain/cart/commands';
import { cartDecider, CartState } from '../../src/domain/cart/decider';
import type { CartEvent } from '../../src/domain/cart/events';
import { standardPricingPolicy } from '../../src/domain/pricing/pricing-policy';
import { cartStreamId } from '../../src/engine/aggregates';
import { BenchFailure } from '../failure';
import type { Measurement, Progress } from '../jobs';
import { LatencyRecorder } from '../measure/latency';
import { collectGarbage } from '../measure/process-memory';
import { startStopwatch } from '../measure/stopwatch';
import { PlainStreams } from '../plain/plain-streams';
import { forEachConcurrently } from '../workloads/writers';
import { w1OpenCommand, w1StepCommand, W1_STEPS, w1CartId } from '../workloads/w1-cart-churn';
import { JourneyWrite, runW2Writes } from '../workloads/w2-order-lifecycle';
import { connectToFreshProtocolServer } from './eventstoredb-bench-store';

const REPORT_EVERY = 4096;
/** The adapter's default `readAll` page, so that both replays make as many round trips. */
const REPLAY_PAGE = 4_096;

type CartStreams = PlainStreams<CartCommand, CartEvent, CartState>;

/**
 * One command with nothing of the library around the client: decided on a plain `Map` (as the plain
 * limit does), then its event appended as a bare JSON event, expecting the revision the stream was at:
 * no envelope, no metadata, no hash, no idempotency record, no decoding.
 */
const decideAndAppend = async (client: EventStoreDBClient, streams: CartStreams, cart: number, command: CartCommand): Promise<void> => {
  const cartId = w1CartId(cart);
  const expected = streams.versionOf(cartId);
  const decided = streams.execute(cartId, command, Date.now());
  if (E.isLeft(decided)) throw new BenchFailure(`raw-client ${command.type} on ${cartId} was refused: ${decided.left.code}: ${decided.left.message}`);
  const events = decided.right.map((event) => jsonEvent({ type: event.type, data: event.data as JSONType }));
  const written = await client.appendToStream(cartStreamId(cartId), events, { expectedRevision: expected < 0 ? NO_STREAM : BigInt(expected) });
  if (written.nextExpectedRevision !== BigInt(streams.versionOf(cartId))) {
    throw new BenchFailure(`EventStoreDB put ${cartId} at revision ${written.nextExpectedRevision}, the plain streams at ${streams.versionOf(cartId)}`);
  }
};

/** W1's commands, the opens untimed and then the ten steps step-major under the clock, as the engine runs them. */
const writeW1 = async (client: EventStoreDBClient, carts: number, writers: number, progress: Progress, latency?: LatencyRecorder): Promise<Measurement> => {
  const streams: CartStreams = new PlainStreams(cartDecider(standardPricingPolicy()));
  const total = carts * (W1_STEPS.length + 1);
  await forEachConcurrently(carts, writers, (cart) => decideAndAppend(client, streams, cart, w1OpenCommand(cart)));
  progress(carts, total);
  collectGarbage();
  let done = carts;
  const stopwatch = startStopwatch();
  for (const step of W1_STEPS) {
    await forEachConcurrently(carts, writers, async (cart) => {
      const sent = performance.now();
      await decideAndAppend(client, streams, cart, w1StepCommand(cart, step));
      latency?.record(performance.now() - sent);
      done += 1;
      if (done % REPORT_EVERY === 0) progress(done, total);
    });
  }
  const elapsed = stopwatch.stop();
  progress(total, total);
  return { operations: carts * W1_STEPS.length, ...elapsed, latency: latency?.recorded() ?? null, conflictRetries: null, details: { events: total } };
};

/**
 * The client-side baseline of W1 on EventStoreDB: the same commands, concurrency and events, sent with
 * `appendToStream` of the bare `@eventstore/db-client` to a fresh protocol test server. Its latency is
 * timed inside the timed part, as the engine's is, so both carry the timer's cost.
 */
export const runW1RawClient = async (carts: number, writers: number, progress: Progress): Promise<Measurement> => {
  const connection = await connectToFreshProtocolServer();
  try {
    return await writeW1(connection.client, carts, writers, progress, new LatencyRecorder(carts * W1_STEPS.length));
  } finally {
    await connection.stop();
  }
};

/**
 * The client-side baseline of W2 on EventStoreDB (see `runW2Writes`): each write of the plain journey
 * appended to its streams with the bare client's `appendToStream`, expecting the revision each stream is
 * at. Appends to one stream go in turn, in the order they come, as the engine's do: two writers sending
 * to a hot order at once would otherwise each expect the same revision.
 */
export const runW2RawClient = async (orders: number, writers: number, hot: boolean, progress: Progress): Promise<Measurement> => {
  const connection = await connectToFreshProtocolServer();
  const { client } = connection;
  try {
    const revisions = new Map<string, number>();
    const tails = new Map<string, Promise<void>>();
    const appendInTurn = (streamId: string, events: ReturnType<typeof jsonEvent>[]): Promise<void> => {
      const appended = (tails.get(streamId) ?? Promise.resolve()).then(async () => {
        const expected = revisions.get(streamId) ?? -1;
        const written = await client.appendToStream(streamId, events, { expectedRevision: expected < 0 ? NO_STREAM : BigInt(expected) });
        revisions.set(streamId, expected + events.length);
        if (written.nextExpectedRevision !== BigInt(expected + events.length)) {
          throw new BenchFailure(`EventStoreDB put ${streamId} at revision ${written.nextExpectedRevision}, the journey at ${expected + events.length}`);
        }
      });
      tails.set(streamId, appended);
      return appended;
    };
    const byStream = (write: JourneyWrite): Map<string, ReturnType<typeof jsonEvent>[]> => {
      const streams = new Map<string, ReturnType<typeof jsonEvent>[]>();
      for (const { streamId, type, data } of write) {
        const event = jsonEvent({ type, data: data as JSONType });
        const events = streams.get(streamId);
        if (events === undefined) streams.set(streamId, [event]);
        else events.push(event);
      }
      return streams;
    };
    const append = async (streams: Map<string, ReturnType<typeof jsonEvent>[]>): Promise<void> => {
      for (const [streamId, events] of streams) await appendInTurn(streamId, events);
    };
    return await runW2Writes(orders, writers, hot, byStream, append, progress);
  } finally {
    await connection.stop();
  }
};

const isSystemEventType = (type: string): boolean => type.startsWith('$');

/** Reads `$all` from the start in pages of `REPLAY_PAGE`, as the adapter pages it, and hands over every event that is not the server's own. */
const readAllEvents = async (client: EventStoreDBClient, onEvent: (event: RecordedEvent) => void): Promise<void> => {
  let from: Position | typeof START = START;
  // EventStoreDB reads forwards from a position inclusively: every page after the first asks for one more and drops the one it starts at.
  let overlap = 0;
  for (;;) {
    let received = 0;
    let last: Position | undefined;
    for await (const resolved of client.readAll({ fromPosition: from, maxCount: REPLAY_PAGE + overlap })) {
      received += 1;
      const recorded = resolved.event;
      if (recorded?.position === undefined) throw new BenchFailure('EventStoreDB returned an event without its position');
      last = recorded.position;
      if (received > overlap && !isSystemEventType(recorded.type)) onEvent(recorded);
    }
    if (last === undefined || received < REPLAY_PAGE + overlap) return;
    from = last;
    overlap = 1;
  }
};

/**
 * The client-side baseline of replay: the raw W1 store (written untimed), read back in `$all` pages of
 * the adapter's page size with the bare client, which parses each event's JSON, and folded per cart with
 * the cart decider: no envelope, no upcasting, no validation. The events are counted by one untimed read
 * first, as the engine's run counts its store after writing it, so both timed reads find the client warm.
 */
export const runReplayRawClient = async (carts: number, writers: number, progress: Progress): Promise<Measurement> => {
  const connection = await connectToFreshProtocolServer();
  const { client } = connection;
  try {
    await writeW1(client, carts, writers, (done, total) => progress(done, total * 2));
    const expected = carts * (W1_STEPS.length + 1);
    let stored = 0;
    await readAllEvents(client, () => {
      stored += 1;
    });
    if (stored !== expected) throw new BenchFailure(`the raw store holds ${stored} events, W1 wrote ${expected}`);
    collectGarbage();
    const decider = cartDecider(standardPricingPolicy());
    const states = new Map<string, CartState>();
    let events = 0;
    const stopwatch = startStopwatch();
    await readAllEvents(client, (recorded) => {
      // The raw store holds only what the decider decided, as the client parsed it back from JSON.
      const event = { type: recorded.type, data: recorded.data } as CartEvent;
      states.set(recorded.streamId, decider.evolve(states.get(recorded.streamId) ?? decider.initialState, event));
      events += 1;
    });
    const elapsed = stopwatch.stop();
    progress(1, 1);
    if (events !== expected || states.size !== carts) throw new BenchFailure(`raw replay read ${events} events of ${states.size} carts; W1 wrote ${expected} to ${carts}`);
    return { operations: events, ...elapsed, latency: null, conflictRetries: null, details: { streams: states.size } };
  } finally {
    await connection.stop();
  }
};
