import * as E from 'fp-ts/Either';
import { CartEvent } from '../../src/domain/cart/events';
import { cartStreamId, publicCommandCodecs } from '../../src/engine/aggregates';
import { hashEvent } from '../../src/engine/audit/hash-chain';
import { CommandMemo } from '../../src/engine/command-memo';
import { CommandRequest } from '../../src/engine/command-request';
import type { EventStore } from '../../src/engine/event-store/event-store';
import { timeOrderedIds } from '../../src/engine/ids';
import { currentEventSchemas } from '../../src/engine/schema/current-event-schemas';
import { decodeWithGuard } from '../../src/engine/schema/guarded-decode';
import { decodeStoredEvent } from '../../src/engine/schema/stored-event';
import { BenchFailure } from '../failure';
import type { Measurement, Progress } from '../jobs';
import { collectGarbage } from '../measure/process-memory';
import { runW1OnEngine, W1_STEPS, w1StepCommand } from './w1-cart-churn';

/** The guarantees measured, in the order the report lists them, with what each costs per W1 command. */
export const GUARANTEES = [
  { key: 'validation', label: 'command validation (request and command codecs)' },
  { key: 'idempotency', label: 'idempotency record (command memo and the stream’s command ids)' },
  { key: 'eventIds', label: 'event id (time-ordered UUID)' },
  { key: 'hashChain', label: 'hash chain (canonical JSON and SHA-256 of the envelope)' },
  { key: 'storedEventDecoding', label: 'stored-event decoding (what a cold stream or a replay pays per event)' },
] as const;

export type GuaranteeKey = (typeof GUARANTEES)[number]['key'];

const PASSES = 3;
/** The engine's default number of remembered command ids. */
const MEMO_SIZE = 100_000;

/**
 * CPU nanoseconds per item of the work over `items`, the best of a few passes: the cost alone, without the
 * noise. Each pass gets its work from `startPass`, so that work with state starts from scratch each time.
 */
const nanosecondsEach = <T>(items: readonly T[], startPass: () => (item: T) => unknown): number => {
  let best = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < PASSES; pass += 1) {
    const work = startPass();
    collectGarbage();
    const started = process.cpuUsage();
    for (const item of items) work(item);
    const used = process.cpuUsage(started);
    best = Math.min(best, ((used.user + used.system) * 1000) / items.length);
  }
  return best;
};

const mustDecode = <A>(decoded: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(decoded)) throw new BenchFailure(`${what} did not decode`);
  return decoded.right;
};

/**
 * What each guarantee of the command path costs, measured alone on the commands and events of a W1 run at
 * `carts` carts (written through the engine first, untimed): the per-command share of W1's time that each
 * one takes, so that a missed throughput target can say which guarantee it pays for. Nothing is switched
 * off in the engine: each guarantee's own code runs by itself, on the same data the engine saw.
 */
export const runGuaranteeCosts = async (store: EventStore, carts: number, progress: Progress): Promise<Measurement> => {
  await runW1OnEngine(store, carts, 1, (done, total) => progress(done, total * 2));
  const requests = W1_STEPS.flatMap((step, stepIndex) =>
    Array.from({ length: carts }, (_, cart) => ({ commandId: `w1-${cart}-${stepIndex}`, actor: 'bench-shopper', command: w1StepCommand(cart, step) })),
  );
  const envelopes = (await store.readAll({ maxCount: Number.MAX_SAFE_INTEGER })).events;

  const validation = nanosecondsEach(requests, () => (raw) => {
    const request = mustDecode(decodeWithGuard(CommandRequest, raw), 'a W1 request');
    const codec = publicCommandCodecs.get(request.command.type);
    if (codec === undefined) throw new BenchFailure(`no codec for ${request.command.type}`);
    return mustDecode(decodeWithGuard(codec, request.command), 'a W1 command');
  });

  // The record as the engine keeps it: the memo of recent ids, and each stream's set of the ids that wrote it.
  const idempotency = nanosecondsEach(requests, () => {
    const memo = new CommandMemo<never>(MEMO_SIZE);
    const streamCommandIds = new Map<string, Set<string>>();
    return ({ commandId, command }) => {
      const streamId = cartStreamId(command.data.cartId);
      let seen = streamCommandIds.get(streamId);
      if (seen === undefined) {
        seen = new Set();
        streamCommandIds.set(streamId, seen);
      }
      if (memo.get(commandId) !== undefined || seen.has(commandId)) throw new BenchFailure(`${commandId} came twice`);
      memo.rememberCommand(commandId, command);
      seen.add(commandId);
    };
  });

  const eventIds = nanosecondsEach(envelopes, () => {
    const newId = timeOrderedIds();
    return () => newId();
  });
  const hashChain = nanosecondsEach(envelopes, () => (envelope) => {
    if (hashEvent(envelope) !== envelope.hash) throw new BenchFailure(`event ${envelope.eventId} does not hash to its stored hash`);
  });
  const storedEventDecoding = nanosecondsEach(envelopes, () => (envelope) => mustDecode(decodeStoredEvent(CartEvent, currentEventSchemas, envelope), `event ${envelope.eventId}`));
  progress(1, 1);

  if (envelopes.length !== carts * (W1_STEPS.length + 1)) throw new BenchFailure(`the W1 store holds ${envelopes.length} events, W1 wrote ${carts * (W1_STEPS.length + 1)}`);
  // Every W1 command appends one event, so a cost per event is also a cost per command.
  const costs: Record<GuaranteeKey, number> = { validation, idempotency, eventIds, hashChain, storedEventDecoding };
  const cpuSeconds = Object.values(costs).reduce((sum, ns) => sum + ns, 0) * 1e-9 * requests.length;
  // Sums of best passes, not a span of time: nothing the rest of the machine did belongs to them.
  return { operations: requests.length, seconds: cpuSeconds, cpuSeconds, machineCpuSeconds: null, latency: null, conflictRetries: null, details: costs };
};
