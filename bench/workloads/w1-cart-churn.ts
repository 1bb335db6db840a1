import * as E from 'fp-ts/Either';
import type { CartCommand } from '../../src/domain/cart/commands';
import { cartDecider, CartState } from '../../src/domain/cart/decider';
import type { CartEvent } from '../../src/domain/cart/events';
import { standardPricingPolicy } from '../../src/domain/pricing/pricing-policy';
import type { EventStore } from '../../src/engine/event-store/event-store';
import { createEngine, OrderEngine } from '../../src/engine/order-engine';
import { BenchFailure } from '../failure';
import type { Measurement, Progress } from '../jobs';
import { LatencyRecorder } from '../measure/latency';
import { collectGarbage } from '../measure/process-memory';
import { type Elapsed, startStopwatch } from '../measure/stopwatch';
import { PlainStreams } from '../plain/plain-streams';
import { addItem, checkOut, openCart, removeItem } from './shop-commands';
import { countStoredEvents } from './stored-event-count';
import { forEachConcurrently } from './writers';

export type Step = { readonly kind: 'add' | 'remove'; readonly item: number } | { readonly kind: 'check-out' };

const add = (item: number): Step => ({ kind: 'add', item });
const remove = (item: number): Step => ({ kind: 'remove', item });

/** The ten commands per cart of bench-workload.md, in its order. */
export const W1_STEPS: readonly Step[] = [add(0), add(1), add(2), remove(0), add(3), add(4), remove(1), add(5), remove(2), { kind: 'check-out' }];

export const w1CartId = (cart: number): string => `cart-${cart}`;

export const w1OpenCommand = (cart: number): CartCommand => openCart(w1CartId(cart), `customer-${cart}`);

export const w1StepCommand = (cart: number, step: Step): CartCommand => {
  const cartId = w1CartId(cart);
  if (step.kind === 'add') return addItem(cartId, step.item);
  if (step.kind === 'remove') return removeItem(cartId, step.item);
  return checkOut(cartId, `order-${cart}`);
};

const REPORT_EVERY = 4096;

const send = async (engine: OrderEngine, commandId: string, command: CartCommand): Promise<void> => {
  const outcome = await engine.execute({ commandId, actor: 'bench-shopper', command });
  if (E.isLeft(outcome)) throw new BenchFailure(`${command.type} ${commandId} was not accepted: ${outcome.left.code}: ${outcome.left.message}`);
};

/**
 * W1 through `engine.execute`, the public command path, with the process manager off: W1 measures cart
 * churn alone (a checkout would otherwise set off order placement, which W2 measures). The cart domain
 * needs a cart opened before items go in, which the workload's ten steps leave out, so every cart is
 * opened first, outside the timed part; the clock then runs over exactly the ten steps, step-major.
 */
export const runW1OnEngine = async (
  store: EventStore,
  carts: number,
  writers: number,
  progress: Progress,
  stateCacheSize?: number,
): Promise<Measurement> => {
  let conflictRetries = 0;
  const engine = createEngine({
    eventStore: store,
    runProcessManager: false,
    ...(stateCacheSize === undefined ? {} : { stateCacheSize }),
    onConflictRetry: () => {
      conflictRetries += 1;
    },
  });
  const total = carts * (W1_STEPS.length + 1);
  await forEachConcurrently(carts, writers, (cart) => send(engine, `w1-${cart}-open`, w1OpenCommand(cart)));
  progress(carts, total);
  collectGarbage();

  const latency = new LatencyRecorder(carts * W1_STEPS.length);
  let done = carts;
  const stopwatch = startStopwatch();
  for (let stepIndex = 0; stepIndex < W1_STEPS.length; stepIndex += 1) {
    const step = W1_STEPS[stepIndex] as Step;
    await forEachConcurrently(carts, writers, async (cart) => {
      const commandId = `w1-${cart}-${stepIndex}`;
      const command = w1StepCommand(cart, step);
      const sent = performance.now();
      const outcome = await engine.execute({ commandId, actor: 'bench-shopper', command });
      latency.record(performance.now() - sent);
      if (E.isLeft(outcome)) throw new BenchFailure(`${command.type} ${commandId} was not accepted: ${outcome.left.code}: ${outcome.left.message}`);
      done += 1;
      if (done % REPORT_EVERY === 0) progress(done, total);
    });
  }
  const elapsed = stopwatch.stop();
  progress(total, total);

  const stored = await countStoredEvents(store);
  if (stored !== total) throw new BenchFailure(`the store holds ${stored} events, W1 wrote ${total}`);
  return { operations: carts * W1_STEPS.length, ...elapsed, latency: latency.recorded(), conflictRetries, details: { events: total } };
};

/** Every event of a plain W1 run, in the order appended: what the plain replay folds. */
export type PlainCartLog = { readonly id: string; readonly event: CartEvent }[];

/**
 * The plain limit for W1: the same commands, built the same way, decided by the same cart decider on a
 * `Map`, synchronously. The clock runs over the ten steps only, as for the engine; a second pass on a
 * fresh map times each command for the latency figures, so that the timer's own cost stays out of the
 * throughput.
 */
export const runW1Plain = (carts: number, progress: Progress, log?: PlainCartLog): Measurement => {
  const decider = cartDecider(standardPricingPolicy());
  const total = carts * W1_STEPS.length;
  const pass = (timeEach: LatencyRecorder | undefined, into?: PlainCartLog): { elapsed: Elapsed; streams: PlainStreams<CartCommand, CartEvent, CartState> } => {
    const streams = new PlainStreams(decider, into);
    for (let cart = 0; cart < carts; cart += 1) {
      const opened = streams.execute(w1CartId(cart), w1OpenCommand(cart), Date.now());
      if (E.isLeft(opened)) throw new BenchFailure(`plain OpenCart of cart ${cart} was refused: ${opened.left.code}`);
    }
    collectGarbage();
    const stopwatch = startStopwatch();
    for (const step of W1_STEPS) {
      for (let cart = 0; cart < carts; cart += 1) {
        const sent = timeEach === undefined ? 0 : performance.now();
        const decided = streams.execute(w1CartId(cart), w1StepCommand(cart, step), Date.now());
        if (timeEach !== undefined) timeEach.record(performance.now() - sent);
        if (E.isLeft(decided)) throw new BenchFailure(`plain ${step.kind} on cart ${cart} was refused: ${decided.left.code}: ${decided.left.message}`);
      }
    }
    return { elapsed: stopwatch.stop(), streams };
  };
  const untimed = pass(undefined, log);
  progress(total, total * 2);
  const latency = new LatencyRecorder(total);
  pass(latency);
  progress(total * 2, total * 2);
  return { operations: total, ...untimed.elapsed, latency: latency.recorded(), conflictRetries: null, details: { streams: untimed.streams.size } };
};
