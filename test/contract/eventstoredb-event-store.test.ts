import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  eventTypeFilter,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
  type AllStreamRecordedEvent,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type Filter,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { ServerFeaturesClient } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import * as grpc from '@grpc/grpc-js';
import * as E from 'fp-ts/Either';
import { firstValueFrom, lastValueFrom, type Observable } from 'rxjs';
import { filter as rxFilter, take, takeWhile, toArray } from 'rxjs/operators';
import { eventStoreDbEventId } from '../../src/adapters/event-store/eventstoredb/eventstoredb-event-id';
import { EventStoreDbEventStore, type EventStoreDbEventStoreOptions } from '../../src/adapters/event-store/eventstoredb/eventstoredb-event-store';
import { orderedSubscriptionMessages, type WireMessage } from '../../src/adapters/event-store/eventstoredb/ordered-subscription-messages';
import { hashEvent } from '../../src/engine/audit/hash-chain';
import type { EventEnvelope } from '../../src/engine/event-store/envelope';
import type { SubscriptionMessage } from '../../src/engine/event-store/event-store';
import { startEventStoreDbProtocolServer, type EventStoreDbProtocolServer } from '../support/eventstoredb-protocol-server/protocol-server';
import { RST_STREAM_FRAME, startHttp2FrameCounter } from '../support/http2-frame-counter';
import { proposedEvents } from '../../src/testing/contract/proposed-events';
import { describeEventStoreContract } from '../../src/testing';
import { rightOrThrow } from '../../src/testing/contract/either-results';

/**
 * The EventStoreDB adapter, run against two targets: the in-process protocol test server, always, and a
 * real EventStoreDB when `EVENTSTORE_URL` is set (e.g. `esdb://localhost:2113?tls=false`, see
 * docker-compose.yml). Each target gets the shared contract, the adapter's own behaviour, and the protocol
 * semantics the adapter relies on, checked with the raw client, so that the test server's behaviour is pinned
 * and can be compared with a real node's.
 */

interface Target {
  readonly name: string;
  readonly connectionString: () => string;
}

let protocolServer: EventStoreDbProtocolServer;
let legacyProtocolServer: EventStoreDbProtocolServer;
const realServerUrl = process.env['EVENTSTORE_URL'];

beforeAll(async () => {
  protocolServer = await startEventStoreDbProtocolServer();
  legacyProtocolServer = await startEventStoreDbProtocolServer({ release: '24.10' });
  console.info(
    `EventStoreDB adapter tests: running against the in-process protocol test server at 127.0.0.1:${protocolServer.port} (not a real EventStoreDB). ` +
      (realServerUrl === undefined
        ? 'EVENTSTORE_URL is not set: the real-server suites are skipped.'
        : `EVENTSTORE_URL is set: also running against ${realServerUrl}.`),
  );
});
afterAll(async () => {
  await protocolServer.close();
  await legacyProtocolServer.close();
});

const testServer: Target = { name: 'protocol test server', connectionString: () => protocolServer.connectionString };
const legacyTestServer: Target = { name: 'protocol test server emulating 24.10', connectionString: () => legacyProtocolServer.connectionString };

const openStore = (target: Target, options: EventStoreDbEventStoreOptions = {}): EventStoreDbEventStore => {
  const store = EventStoreDbEventStore.fromConnectionString(target.connectionString(), options);
  if (E.isLeft(store)) throw new Error(store.left.message);
  return store.right;
};

/** Stream ids and prefixes unique to one test, also on a long-lived real server. */
const uniqueName = (category: string): string => `${category}${randomUUID().replace(/-/g, '').slice(0, 12)}`;

const rawEvents = (count: number, type = 'RawEvent'): ReturnType<typeof jsonEvent>[] =>
  Array.from({ length: count }, (_, i) => jsonEvent({ type, data: { i } }));

const collect = async <T>(read: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of read) items.push(item);
  return items;
};

const commitOf = (resolved: ResolvedEvent | AllStreamResolvedEvent): bigint => {
  const position = resolved.event?.position;
  if (position === undefined) throw new Error('event without position');
  return position.commit;
};

/** Raw subscription messages, in server order, until the server says it caught up (inclusive). */
const untilCaughtUp = (client: EventStoreDBClient, fromPosition: ReadPosition, filter: Filter): Promise<WireMessage[]> =>
  lastValueFrom(orderedSubscriptionMessages(client, fromPosition, filter).pipe(takeWhile((m) => m.kind !== 'caught-up', true), toArray()));

const portMessagesUntilCaughtUp = (source: Observable<SubscriptionMessage>): Promise<SubscriptionMessage[]> =>
  lastValueFrom(source.pipe(takeWhile((m) => m.kind !== 'caught-up', true), toArray()));

/** Resolves once `condition` holds; a condition that never holds fails the test by its timeout. */
const waitFor = (condition: () => boolean): Promise<void> =>
  new Promise((resolve) => {
    const poll = (): void => {
      if (condition()) resolve();
      else setTimeout(poll, 5);
    };
    poll();
  });

/** Everything an Observable delivers, as it arrives, until stopped. */
const record = <T>(source: Observable<T>): { readonly received: T[]; readonly stop: () => void } => {
  const received: T[] = [];
  const subscription = source.subscribe((item) => received.push(item));
  return { received, stop: () => subscription.unsubscribe() };
};

const describeProtocolSemantics = (target: Target): void => {
  describe(`EventStoreDB protocol semantics the adapter relies on (${target.name})`, () => {
    let client: EventStoreDBClient;
    beforeAll(() => {
      client = EventStoreDBClient.connectionString(target.connectionString());
    });
    afterAll(() => client.dispose());

    it('assigns revisions from 0, gives each event its own $all position (commit = prepare) and reports the last one on append', async () => {
      const stream = uniqueName('proto-');
      const result = await client.appendToStream(stream, rawEvents(3), { expectedRevision: NO_STREAM });
      const read = await collect(client.readStream(stream));
      expect(read.map((e) => e.event?.revision)).toEqual([0n, 1n, 2n]);
      expect(result.nextExpectedRevision).toBe(2n);
      const positions = read.map((e) => e.event?.position as Position);
      positions.forEach((p) => expect(p.prepare).toBe(p.commit));
      expect(positions[0]!.commit < positions[1]!.commit && positions[1]!.commit < positions[2]!.commit).toBe(true);
      expect(result.position).toEqual(positions[2]);
    });

    it('applies the expected-revision rules: any, no stream, stream exists, exact', async () => {
      const stream = uniqueName('proto-');
      const wrong = (promise: Promise<unknown>): Promise<WrongExpectedVersionError> =>
        promise.then(
          () => {
            throw new Error('expected a wrong expected version');
          },
          (error: unknown) => {
            if (!(error instanceof WrongExpectedVersionError)) throw error;
            return error;
          },
        );
      await expect(wrong(client.appendToStream(stream, rawEvents(1), { expectedRevision: STREAM_EXISTS }))).resolves.toMatchObject({ actualVersion: 'no_stream' });
      await expect(wrong(client.appendToStream(stream, rawEvents(1), { expectedRevision: 0n }))).resolves.toMatchObject({ actualVersion: 'no_stream' });
      await expect(client.appendToStream(stream, rawEvents(2), { expectedRevision: 'any' })).resolves.toMatchObject({ nextExpectedRevision: 1n });
      await expect(wrong(client.appendToStream(stream, rawEvents(1), { expectedRevision: NO_STREAM }))).resolves.toMatchObject({ actualVersion: 1n });
      await expect(wrong(client.appendToStream(stream, rawEvents(1), { expectedRevision: 0n }))).resolves.toMatchObject({ actualVersion: 1n, expectedVersion: 0n });
      await expect(wrong(client.appendToStream(stream, rawEvents(1), { expectedRevision: 5n }))).resolves.toMatchObject({ actualVersion: 1n });
      await expect(client.appendToStream(stream, rawEvents(1), { expectedRevision: STREAM_EXISTS })).resolves.toMatchObject({ nextExpectedRevision: 2n });
      await expect(client.appendToStream(stream, rawEvents(1), { expectedRevision: 2n })).resolves.toMatchObject({ nextExpectedRevision: 3n });
      expect(await collect(client.readStream(stream))).toHaveLength(4);
    });

    it('answers the unary Append (used when credentials are given) like BatchAppend', async () => {
      const stream = uniqueName('proto-');
      const credentials = { username: 'admin', password: 'changeit' };
      const written = await client.appendToStream(stream, rawEvents(2), { expectedRevision: NO_STREAM, credentials });
      expect(written).toMatchObject({ success: true, nextExpectedRevision: 1n });
      const read = await collect(client.readStream(stream));
      expect(written.position).toEqual(read[1]?.event?.position);
      await expect(client.appendToStream(stream, rawEvents(1), { expectedRevision: 0n, credentials })).rejects.toMatchObject({
        actualVersion: 1n,
        expectedVersion: 0n,
      });
    });

    it('treats a re-append of the same event ids as already done (idempotent), and a partial match as a conflict', async () => {
      const stream = uniqueName('proto-');
      const first = rawEvents(2);
      const original = await client.appendToStream(stream, first, { expectedRevision: NO_STREAM });
      await expect(client.appendToStream(stream, first, { expectedRevision: NO_STREAM })).resolves.toMatchObject({
        nextExpectedRevision: 1n,
        position: original.position,
      });
      const third = rawEvents(1);
      await client.appendToStream(stream, third, { expectedRevision: 1n });
      await expect(client.appendToStream(stream, first, { expectedRevision: NO_STREAM })).resolves.toMatchObject({ nextExpectedRevision: 1n });
      await expect(client.appendToStream(stream, third, { expectedRevision: 1n })).resolves.toMatchObject({ nextExpectedRevision: 2n });
      await expect(client.appendToStream(stream, third, { expectedRevision: 'any' })).resolves.toMatchObject({ nextExpectedRevision: 2n });
      await expect(client.appendToStream(stream, [first[0]!, ...rawEvents(1)], { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(WrongExpectedVersionError);
      expect((await collect(client.readStream(stream))).map((e) => e.event?.id)).toEqual([first[0]!.id, first[1]!.id, third[0]!.id]);
    });

    it('reports a missing stream as stream-not-found; past the end of a stream reads nothing forwards, and backwards only the revisions of the window that exist', async () => {
      const missing = uniqueName('proto-');
      await expect(collect(client.readStream(missing))).rejects.toBeInstanceOf(StreamNotFoundError);
      await expect(collect(client.readStream(missing, { direction: BACKWARDS, fromRevision: END }))).rejects.toBeInstanceOf(StreamNotFoundError);
      const stream = uniqueName('proto-');
      await client.appendToStream(stream, rawEvents(5));
      await expect(collect(client.readStream(stream, { fromRevision: 9n }))).resolves.toEqual([]);
      // Backwards from a revision, the server reads the maxCount revisions up to it (IndexReader's
      // ReadStreamEventsBackward: GetRange(from - maxCount + 1, from)), not from the stream's last event.
      await expect(collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: 9n, maxCount: 2 }))).resolves.toEqual([]);
      const window = await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: 5n, maxCount: 3 }));
      expect(window.map((e) => e.event?.revision)).toEqual([4n, 3n]);
      const counted = await collect(client.readStream(stream, { direction: FORWARDS, fromRevision: 1n, maxCount: 3 }));
      expect(counted.map((e) => e.event?.revision)).toEqual([1n, 2n, 3n]);
    });

    it('reads $all forwards from a position inclusively and backwards from it exclusively', async () => {
      const stream = uniqueName('proto-');
      await client.appendToStream(stream, rawEvents(3));
      const [p0, p1, p2] = (await collect(client.readStream(stream))).map((e) => e.event?.position as Position);
      const forwards = await collect(client.readAll({ fromPosition: p1!, maxCount: 2 }));
      expect(forwards.map(commitOf)).toEqual([p1!.commit, p2!.commit]);
      const backwards = await collect(client.readAll({ direction: BACKWARDS, fromPosition: p2!, maxCount: 2 }));
      expect(backwards.map(commitOf)).toEqual([p1!.commit, p0!.commit]);
      const [newest] = await collect(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
      expect(commitOf(newest!) >= p2!.commit).toBe(true);
    });

    it('catches a subscription up strictly after its start position, says it caught up, then goes live', async () => {
      const prefix = uniqueName('proto-');
      const stream = `${prefix}-a`;
      await client.appendToStream(stream, rawEvents(3));
      const [first] = await collect(client.readStream(stream, { maxCount: 1 }));
      const subscription = record(orderedSubscriptionMessages(client, first!.event!.position!, streamNameFilter({ prefixes: [prefix] })));
      try {
        const meaningful = (): WireMessage[] => subscription.received.filter((m) => m.kind !== 'checkpoint');
        await waitFor(() => meaningful().some((m) => m.kind === 'caught-up'));
        await client.appendToStream(stream, rawEvents(1));
        await waitFor(() => meaningful().length === 4);
        expect(meaningful().map((m) => (m.kind === 'event' ? m.resolved.event?.revision : m.kind))).toEqual([1n, 2n, 'caught-up', 3n]);
      } finally {
        subscription.stop();
      }
    });

    it('filters $all on the server by stream-name prefix, event-type prefix and event-type regex', async () => {
      const prefix = uniqueName('proto-');
      const [before] = await collect(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
      await client.appendToStream(`${prefix}-orders`, [...rawEvents(1, `${prefix}Placed`), ...rawEvents(1, `${prefix}Paid`)]);
      await client.appendToStream(`${prefix}-carts`, [...rawEvents(1, `${prefix}Added`), ...rawEvents(1, `${prefix}Placed`)]);
      const from = before!.event!.position!;
      const seen = async (filter: Filter): Promise<string[]> =>
        (await untilCaughtUp(client, from, filter)).flatMap((m) => (m.kind === 'event' ? [`${m.resolved.event!.streamId.slice(prefix.length)}:${m.resolved.event!.type.slice(prefix.length)}`] : []));
      await expect(seen(streamNameFilter({ prefixes: [`${prefix}-orders`] }))).resolves.toEqual(['-orders:Placed', '-orders:Paid']);
      await expect(seen(eventTypeFilter({ prefixes: [`${prefix}Pla`] }))).resolves.toEqual(['-orders:Placed', '-carts:Placed']);
      await expect(seen(eventTypeFilter({ regex: `^${prefix}(Paid|Added)$` }))).resolves.toEqual(['-orders:Paid', '-carts:Added']);
      await expect(seen(streamNameFilter({ regex: `^${prefix}-c` }))).resolves.toEqual(['-carts:Added', '-carts:Placed']);
    });

    it('reports filtered checkpoints every interval × 32 considered events, while catching up and live', async () => {
      const prefix = uniqueName('proto-');
      const [before] = await collect(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
      const wanted = await client.appendToStream(`${prefix}-wanted`, rawEvents(1));
      for (let i = 0; i < 4; i += 1) await client.appendToStream(uniqueName('other-'), rawEvents(25));
      const filter = streamNameFilter({ prefixes: [prefix], checkpointInterval: 1 });
      const subscription = record(orderedSubscriptionMessages(client, before!.event!.position!, filter));
      try {
        await waitFor(() => subscription.received.some((m) => m.kind === 'caught-up'));
        const catchUp = subscription.received.splice(0, subscription.received.length);
        const checkpoints = catchUp.flatMap((m) => (m.kind === 'checkpoint' ? [m.position] : []));
        expect(catchUp[0]).toMatchObject({ kind: 'event' });
        expect(catchUp[catchUp.length - 1]).toMatchObject({ kind: 'caught-up' });
        // 101 events written after the start: a checkpoint after each 32 considered (25.0 adds one on reaching the end).
        expect(checkpoints.length).toBeGreaterThanOrEqual(Math.floor(101 / 32));
        checkpoints.slice(1).forEach((p, i) => expect(p.commit > checkpoints[i]!.commit).toBe(true));
        expect(checkpoints[checkpoints.length - 1]!.commit > wanted.position!.commit).toBe(true);
        for (let i = 0; i < 2; i += 1) await client.appendToStream(uniqueName('other-'), rawEvents(20));
        await waitFor(() => subscription.received.some((m) => m.kind === 'checkpoint'));
        subscription.received.forEach((m) => expect(m).toMatchObject({ kind: 'checkpoint' }));
        subscription.received.forEach((m) => m.kind === 'checkpoint' && expect(m.position.prepare).toBe(m.position.commit));
      } finally {
        subscription.stop();
      }
    });
  });
};

const describeAdapterBehaviour = (target: Target): void => {
  describe(`EventStoreDB adapter behaviour (${target.name})`, () => {
    let client: EventStoreDBClient;
    let store: EventStoreDbEventStore;
    beforeAll(() => {
      client = EventStoreDBClient.connectionString(target.connectionString());
    });
    afterAll(() => client.dispose());
    beforeEach(() => {
      store = openStore(target);
    });
    afterEach(() => store.close());

    it('rejects a read that closing the store cut short, where the client ends it as if the data had ended', async () => {
      const stream = uniqueName('cart-');
      for (let batch = 0; batch < 8; batch += 1) {
        rightOrThrow(await store.append(stream, proposedEvents(250, 'Padded', (i) => ({ i, pad: 'x'.repeat(2_000) })), batch === 0 ? 'no-stream' : batch * 250 - 1));
      }
      for (const delayMs of [0, 2, 5, 10, 20]) {
        const closing = openStore(target);
        await closing.headPosition();
        const whole = closing.readStream(stream).then(
          (events) => events.length,
          () => 'rejected',
        );
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        await closing.close();
        expect([2_000, 'rejected']).toContain(await whole);
      }
    });

    it('stores the data as JSON and every other envelope field as JSON metadata, under a UUID derived from the event id', async () => {
      const stream = uniqueName('adapter-');
      const [proposed] = proposedEvents(1, 'Shaped', () => ({ amount: 12345, lines: ['a', 'b'] }));
      const [stored] = rightOrThrow(await store.append(stream, [proposed!], 'no-stream')).events;
      const [raw] = await collect(client.readStream(stream));
      expect(raw!.event).toMatchObject({
        id: eventStoreDbEventId(proposed!.eventId),
        type: 'Shaped',
        isJson: true,
        data: { amount: 12345, lines: ['a', 'b'] },
        metadata: {
          eventId: proposed!.eventId,
          schemaVersion: 1,
          occurredAt: proposed!.occurredAt,
          recordedAt: proposed!.recordedAt,
          commandId: proposed!.commandId,
          correlationId: proposed!.correlationId,
          causationId: proposed!.causationId,
          actor: proposed!.actor,
          previousHash: '',
          hash: stored!.hash,
        },
      });
      expect(raw!.event!.position!.commit).toBe(BigInt(stored!.position));
    });

    it('derives event ids deterministically as name-based (version 5) UUIDs, and keeps UUID ids as they are', async () => {
      const derived = eventStoreDbEventId('evt-42');
      expect(derived).toBe(eventStoreDbEventId('evt-42'));
      expect(derived).not.toBe(eventStoreDbEventId('evt-43'));
      expect(derived).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const uuid = randomUUID();
      expect(eventStoreDbEventId(uuid.toUpperCase())).toBe(uuid);
      const stream = uniqueName('adapter-');
      const [proposed] = proposedEvents(1);
      rightOrThrow(await store.append(stream, [{ ...proposed!, eventId: uuid }], 'no-stream'));
      const [raw] = await collect(client.readStream(stream));
      expect(raw!.event!.id).toBe(uuid);
      await expect(store.readStream(stream)).resolves.toMatchObject([{ eventId: uuid }]);
    });

    it('answers a replayed append (same ids, same expectation) with the stored events, letting the server de-duplicate it', async () => {
      const stream = uniqueName('adapter-');
      const first = proposedEvents(2);
      const original = rightOrThrow(await store.append(stream, first, 'no-stream'));
      rightOrThrow(await store.append(stream, proposedEvents(1), 1));
      const replayed = rightOrThrow(await store.append(stream, first, 'no-stream'));
      expect(replayed).toEqual({ nextExpectedRevision: 1, events: original.events });
      const second = proposedEvents(2);
      const appended = rightOrThrow(await store.append(stream, second, 2));
      expect(rightOrThrow(await store.append(stream, second, 2))).toEqual(appended);
      expect(await store.append(stream, [second[0]!, ...proposedEvents(1)], 2)).toEqual(
        E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', expected: 2, actual: 4 })),
      );
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    });

    it("answers a replayed 'any' append whose events are still the stream's newest with the stored events", async () => {
      const stream = uniqueName('adapter-');
      const events = proposedEvents(3);
      const original = rightOrThrow(await store.append(stream, events, 'any'));
      expect(rightOrThrow(await store.append(stream, events, 'any'))).toEqual(original);
      expect(await store.readStream(stream)).toHaveLength(3);
    });

    it("retries an 'any' append that lost the race for the stream's tail, keeping the hash chain linear", async () => {
      const stream = uniqueName('adapter-');
      const racing = openStore(target, { appendAttemptsForAny: 10 });
      try {
        const results = await Promise.all(Array.from({ length: 8 }, () => racing.append(stream, proposedEvents(1), 'any')));
        expect(results.every(E.isRight)).toBe(true);
        const events = await store.readStream(stream);
        expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
        events.forEach((event, i) => {
          expect(event.previousHash).toBe(i === 0 ? '' : events[i - 1]!.hash);
          const { position: _position, hash, ...fields } = event;
          expect(hash).toBe(hashEvent(fields));
        });
      } finally {
        await racing.close();
      }
    });

    it('appends creating a stream, or expecting the revision it last read or wrote, without reading first', async () => {
      const observed = EventStoreDBClient.connectionString(target.connectionString());
      const reads = jest.spyOn(observed, 'readStream');
      const owned = new EventStoreDbEventStore(observed);
      try {
        const stream = uniqueName('adapter-');
        rightOrThrow(await owned.append(stream, proposedEvents(1), 'no-stream'));
        rightOrThrow(await owned.append(stream, proposedEvents(1), 0));
        expect(reads).not.toHaveBeenCalled();
        const read = await owned.readStream(stream);
        rightOrThrow(await owned.append(stream, proposedEvents(1), read[read.length - 1]!.revision));
        expect(reads).toHaveBeenCalledTimes(1);
        rightOrThrow(await owned.append(stream, proposedEvents(1), 'any'));
        expect(reads).toHaveBeenCalledTimes(2);
      } finally {
        await owned.close();
        await expect(collect(observed.readAll({ maxCount: 1 }))).resolves.toHaveLength(1);
        await observed.dispose();
      }
    });

    it('does not trust what it remembers of a stream another writer has moved on', async () => {
      const stream = uniqueName('adapter-');
      const other = openStore(target);
      try {
        rightOrThrow(await store.append(stream, proposedEvents(1), 'no-stream'));
        rightOrThrow(await other.append(stream, proposedEvents(1), 0));
        expect(await store.append(stream, proposedEvents(1), 0)).toEqual(E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', actual: 1 })));
        rightOrThrow(await store.append(stream, proposedEvents(1), 1));
        const events = await other.readStream(stream);
        expect(events.map((e) => e.revision)).toEqual([0, 1, 2]);
        expect(events[2]!.previousHash).toBe(events[1]!.hash);
      } finally {
        await other.close();
      }
    });

    it('gives every event of a multi-event append the position it has in $all', async () => {
      const stream = uniqueName('adapter-');
      const written = rightOrThrow(await store.append(stream, proposedEvents(4), 'no-stream'));
      const raw = await collect(client.readStream(stream));
      expect(written.events.map((e) => e.position)).toEqual(raw.map((e) => Number(e.event!.position!.commit)));
    });

    it('refuses events that are not valid envelopes: reads reject, appends after them are STORE_UNAVAILABLE', async () => {
      const stream = uniqueName('adapter-');
      await client.appendToStream(stream, jsonEvent({ type: 'Foreign', data: { not: 'an envelope' }, metadata: { eventId: 'foreign-1' } }));
      await expect(store.readStream(stream)).rejects.toThrow(/not a valid envelope/);
      await expect(store.append(stream, proposedEvents(1), 'any')).resolves.toEqual(
        E.left(expect.objectContaining({ code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/not a valid envelope/) })),
      );
    });

    it("walks $all past another application's events on a shared server, as past the server's own", async () => {
      const stream = uniqueName('adapter-');
      const start = await store.headPosition();
      rightOrThrow(await store.append(stream, proposedEvents(1), 'no-stream'));
      await client.appendToStream(uniqueName('billing-'), jsonEvent({ type: 'InvoiceIssued', data: { invoice: 42 } }));
      rightOrThrow(await store.append(stream, proposedEvents(1), 0));
      const seen: EventEnvelope[] = [];
      let after = start;
      for (;;) {
        const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 1 });
        seen.push(...page.events);
        after = page.lastPosition;
        if (page.isEnd) break;
      }
      expect(seen.filter((e) => e.streamId === stream).map((e) => e.revision)).toEqual([0, 1]);
      expect(seen.some((e) => e.type === 'InvoiceIssued')).toBe(false);
    });

    it("stops a walk of $all at an event without an envelope in one of the engine's own streams: it is no other application's", async () => {
      const stream = uniqueName('cart-');
      const start = await store.headPosition();
      rightOrThrow(await store.append(stream, proposedEvents(1), 'no-stream'));
      await client.appendToStream(stream, jsonEvent({ type: 'CartItemAdded', data: { quantity: -5 } }));
      await expect(store.readAll({ ...(start === undefined ? {} : { after: start }), maxCount: 100 })).rejects.toThrow(/cannot read/);
      await expect(store.readStream(stream)).rejects.toThrow(/cannot read/);
    });

    it("refuses stream ids and event types starting \"$\", which every walk of $all would pass over as the server's own", async () => {
      expect(await store.append(`$${uniqueName('adapter-')}`, proposedEvents(1), 'no-stream')).toEqual(E.left(expect.objectContaining({ code: 'STORE_UNAVAILABLE' })));
      const stream = uniqueName('adapter-');
      expect(await store.append(stream, proposedEvents(1, '$Typed'), 'no-stream')).toEqual(E.left(expect.objectContaining({ code: 'STORE_UNAVAILABLE' })));
      expect(await store.readStream(stream)).toEqual([]);
    });

    it("never answers an 'any' append with a conflict, however many writers race for the tail", async () => {
      const stream = uniqueName('adapter-');
      const results = await Promise.all(Array.from({ length: 20 }, () => store.append(stream, proposedEvents(1), 'any')));
      expect(results.filter(E.isLeft)).toEqual([]);
      expect((await store.readStream(stream)).map((e) => e.revision)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    });

    it('moves lastPosition of a filtered $all read past the events the filter skipped, up to the head', async () => {
      const prefix = uniqueName('adapter-');
      const start = await store.headPosition();
      const wanted = rightOrThrow(await store.append(`${prefix}-wanted`, proposedEvents(1), 'no-stream'));
      for (let i = 0; i < 3; i += 1) rightOrThrow(await store.append(uniqueName('skipped-'), proposedEvents(30), 'no-stream'));
      const head = await store.headPosition();
      const page = await store.readAll({ ...(start === undefined ? {} : { after: start }), filter: { streamPrefixes: [prefix] }, maxCount: 10 });
      expect(page.events.map((e) => e.eventId)).toEqual(wanted.events.map((e) => e.eventId));
      expect(page.isEnd).toBe(true);
      expect(page.lastPosition).toBeGreaterThanOrEqual(head!);
      const next = await store.readAll({ after: page.lastPosition!, filter: { streamPrefixes: [prefix] } });
      expect(next).toMatchObject({ events: [], isEnd: true });
    });

    it('reads $all without a filter in pages, skipping EventStoreDB system events', async () => {
      const stream = uniqueName('adapter-');
      const start = await store.headPosition();
      rightOrThrow(await store.append(stream, proposedEvents(2), 'no-stream'));
      await client.appendToStream(`$${uniqueName('system-')}`, jsonEvent({ type: '$system', data: {} }));
      rightOrThrow(await store.append(stream, proposedEvents(1), 1));
      const seen: EventEnvelope[] = [];
      let after = start;
      for (;;) {
        const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 2 });
        seen.push(...page.events.filter((e) => e.streamId === stream));
        after = page.lastPosition;
        if (page.isEnd) break;
      }
      expect(seen.map((e) => e.revision)).toEqual([0, 1, 2]);
    });

    it('hands out subscription checkpoints that are event positions, from which a subscription resumes without loss', async () => {
      const prefix = uniqueName('adapter-');
      const checkpointing = openStore(target, { checkpointInterval: 1 });
      try {
        const start = await store.headPosition();
        rightOrThrow(await store.append(`${prefix}-a`, proposedEvents(1), 'no-stream'));
        for (let i = 0; i < 4; i += 1) rightOrThrow(await store.append(uniqueName('skipped-'), proposedEvents(25), 'no-stream'));
        const last = rightOrThrow(await store.append(`${prefix}-b`, proposedEvents(1), 'no-stream'));
        for (let i = 0; i < 2; i += 1) rightOrThrow(await store.append(uniqueName('skipped-'), proposedEvents(25), 'no-stream'));
        const messages = await portMessagesUntilCaughtUp(
          checkpointing.subscribe({ ...(start === undefined ? {} : { after: start }), filter: { streamPrefixes: [prefix] } }),
        );
        const checkpoints = messages.flatMap((m) => (m.kind === 'checkpoint' ? [m.position] : []));
        expect(messages.filter((m) => m.kind === 'event').map((m) => (m.kind === 'event' ? m.event.streamId : ''))).toEqual([`${prefix}-a`, `${prefix}-b`]);
        expect(checkpoints.length).toBeGreaterThanOrEqual(3);
        checkpoints.slice(1).forEach((p, i) => expect(p).toBeGreaterThan(checkpoints[i]!));
        for (const checkpoint of checkpoints) {
          const [atCheckpoint] = await collect(client.readAll({ fromPosition: { commit: BigInt(checkpoint), prepare: BigInt(checkpoint) }, maxCount: 1 }));
          expect(commitOf(atCheckpoint!)).toBe(BigInt(checkpoint));
        }
        const beforeLast = checkpoints.filter((p) => p < last.events[0]!.position);
        const resumed = await firstValueFrom(
          checkpointing.subscribe({ after: beforeLast[beforeLast.length - 1]!, filter: { streamPrefixes: [prefix] } }).pipe(rxFilter((m) => m.kind === 'event')),
        );
        expect(resumed).toMatchObject({ kind: 'event', event: { eventId: last.events[0]!.eventId } });
      } finally {
        await checkpointing.close();
      }
    });

    it('reports as head the newest event that is not EventStoreDB’s own', async () => {
      const written = rightOrThrow(await store.append(uniqueName('adapter-'), proposedEvents(1), 'no-stream'));
      await client.appendToStream(`$${uniqueName('system-')}`, jsonEvent({ type: '$system', data: {} }));
      await expect(store.headPosition()).resolves.toBe(written.events[0]!.position);
    });

    it('completes open subscriptions when closed, and refuses work afterwards', async () => {
      const closing = openStore(target);
      const head = await closing.headPosition();
      let completed = false;
      const messages: SubscriptionMessage[] = [];
      closing
        .subscribe({ ...(head === undefined ? {} : { after: head }), filter: { streamPrefixes: [uniqueName('adapter-')] } })
        .subscribe({ next: (m) => messages.push(m), complete: () => (completed = true) });
      await waitFor(() => messages.length > 0);
      expect(completed).toBe(false);
      await closing.close();
      expect(completed).toBe(true);
      await expect(closing.append(uniqueName('adapter-'), proposedEvents(1), 'any')).resolves.toEqual(E.left(expect.objectContaining({ code: 'STORE_UNAVAILABLE' })));
      await expect(closing.readStream(uniqueName('adapter-'))).rejects.toThrow(/closed/);
    });
  });
};

describeEventStoreContract('EventStoreDB adapter (protocol test server)', () => {
  const store = openStore(testServer);
  return Promise.resolve({ store, dispose: () => store.close() });
});
describeAdapterBehaviour(testServer);
describeProtocolSemantics(testServer);
describeProtocolSemantics(legacyTestServer);

describe('EventStoreDB adapter specifics only the protocol test server can show', () => {
  it('turns an unreachable server into STORE_UNAVAILABLE on append and a rejection on reads', async () => {
    const doomed = await startEventStoreDbProtocolServer();
    const store = openStore({ name: 'closed server', connectionString: () => doomed.connectionString });
    try {
      rightOrThrow(await store.append('unreachable-1', proposedEvents(1), 'no-stream'));
      await doomed.close();
      await expect(store.append('unreachable-1', proposedEvents(1), 0)).resolves.toEqual(
        E.left(expect.objectContaining({ code: 'STORE_UNAVAILABLE', cause: expect.anything() })),
      );
      await expect(store.readStream('unreachable-1')).rejects.toThrow(/UNAVAILABLE|CANCELLED|No connection/i);
    } finally {
      await store.close();
    }
  });

  it('reads missing streams without resetting calls the server has ended, which a server limits per connection', async () => {
    // The engine reads a missing stream for every new aggregate. A reset per read once made the test server's
    // HTTP/2 layer (nghttp2: a burst of 1,000, then 33 a second) drop the connection after ~2,000 new carts.
    const counter = await startHttp2FrameCounter(protocolServer.port);
    const store = openStore({ name: 'frame counter', connectionString: () => `esdb://127.0.0.1:${counter.port}?tls=false` });
    const client = EventStoreDBClient.connectionString(`esdb://127.0.0.1:${counter.port}?tls=false`);
    try {
      for (let i = 0; i < 200; i += 1) await expect(store.readStream(uniqueName('missing-'))).resolves.toEqual([]);
      expect(counter.sentByClients(RST_STREAM_FRAME)).toBe(0);
      // The counter sees resets: cancelling a live subscription, a call the server never ends, sends one.
      const subscription = client.subscribeToAll({ fromPosition: END });
      await new Promise((resolve) => subscription.once('confirmation', resolve));
      await subscription.unsubscribe();
      await waitFor(() => counter.sentByClients(RST_STREAM_FRAME) === 1);
    } finally {
      await client.dispose();
      await store.close();
      await counter.close();
    }
  });

  it('reads its head and the events behind catch-up checkpoints to their end, without resetting those calls', async () => {
    // Both are reads of one event (or a few): leaving one at its first event used to reset it. A filtered
    // subscription makes such a read per checkpoint while catching up, and every page of a filtered readAll
    // reads the head.
    const counter = await startHttp2FrameCounter(protocolServer.port);
    const connectionString = `esdb://127.0.0.1:${counter.port}?tls=false`;
    const store = openStore({ name: 'frame counter', connectionString: () => connectionString }, { checkpointInterval: 1 });
    try {
      const start = await store.headPosition();
      for (let i = 0; i < 30; i += 1) rightOrThrow(await store.append(uniqueName('skipped-'), proposedEvents(40), 'no-stream'));
      const written = rightOrThrow(await store.append(uniqueName('head-'), proposedEvents(1), 'no-stream'));
      for (let i = 0; i < 100; i += 1) await expect(store.headPosition()).resolves.toBe(written.events[0]!.position);
      expect(counter.sentByClients(RST_STREAM_FRAME)).toBe(0);
      const messages = await portMessagesUntilCaughtUp(
        store.subscribe({ ...(start === undefined ? {} : { after: start }), filter: { streamPrefixes: [uniqueName('matches-nothing-')] } }),
      );
      expect(messages.filter((m) => m.kind === 'checkpoint').length).toBeGreaterThanOrEqual(30);
      // Ending the subscription, a call the server never ends, resets it: that one reset, and no other.
      await waitFor(() => counter.sentByClients(RST_STREAM_FRAME) > 0);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(counter.sentByClients(RST_STREAM_FRAME)).toBe(1);
    } finally {
      await store.close();
      await counter.close();
    }
  });

  it('is found through gossip discovery as a single leader node', async () => {
    const store = openStore({ name: 'discovery', connectionString: () => `esdb+discover://127.0.0.1:${protocolServer.port}?tls=false` });
    try {
      const stream = uniqueName('discovered-');
      rightOrThrow(await store.append(stream, proposedEvents(1), 'no-stream'));
      await expect(store.readStream(stream)).resolves.toHaveLength(1);
    } finally {
      await store.close();
    }
  });

  it('emulates where 24.10 and 25.0 differ: the checkpoint ending a catch-up from the start that matched nothing', async () => {
    const endOfCatchUp = async (server: EventStoreDbProtocolServer): Promise<Position[]> => {
      const client = EventStoreDBClient.connectionString(server.connectionString);
      try {
        const messages = await untilCaughtUp(client, START, streamNameFilter({ prefixes: ['matches-nothing-'] }));
        return messages.flatMap((m) => (m.kind === 'checkpoint' ? [m.position] : []));
      } finally {
        await client.dispose();
      }
    };
    // A fresh server: the quirk needs fewer events in the log than one checkpoint interval.
    const fresh = await startEventStoreDbProtocolServer({ release: '24.10' });
    try {
      await expect(endOfCatchUp(fresh)).resolves.toEqual([{ commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n }]);
      const checkpoints = await endOfCatchUp(protocolServer);
      expect(checkpoints.length).toBeGreaterThanOrEqual(1);
      checkpoints.forEach((checkpoint) => expect(checkpoint.commit < 2n ** 63n).toBe(true));
    } finally {
      await fresh.close();
    }
  });

  it('ignores the checkpoint at no position that 24.10 can send', async () => {
    // A fresh server, as above.
    const legacy = await startEventStoreDbProtocolServer({ release: '24.10' });
    const store = openStore({ name: '24.10', connectionString: () => legacy.connectionString });
    try {
      rightOrThrow(await store.append(uniqueName('legacy-'), proposedEvents(1), 'no-stream'));
      const filter = { streamPrefixes: ['matches-nothing-'] };
      await expect(portMessagesUntilCaughtUp(store.subscribe({ filter }))).resolves.toEqual([{ kind: 'caught-up', position: expect.any(Number) }]);
      await expect(store.readAll({ filter })).resolves.toMatchObject({ events: [], isEnd: true });
    } finally {
      await store.close();
      await legacy.close();
    }
  });

  it('keeps the server order of checkpoints and caught-up behind events the client still buffers', async () => {
    const position = (commit: bigint): Position => ({ commit, prepare: commit });
    const event = (commit: bigint): AllStreamResolvedEvent => ({ event: { position: position(commit) } as AllStreamRecordedEvent });
    const fakeClient = {
      subscribeToAll: ({ filter }: { filter: Filter }) => {
        const stream = Object.assign(new PassThrough({ objectMode: true }), { unsubscribe: () => Promise.resolve() });
        const subscription = stream as unknown as AllStreamSubscription;
        stream.write(event(1n));
        stream.write(event(2n));
        // Fired before the consumer's flow starts, while both events are still buffered, as the client's
        // readable side may hold them when its consumer is behind.
        process.nextTick(() => {
          void filter.checkpointReached?.(subscription, position(2n));
          stream.emit('caughtUp');
          stream.write(event(3n));
        });
        return stream;
      },
    };
    // The fake stands in for the parts of the client the function uses.
    const messages = await firstValueFrom(
      orderedSubscriptionMessages(fakeClient as unknown as EventStoreDBClient, START, streamNameFilter({ prefixes: [''] })).pipe(take(5), toArray()),
    );
    expect(messages.map((m) => (m.kind === 'event' ? m.resolved.event!.position.commit : m.kind))).toEqual([1n, 2n, 'checkpoint', 'caught-up', 3n]);
  });
});

const realServer: Target | undefined =
  realServerUrl === undefined ? undefined : { name: `real EventStoreDB at ${realServerUrl}`, connectionString: () => realServerUrl };

if (realServer === undefined) {
  describe.skip('real EventStoreDB (skipped: EVENTSTORE_URL is not set)', () => {
    it('runs the contract, the adapter behaviour and the protocol semantics against a real server', () => undefined);
  });
} else {
  describe(realServer.name, () => {
    beforeAll(async () => {
      const url = new URL(realServer.connectionString().replace(/^esdb(\+discover)?:/, 'http:'));
      const features = new ServerFeaturesClient(`${url.hostname}:${url.port || '2113'}`, grpc.credentials.createInsecure());
      const version = await new Promise<string>((resolve, reject) =>
        features.getSupportedMethods(new Empty(), (error, methods) => (error === null ? resolve(methods.getEventStoreServerVersion()) : reject(error))),
      ).finally(() => features.close());
      if (version.includes('protocol-test-server')) throw new Error(`${realServer.connectionString()} is a protocol test server, not a real EventStoreDB`);
      console.info(`EventStoreDB adapter tests: the real server at ${realServer.connectionString()} answered as EventStoreDB ${version}.`);
    });
    describeEventStoreContract(`EventStoreDB adapter (${realServer.name})`, () => {
      const store = openStore(realServer);
      return Promise.resolve({ store, dispose: () => store.close() });
    });
    describeAdapterBehaviour(realServer);
    describeProtocolSemantics(realServer);
  });
}
