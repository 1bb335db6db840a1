import * as E from 'fp-ts/Either';
import { firstValueFrom, lastValueFrom, Observable } from 'rxjs';
import { filter as rxFilter, take, toArray } from 'rxjs/operators';
import { GENESIS_HASH, hashEvent } from '../../src/engine/audit/hash-chain';
import type { EventEnvelope } from '../../src/engine/event-store/envelope';
import type { EventStore, SubscriptionMessage } from '../../src/engine/event-store/event-store';
import { proposedEvents } from '../support/proposed-events';

export interface EventStoreHarness {
  readonly store: EventStore;
  /** Drops whatever the harness created (schema, database, server). */
  readonly dispose: () => Promise<void>;
}

const rightOrThrow = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected success, got ${JSON.stringify(either.left)}`);
  return either.right;
};

const collect = (source: Observable<SubscriptionMessage>, count: number): Promise<SubscriptionMessage[]> =>
  firstValueFrom(source.pipe(take(count), toArray()));

const eventsOf = (source: Observable<SubscriptionMessage>, count: number): Promise<EventEnvelope[]> =>
  firstValueFrom(
    source.pipe(
      rxFilter((m): m is Extract<SubscriptionMessage, { kind: 'event' }> => m.kind === 'event'),
      take(count),
      toArray(),
    ),
  ).then((messages) => messages.map((m) => m.event));

/**
 * The behaviour every event-store adapter must show. Each adapter's test calls this with a factory that
 * gives a fresh, empty store per test; stream ids are unique per test all the same, so a shared server works.
 */
export const describeEventStoreContract = (adapterName: string, createHarness: () => Promise<EventStoreHarness>): void => {
  describe(`event store contract: ${adapterName}`, () => {
    let harness: EventStoreHarness;
    let store: EventStore;
    let streamCounter = 0;
    const newStream = (category = 'contract'): string => {
      streamCounter += 1;
      return `${category}-${Date.now().toString(36)}${streamCounter}`;
    };

    beforeEach(async () => {
      harness = await createHarness();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.dispose();
    });

    describe('append and read a stream', () => {
      it('reads a stream that does not exist as empty', async () => {
        await expect(store.readStream(newStream())).resolves.toEqual([]);
      });

      it('assigns revisions from 0 and returns the next expected revision', async () => {
        const stream = newStream();
        const first = rightOrThrow(await store.append(stream, proposedEvents(2), 'no-stream'));
        expect(first.nextExpectedRevision).toBe(1);
        expect(first.events.map((e) => e.revision)).toEqual([0, 1]);
        const second = rightOrThrow(await store.append(stream, proposedEvents(3), 1));
        expect(second.nextExpectedRevision).toBe(4);
        const read = await store.readStream(stream);
        expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
        expect(read.every((e) => e.streamId === stream)).toBe(true);
      });

      it("hands out reads that are the caller's own: reordering one changes nothing stored", async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(3), 'no-stream'));
        const read = (await store.readStream(stream)) as EventEnvelope[];
        read.reverse();
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('refuses, as a value and writing nothing, events it could not read back: an invalid envelope, data JSON cannot hold', async () => {
        const [valid] = proposedEvents(1);
        const cyclic: Record<string, unknown> = {};
        cyclic['self'] = cyclic;
        for (const event of [
          { ...valid!, type: 'Order Placed' },
          { ...valid!, eventId: '' },
          { ...valid!, schemaVersion: 0 },
          { ...valid!, data: { amount: BigInt(1) } },
          { ...valid!, data: cyclic },
        ]) {
          const stream = newStream();
          expect(await store.append(stream, [event], 'no-stream')).toEqual(E.left(expect.objectContaining({ code: 'STORE_UNAVAILABLE' })));
          expect(await store.readStream(stream)).toEqual([]);
        }
      });

      it('stores data of any JavaScript shape as JSON keeps it, under a hash that verifies as it is read back', async () => {
        const stream = newStream();
        const [proposed] = proposedEvents(1, 'Shaped', () => ({ at: new Date(Date.UTC(2026, 10, 25)), sparse: [1, , 3], custom: { toJSON: () => 'custom' } }));
        rightOrThrow(await store.append(stream, [proposed!], 'no-stream'));
        const [stored] = await store.readStream(stream);
        expect(stored!.data).toEqual({ at: '2026-11-25T00:00:00.000Z', sparse: [1, null, 3], custom: 'custom' });
        const { position: _position, hash, ...fields } = stored!;
        expect(hashEvent(fields)).toBe(hash);
      });

      it('reads nothing for a negative count, and from the start for a position before the first', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(3), 'no-stream'));
        expect(await store.readStream(stream, { maxCount: -1 })).toEqual([]);
        const fromBefore = await store.readAll({ after: -1, maxCount: 100_000 });
        expect(fromBefore.events.filter((e) => e.streamId === stream).map((e) => e.revision)).toEqual([0, 1, 2]);
      });

      it('ends its subscriptions when closed, and refuses one made afterwards, rather than leaving either waiting', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(1), 'no-stream'));
        const open = lastValueFrom(store.subscribe({ filter: { streamPrefixes: [stream] } }).pipe(toArray()));
        await firstValueFrom(store.subscribe({ filter: { streamPrefixes: [stream] } }).pipe(rxFilter((m) => m.kind === 'caught-up')));
        await store.close();
        await expect(open).resolves.toEqual(expect.any(Array));
        await expect(lastValueFrom(store.subscribe({}))).rejects.toThrow(/closed/);
      });

      it('keeps a data field named "__proto__", as JSON.parse makes one, as data', async () => {
        const stream = newStream();
        const data = JSON.parse('{"__proto__":{"polluted":true},"ok":1}') as unknown;
        const [proposed] = proposedEvents(1, 'Shaped', () => data);
        rightOrThrow(await store.append(stream, [proposed!], 'no-stream'));
        const [stored] = await store.readStream(stream);
        expect(Object.keys(stored!.data as object).sort()).toEqual(['__proto__', 'ok']);
        const { position: _position, hash, ...fields } = stored!;
        expect(hashEvent(fields)).toBe(hash);
      });

      it('keeps every envelope field it was given', async () => {
        const stream = newStream();
        const [proposed] = proposedEvents(1, 'Shaped', () => ({ nested: { list: [1, 'two', null], flag: true }, amount: 12345 }));
        rightOrThrow(await store.append(stream, [proposed!], 'any'));
        const [stored] = await store.readStream(stream);
        expect(stored).toMatchObject({ ...proposed, streamId: stream, revision: 0 });
      });

      it('keeps the longest ids the engine derives: a stream id and a command id of 256 characters', async () => {
        const stream = newStream().padEnd(256, 'x');
        const [proposed] = proposedEvents(1);
        const longIds = { ...proposed!, commandId: 'c'.repeat(256), correlationId: 'r'.repeat(256), causationId: 'k'.repeat(256) };
        rightOrThrow(await store.append(stream, [longIds], 'no-stream'));
        expect(await store.readStream(stream)).toEqual([expect.objectContaining({ ...longIds, streamId: stream })]);
      });

      it('keeps what was appended when the caller changes its objects afterwards', async () => {
        const stream = newStream();
        const data = { nested: { list: [1, 'two'] as unknown[] }, amount: 100 };
        const [proposed] = proposedEvents(1, 'Shaped', () => data);
        rightOrThrow(await store.append(stream, [proposed!], 'no-stream'));
        data.amount = 999;
        data.nested.list.push('three');
        const [stored] = await store.readStream(stream);
        expect(stored?.data).toEqual({ nested: { list: [1, 'two'] }, amount: 100 });
        expect(hashEvent(stored!)).toBe(stored?.hash);
      });

      it('gives events increasing global positions across streams', async () => {
        const a = newStream();
        const b = newStream();
        const first = rightOrThrow(await store.append(a, proposedEvents(2), 'any'));
        const second = rightOrThrow(await store.append(b, proposedEvents(1), 'any'));
        const third = rightOrThrow(await store.append(a, proposedEvents(1), 'any'));
        const positions = [...first.events, ...second.events, ...third.events].map((e) => e.position);
        expect([...positions].sort((x, y) => x - y)).toEqual(positions);
        expect(new Set(positions).size).toBe(positions.length);
      });

      it('reads forwards from a revision with a count', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(10), 'no-stream'));
        const read = await store.readStream(stream, { fromRevision: 3, maxCount: 4 });
        expect(read.map((e) => e.revision)).toEqual([3, 4, 5, 6]);
      });

      it('reads backwards from the end or from a revision', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(5), 'no-stream'));
        expect((await store.readStream(stream, { direction: 'backwards' })).map((e) => e.revision)).toEqual([4, 3, 2, 1, 0]);
        expect((await store.readStream(stream, { direction: 'backwards', maxCount: 1 })).map((e) => e.revision)).toEqual([4]);
        expect((await store.readStream(stream, { direction: 'backwards', fromRevision: 2, maxCount: 2 })).map((e) => e.revision)).toEqual([2, 1]);
      });

      it('reads backwards from a revision past the end from the last event', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(3), 'no-stream'));
        expect((await store.readStream(stream, { direction: 'backwards', fromRevision: 9, maxCount: 1 })).map((e) => e.revision)).toEqual([2]);
        expect((await store.readStream(stream, { direction: 'backwards', fromRevision: 4, maxCount: 2 })).map((e) => e.revision)).toEqual([2, 1]);
        expect(await store.readStream(newStream(), { direction: 'backwards', fromRevision: 4, maxCount: 2 })).toEqual([]);
      });

      it('appending no events changes nothing', async () => {
        const stream = newStream();
        const result = rightOrThrow(await store.append(stream, [], 'any'));
        expect(result.events).toEqual([]);
        await expect(store.readStream(stream)).resolves.toEqual([]);
      });
    });

    describe('expected revision', () => {
      it('no-stream fails once the stream exists', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(1), 'no-stream'));
        const result = await store.append(stream, proposedEvents(1), 'no-stream');
        expect(result).toEqual(E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', streamId: stream, actual: 0 })));
      });

      it('an exact revision fails when the stream has moved on, and on a missing stream', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(3), 'no-stream'));
        expect(await store.append(stream, proposedEvents(1), 1)).toEqual(
          E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', expected: 1, actual: 2 })),
        );
        expect(await store.append(newStream(), proposedEvents(1), 0)).toEqual(
          E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', actual: -1 })),
        );
      });

      it('a revision the stream has not reached fails, naming the revision it is at', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(3), 'no-stream'));
        expect(await store.append(stream, proposedEvents(1), 5)).toEqual(
          E.left(expect.objectContaining({ code: 'WRONG_EXPECTED_REVISION', streamId: stream, expected: 5, actual: 2 })),
        );
      });

      it('a failed append writes nothing', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(2), 'no-stream'));
        await store.append(stream, proposedEvents(3), 0);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('any appends whatever the revision', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(1), 'any'));
        rightOrThrow(await store.append(stream, proposedEvents(1), 'any'));
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('of many concurrent writers expecting the same revision, exactly one wins', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(1), 'no-stream'));
        const results = await Promise.all(Array.from({ length: 8 }, () => store.append(stream, proposedEvents(2), 0)));
        expect(results.filter(E.isRight)).toHaveLength(1);
        expect(results.filter(E.isLeft).every((r) => E.isLeft(r) && r.left.code === 'WRONG_EXPECTED_REVISION')).toBe(true);
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
      });
    });

    describe('hash chain', () => {
      it('links each event to the previous one in its stream', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(2), 'no-stream'));
        rightOrThrow(await store.append(stream, proposedEvents(2), 'any'));
        const events = await store.readStream(stream);
        events.forEach((event, i) => {
          expect(event.previousHash).toBe(i === 0 ? GENESIS_HASH : events[i - 1]!.hash);
          const { position: _position, hash, ...fields } = event;
          expect(hash).toBe(hashEvent(fields));
        });
      });
    });

    describe('read all', () => {
      it('reads every event in global order and pages with lastPosition', async () => {
        const start = await store.headPosition();
        const a = newStream();
        const b = newStream();
        rightOrThrow(await store.append(a, proposedEvents(3), 'any'));
        rightOrThrow(await store.append(b, proposedEvents(2), 'any'));
        rightOrThrow(await store.append(a, proposedEvents(1), 'any'));
        const seen: EventEnvelope[] = [];
        let after = start;
        for (;;) {
          const page = await store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 2, filter: { streamPrefixes: [a, b] } });
          seen.push(...page.events);
          after = page.lastPosition;
          if (page.isEnd) break;
        }
        expect(seen.map((e) => `${e.streamId === a ? 'a' : 'b'}${e.revision}`)).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'a3']);
        expect(seen.map((e) => e.position)).toEqual([...seen.map((e) => e.position)].sort((x, y) => x - y));
      });

      it('filters by event type', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, [...proposedEvents(2, 'Kept'), ...proposedEvents(2, 'Dropped'), ...proposedEvents(1, 'Kept')], 'any'));
        const page = await store.readAll({ filter: { streamPrefixes: [stream], eventTypes: ['Kept'] }, maxCount: 100 });
        expect(page.events.map((e) => e.revision)).toEqual([0, 1, 4]);
      });

      it('moves lastPosition past the events a filter skips, so a sparse reader never rescans them', async () => {
        const stream = newStream();
        rightOrThrow(await store.append(stream, proposedEvents(5, 'Skipped'), 'any'));
        const head = await store.headPosition();
        const page = await store.readAll({ filter: { streamPrefixes: [stream], eventTypes: ['Absent'] }, maxCount: 10 });
        expect(page.events).toEqual([]);
        expect(page.lastPosition).toBeGreaterThanOrEqual(head!);
      });

      it('reports the head position', async () => {
        const result = rightOrThrow(await store.append(newStream(), proposedEvents(2), 'any'));
        await expect(store.headPosition()).resolves.toBe(result.events[1]!.position);
      });
    });

    describe('subscribe', () => {
      it('catches up, says so, then delivers live events in order', async () => {
        const stream = newStream('sub');
        const filter = { streamPrefixes: [stream] };
        rightOrThrow(await store.append(stream, proposedEvents(3), 'no-stream'));
        const messages = collect(store.subscribe({ filter }).pipe(rxFilter((m) => m.kind !== 'checkpoint')), 6);
        await new Promise((resolve) => setTimeout(resolve, 20));
        rightOrThrow(await store.append(stream, proposedEvents(2), 2));
        const received = await messages;
        expect(received.map((m) => (m.kind === 'event' ? m.event.revision : m.kind))).toEqual([0, 1, 2, 'caught-up', 3, 4]);
      });

      it('starts after a given position', async () => {
        const stream = newStream('sub');
        const written = rightOrThrow(await store.append(stream, proposedEvents(4), 'no-stream'));
        const events = await eventsOf(store.subscribe({ after: written.events[1]!.position, filter: { streamPrefixes: [stream] } }), 2);
        expect(events.map((e) => e.revision)).toEqual([2, 3]);
      });

      it('filters by type, and moves its checkpoint past events it skipped', async () => {
        const stream = newStream('sub');
        rightOrThrow(await store.append(stream, [...proposedEvents(1, 'Wanted'), ...proposedEvents(3, 'Unwanted')], 'no-stream'));
        const head = await store.headPosition();
        const messages = await firstValueFrom(
          store
            .subscribe({ filter: { streamPrefixes: [stream], eventTypes: ['Wanted'] } })
            .pipe(
              rxFilter((m) => m.kind === 'caught-up' || (m.kind === 'checkpoint' && m.position === head) || m.kind === 'event'),
              take(2),
              toArray(),
            ),
        );
        expect(messages[0]).toMatchObject({ kind: 'event', event: { type: 'Wanted' } });
        expect(['checkpoint', 'caught-up']).toContain(messages[1]!.kind);
      });

      it('delivers every event of concurrent appends exactly once', async () => {
        const streams = Array.from({ length: 5 }, () => newStream('sub'));
        const received = eventsOf(store.subscribe({ filter: { streamPrefixes: streams } }), 20);
        await Promise.all(streams.map(async (s) => {
          for (let i = 0; i < 2; i += 1) rightOrThrow(await store.append(s, proposedEvents(2), 'any'));
        }));
        const events = await received;
        expect(new Set(events.map((e) => e.eventId)).size).toBe(20);
        expect(events.map((e) => e.position)).toEqual([...events.map((e) => e.position)].sort((x, y) => x - y));
      });
    });
  });
};
