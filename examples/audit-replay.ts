/**
 * `npm run example:audit [events.ndjson [orderId]]`: what an auditor does with a store. Loads events (Alice's
 * journey run into an in-memory store, or an NDJSON export), prints one order's timeline and its state at an
 * earlier moment, verifies every stream's hash chain, then rebuilds the order-history read model from the
 * first event beside the live one and checks, document by document, that both say the same. Exits with 1
 * when a chain is broken or a document differs.
 */
import * as E from 'fp-ts/Either';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  buildAndActivate,
  createEngine,
  diffJson,
  formatMoney,
  importNdjson,
  manualClock,
  MemoryEventStore,
  MemoryReadModelStore,
  orderHistoryProjection,
  orderStreamId,
  sequentialIds,
  stateAt,
  timeline,
  verifyStore,
} from '../src';
import type { EventStore, JsonDifference, ProjectionVersion, ReadModelStore, StoredDocument } from '../src';
import { ALICE_ORDER_ID, runAliceJourney } from './alice-journey';

type Print = (line: string) => void;

const ORDER_PREFIX = orderStreamId('');

const utc = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');

const loadJourney = async (store: EventStore): Promise<E.Either<string, string>> => {
  const clock = manualClock(Date.parse('2026-11-25T09:00:00Z'));
  const engine = createEngine({ eventStore: store, clock: clock.now, newId: sequentialIds() });
  try {
    await runAliceJourney(engine, clock);
  } catch (cause) {
    return E.left(cause instanceof Error ? cause.message : String(cause));
  } finally {
    await engine.close();
  }
  return E.right(ALICE_ORDER_ID);
};

const loadExport = async (store: MemoryEventStore, file: string): Promise<E.Either<string, number>> => {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const imported = await importNdjson(lines, store);
  return E.isLeft(imported) ? E.left(`cannot load ${file}: ${imported.left.message}`) : E.right(imported.right.events);
};

/** Every order id that has a stream, in the order the orders were placed. */
const orderIdsIn = async (store: EventStore): Promise<readonly string[]> => {
  const ids = new Set<string>();
  let after: number | undefined;
  for (;;) {
    const page = await store.readAll({ maxCount: 4096, ...(after === undefined ? {} : { after }) });
    for (const event of page.events) if (event.streamId.startsWith(ORDER_PREFIX)) ids.add(event.streamId.slice(ORDER_PREFIX.length));
    if (page.isEnd || page.lastPosition === undefined || page.events.length === 0) return [...ids];
    after = page.lastPosition;
  }
};

/** What an order's replayed state says about money and progress; the state is `unknown` to the audit API. */
const describeOrderState = (state: unknown): string => {
  if (typeof state !== 'object' || state === null) return 'no state';
  const { status, currency, total, amountPaid, amountRefunded } = state as Record<string, unknown>;
  if (typeof currency !== 'string' || typeof total !== 'number' || typeof amountPaid !== 'number' || typeof amountRefunded !== 'number') return `status ${String(status)}`;
  const amount = (minor: number): string => formatMoney({ amount: minor, currency });
  return `status ${String(status)}, total ${amount(total)}, paid ${amount(amountPaid)}, refunded ${amount(amountRefunded)}`;
};

const printTimeline = async (store: EventStore, orderId: string, print: Print): Promise<E.Either<string, number | undefined>> => {
  const streamId = orderStreamId(orderId);
  const entries = await timeline(store, streamId);
  if (E.isLeft(entries)) return E.left(entries.left.message);
  print(`Timeline of ${streamId}`);
  for (const entry of entries.right) {
    print(`${String(entry.revision).padStart(3)}  ${utc(entry.occurredAt)}  ${entry.type.padEnd(22)}  ${entry.actor.padEnd(15)}  ${entry.summary}`);
  }
  // The moment it shipped is the earlier moment shown; an order that never shipped is shown after its first event.
  return E.right((entries.right.find((entry) => entry.type === 'OrderShipped') ?? entries.right[0])?.revision);
};

const printStates = async (store: EventStore, orderId: string, earlier: number, print: Print): Promise<E.Either<string, void>> => {
  const streamId = orderStreamId(orderId);
  const then = await stateAt(store, streamId, { kind: 'revision', revision: earlier });
  const now = await stateAt(store, streamId);
  if (E.isLeft(then)) return E.left(then.left.message);
  if (E.isLeft(now)) return E.left(now.left.message);
  print('');
  print(`State at revision ${then.right.revision} (recorded ${then.right.recordedAt === null ? '—' : utc(then.right.recordedAt)}): ${describeOrderState(then.right.state)}`);
  print(`State now, at revision ${now.right.revision}: ${describeOrderState(now.right.state)}`);
  return E.right(undefined);
};

const printVerification = async (store: EventStore, print: Print): Promise<E.Either<string, boolean>> => {
  const report = await verifyStore(store);
  if (E.isLeft(report)) return E.left(report.left.message);
  print('');
  print(`Hash chains: ${report.right.ok ? 'intact' : 'BROKEN'} (${report.right.eventCount} events in ${report.right.streams.length} streams)`);
  for (const verdict of report.right.streams) if (verdict.status === 'tampered') print(`  ${verdict.streamId}: ${verdict.finding.message}`);
  return E.right(report.right.ok);
};

interface DocumentDifference {
  readonly collection: string;
  readonly id: string;
  readonly differences: readonly JsonDifference[];
}

const documentsOf = async (readModels: ReadModelStore, version: ProjectionVersion, orderId: string): Promise<E.Either<string, readonly StoredDocument[]>> => {
  const order = await readModels.get(version, 'orders', orderId);
  if (E.isLeft(order)) return E.left(order.left.message);
  const entries = await readModels.find(version, { collection: 'timeline', index: 'by-order', equals: { orderId }, order: 'ascending', limit: 1000 });
  if (E.isLeft(entries)) return E.left(entries.left.message);
  return E.right([...(order.right === undefined ? [] : [order.right]), ...entries.right.documents]);
};

/**
 * Compares the two versions' documents of every order: the order itself and each of its timeline entries
 * (the projection's two collections), body and the position of the event that last wrote it.
 */
const compareVersions = async (
  store: EventStore,
  readModels: ReadModelStore,
  live: ProjectionVersion,
  rebuilt: ProjectionVersion,
): Promise<E.Either<string, { readonly compared: number; readonly differing: readonly DocumentDifference[] }>> => {
  let compared = 0;
  const differing: DocumentDifference[] = [];
  for (const orderId of await orderIdsIn(store)) {
    const before = await documentsOf(readModels, live, orderId);
    const after = await documentsOf(readModels, rebuilt, orderId);
    if (E.isLeft(before)) return before;
    if (E.isLeft(after)) return after;
    const count = Math.max(before.right.length, after.right.length);
    for (let index = 0; index < count; index += 1) {
      const liveDocument = before.right[index];
      const rebuiltDocument = after.right[index];
      const differences = diffJson(liveDocument ?? null, rebuiltDocument ?? null);
      compared += 1;
      if (differences.length > 0) differing.push({ collection: index === 0 ? 'orders' : 'timeline', id: (liveDocument ?? rebuiltDocument)?.id ?? orderId, differences });
    }
  }
  return E.right({ compared, differing });
};

export const main = async (args: readonly string[], print: Print = (line) => console.log(line)): Promise<E.Either<string, boolean>> => {
  const [file, chosenOrder] = args;
  const store = new MemoryEventStore();
  const readModels = new MemoryReadModelStore();
  // The live read model follows the store from before the first event, as a running host's would.
  const live = await buildAndActivate({ eventStore: store, readModels, projection: orderHistoryProjection });
  if (E.isLeft(live)) return E.left(live.left.message);
  try {
    if (file === undefined) {
      const journey = await loadJourney(store);
      if (E.isLeft(journey)) return journey;
      print(`Ran Alice's journey into an in-memory store (${((await store.headPosition()) ?? -1) + 1} events)`);
    } else {
      const loaded = await loadExport(store, file);
      if (E.isLeft(loaded)) return loaded;
      print(`Loaded ${loaded.right} events from ${file}`);
    }
    const caughtUp = await live.right.whenCaughtUp();
    if (E.isLeft(caughtUp)) return E.left(caughtUp.left.message);

    const orderId = chosenOrder ?? (file === undefined ? ALICE_ORDER_ID : (await orderIdsIn(store))[0]);
    if (orderId === undefined) return E.left('the store holds no order');
    print('');
    const earlier = await printTimeline(store, orderId, print);
    if (E.isLeft(earlier)) return earlier;
    if (earlier.right !== undefined) {
      const states = await printStates(store, orderId, earlier.right, print);
      if (E.isLeft(states)) return states;
    }
    const chainsHold = await printVerification(store, print);
    if (E.isLeft(chainsHold)) return chainsHold;

    const next = { ...orderHistoryProjection, version: orderHistoryProjection.version + 1 };
    const rebuilt = await buildAndActivate({ eventStore: store, readModels, projection: next });
    if (E.isLeft(rebuilt)) return E.left(rebuilt.left.message);
    await rebuilt.right.stop();
    const comparison = await compareVersions(store, readModels, live.right.version, rebuilt.right.version);
    if (E.isLeft(comparison)) return comparison;
    const { compared, differing } = comparison.right;
    print('');
    print(`Rebuilt ${next.name} v${next.version} from the first event beside the live v${orderHistoryProjection.version}; readers now use v${next.version}`);
    print(`Compared ${compared} documents: ${differing.length === 0 ? 'all equal' : `${differing.length} differ`}`);
    for (const { collection, id, differences } of differing) {
      print(`  ${collection}/${id}: ${differences.map((d) => JSON.stringify(d)).join('; ')}`);
    }
    return E.right(chainsHold.right && differing.length === 0);
  } finally {
    await live.right.stop();
    await readModels.close();
    await store.close();
  }
};

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (outcome) => {
      if (E.isLeft(outcome)) console.error(outcome.left);
      process.exitCode = E.isRight(outcome) && outcome.right ? 0 : 1;
    },
    (cause: unknown) => {
      console.error(cause);
      process.exitCode = 1;
    },
  );
}
