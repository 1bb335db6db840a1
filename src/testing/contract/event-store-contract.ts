import { ok, rejects, strictEqual } from 'node:assert';
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/Either';
import { firstValueFrom, lastValueFrom, Observable } from 'rxjs';
import { filter as rxFilter, shareReplay, take, toArray } from 'rxjs/operators';
import { GENESIS_HASH, hashEvent } from '../../engine/audit/hash-chain';
import type { EventEnvelope } from '../../engine/event-store/envelope';
import { walkEndsAt } from '../../engine/event-store/event-store';
import type { EventFilter, EventStore, SubscriptionMessage } from '../../engine/event-store/event-store';
import { describeContractCases } from './contract-case';
import type { ContractCase, ContractHarness, ContractSuiteOptions } from './contract-case';
import { waitingFor } from './case-waits';
import { leftOf, rightOrThrow } from './either-results';
import { assertPartialMatch, assertStructurallyEqual } from './structural-assertions';
import { proposedEvents } from './proposed-events';

export interface EventStoreHarness extends ContractHarness {
  /** A fresh, empty store, or one on a shared server: every case writes streams of its own. */
  readonly store: EventStore;
}

const eventsOf = (source: Observable<SubscriptionMessage>, count: number): Promise<EventEnvelope[]> =>
  waitingFor(
    `${count} events from a subscription`,
    firstValueFrom(
      source.pipe(
        rxFilter((m): m is Extract<SubscriptionMessage, { kind: 'event' }> => m.kind === 'event'),
        take(count),
        toArray(),
      ),
    ),
  ).then((messages) => messages.map((m) => m.event));

const revisionsOf = (events: readonly EventEnvelope[]): number[] => events.map((e) => e.revision);

/**
 * A stream id no other case, run or process uses, so that a store on a shared server needs no clean-up.
 * The ids of a category are all of one length, so that none is a prefix of another: cases read their own
 * streams back through `streamPrefixes` filters.
 */
const newStream = (category = 'contract'): string => `${category}-${randomUUID()}`;

/** The read option for a position: none for `undefined`, which reads from the first event. */
const startingAfter = (position: number | undefined): { readonly after?: number } => (position === undefined ? {} : { after: position });

/**
 * Every event of `$all` after `after` that `filter` passes, read page by page until the walk ends: on a
 * store holding many events, a filtered page may scan only part of the log and hold none of them.
 */
const walkAll = async (store: EventStore, after: number | undefined, filter?: EventFilter): Promise<EventEnvelope[]> => {
  const seen: EventEnvelope[] = [];
  for (let position = after; ; ) {
    const page = await store.readAll({ ...startingAfter(position), maxCount: 1_000, ...(filter === undefined ? {} : { filter }) });
    seen.push(...page.events);
    if (walkEndsAt(page, position)) return seen;
    position = page.lastPosition;
  }
};

type EventStoreCase = ContractCase<EventStoreHarness>;
const casesOf = (group: string, cases: Readonly<Record<string, (store: EventStore) => Promise<void>>>): EventStoreCase[] =>
  Object.entries(cases).map(([name, run]) => ({ group, name, run: (harness) => run(harness.store) }));

/** The behaviour every event-store adapter must show, one case each. */
export const eventStoreContractCases: readonly EventStoreCase[] = [
  ...casesOf('append and read a stream', {
    'reads a stream that does not exist as empty': async (store) => {
      assertStructurallyEqual(await store.readStream(newStream()), []);
    },

    'assigns revisions from 0 and returns the next expected revision': async (store) => {
      const stream = newStream();
      const first = rightOrThrow(await store.append(stream, proposedEvents(2), 'no-stream'));
      strictEqual(first.nextExpectedRevision, 1);
      assertStructurallyEqual(revisionsOf(first.events), [0, 1]);
      const second = rightOrThrow(await store.append(stream, proposedEvents(3), 1));
      strictEqual(second.nextExpectedRevision, 4);
      const read = await store.readStream(stream);
      assertStructurallyEqual(revisionsOf(read), [0, 1, 2, 3, 4]);
      assertStructurallyEqual(
        read.map((e) => e.streamId),
        read.map(() => stream),
        'the stream ids of the events read, each expected to be the stream they were appended to',
      );
    },

    "hands out reads that are the caller's own: reordering one changes nothing stored": async (store) => {
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(3), 'no-stream'));
      const read = (await store.readStream(stream)) as EventEnvelope[];
      read.reverse();
      assertStructurallyEqual(revisionsOf(await store.readStream(stream)), [0, 1, 2]);
    },

    'refuses, as a value and writing nothing, events it could not read back: an invalid envelope, data JSON cannot hold': async (store) => {
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
        assertPartialMatch(leftOf(await store.append(stream, [event], 'no-stream')), { code: 'STORE_UNAVAILABLE' });
        assertStructurallyEqual(await store.readStream(stream), []);
      }
    },

    'stores data of any JavaScript shape as JSON keeps it, under a hash that verifies as it is read back': async (store) => {
      const stream = newStream();
      const [proposed] = proposedEvents(1, 'Shaped', () => ({ at: new Date(Date.UTC(2026, 10, 25)), sparse: [1, , 3], custom: { toJSON: () => 'custom' } }));
      rightOrThrow(await store.append(stream, [proposed!], 'no-stream'));
      const [stored] = await store.readStream(stream);
      assertStructurallyEqual(stored!.data, { at: '2026-11-25T00:00:00.000Z', sparse: [1, null, 3], custom: 'custom' });
      const { position: _position, hash, ...fields } = stored!;
      strictEqual(hashEvent(fields), hash);
    },

    'reads nothing for a negative count, and from the start for a position before the first': async (store) => {
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(3), 'no-stream'));
      assertStructurallyEqual(await store.readStream(stream, { maxCount: -1 }), []);
      const fromBefore = await walkAll(store, -1, { streamPrefixes: [stream] });
      assertStructurallyEqual(revisionsOf(fromBefore), [0, 1, 2]);
    },

    'ends its subscriptions when closed, and refuses one made afterwards, rather than leaving either waiting': async (store) => {
      const start = await store.headPosition();
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(1), 'no-stream'));
      const options = { ...startingAfter(start), filter: { streamPrefixes: [stream] } };
      const open = lastValueFrom(store.subscribe(options).pipe(toArray()));
      await waitingFor('a subscription to say it caught up', firstValueFrom(store.subscribe(options).pipe(rxFilter((m) => m.kind === 'caught-up'))));
      await store.close();
      ok(
        Array.isArray(await waitingFor('the subscription open when the store closed to complete', open)),
        'expected the subscription open when the store closed to complete with what it had delivered',
      );
      await waitingFor('a subscription made after the store closed to be refused', rejects(lastValueFrom(store.subscribe({})), /closed/));
    },

    'keeps a data field named "__proto__", as JSON.parse makes one, as data': async (store) => {
      const stream = newStream();
      const data = JSON.parse('{"__proto__":{"polluted":true},"ok":1}') as unknown;
      const [proposed] = proposedEvents(1, 'Shaped', () => data);
      rightOrThrow(await store.append(stream, [proposed!], 'no-stream'));
      const [stored] = await store.readStream(stream);
      assertStructurallyEqual(Object.keys(stored!.data as object).sort(), ['__proto__', 'ok']);
      const { position: _position, hash, ...fields } = stored!;
      strictEqual(hashEvent(fields), hash);
    },

    'keeps every envelope field it was given': async (store) => {
      const stream = newStream();
      const [proposed] = proposedEvents(1, 'Shaped', () => ({ nested: { list: [1, 'two', null], flag: true }, amount: 12345 }));
      rightOrThrow(await store.append(stream, [proposed!], 'any'));
      const [stored] = await store.readStream(stream);
      assertPartialMatch(stored, { ...proposed, streamId: stream, revision: 0 });
    },

    'keeps the longest ids the engine derives: a stream id and a command id of 256 characters': async (store) => {
      const stream = newStream().padEnd(256, 'x');
      const [proposed] = proposedEvents(1);
      const longIds = { ...proposed!, commandId: 'c'.repeat(256), correlationId: 'r'.repeat(256), causationId: 'k'.repeat(256) };
      rightOrThrow(await store.append(stream, [longIds], 'no-stream'));
      const read = await store.readStream(stream);
      assertPartialMatch(read, [{ ...longIds, streamId: stream }]);
      assertStructurallyEqual(read[0]!.data, longIds.data);
    },

    'keeps what was appended when the caller changes its objects afterwards': async (store) => {
      const stream = newStream();
      const data = { nested: { list: [1, 'two'] as unknown[] }, amount: 100 };
      const [proposed] = proposedEvents(1, 'Shaped', () => data);
      rightOrThrow(await store.append(stream, [proposed!], 'no-stream'));
      data.amount = 999;
      data.nested.list.push('three');
      const [stored] = await store.readStream(stream);
      assertStructurallyEqual(stored?.data, { nested: { list: [1, 'two'] }, amount: 100 });
      strictEqual(hashEvent(stored!), stored?.hash);
    },

    'gives events increasing global positions across streams': async (store) => {
      const a = newStream();
      const b = newStream();
      const first = rightOrThrow(await store.append(a, proposedEvents(2), 'any'));
      const second = rightOrThrow(await store.append(b, proposedEvents(1), 'any'));
      const third = rightOrThrow(await store.append(a, proposedEvents(1), 'any'));
      const positions = [...first.events, ...second.events, ...third.events].map((e) => e.position);
      assertStructurallyEqual([...positions].sort((x, y) => x - y), positions);
      strictEqual(new Set(positions).size, positions.length, `expected no position twice; found ${positions.join(', ')}`);
    },

    'reads forwards from a revision with a count': async (store) => {
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(10), 'no-stream'));
      assertStructurallyEqual(revisionsOf(await store.readStream(stream, { fromRevision: 3, maxCount: 4 })), [3, 4, 5, 6]);
    },

    'reads backwards from the end or from a revision': async (store) => {
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(5), 'no-stream'));
      assertStructurallyEqual(revisionsOf(await store.readStream(stream, { direction: 'backwards' })), [4, 3, 2, 1, 0]);
      assertStructurallyEqual(revisionsOf(await store.readStream(stream, { direction: 'backwards', maxCount: 1 })), [4]);
      assertStructurallyEqual(revisionsOf(await store.readStream(stream, { direction: 'backwards', fromRevision: 2, maxCount: 2 })), [2, 1]);
    },

    'reads backwards from a revision past the end from the last event': async (store) => {
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(3), 'no-stream'));
      assertStructurallyEqual(revisionsOf(await store.readStream(stream, { direction: 'backwards', fromRevision: 9, maxCount: 1 })), [2]);
      assertStructurallyEqual(revisionsOf(await store.readStream(stream, { direction: 'backwards', fromRevision: 4, maxCount: 2 })), [2, 1]);
      assertStructurallyEqual(await store.readStream(newStream(), { direction: 'backwards', fromRevision: 4, maxCount: 2 }), []);
    },

    'appending no events changes nothing': async (store) => {
      const stream = newStream();
      const result = rightOrThrow(await store.append(stream, [], 'any'));
      assertStructurallyEqual(result.events, []);
      assertStructurallyEqual(await store.readStream(stream), []);
    },
  }),

  ...casesOf('expected revision', {
    'no-stream fails once the stream exists': async (store) => {
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(1), 'no-stream'));
      const result = await store.append(stream, proposedEvents(1), 'no-stream');
      assertPartialMatch(leftOf(result), { code: 'WRONG_EXPECTED_REVISION', streamId: stream, actual: 0 });
    },

    'an exact revision fails when the stream has moved on, and on a missing stream': async (store) => {
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(3), 'no-stream'));
      assertPartialMatch(leftOf(await store.append(stream, proposedEvents(1), 1)), { code: 'WRONG_EXPECTED_REVISION', expected: 1, actual: 2 });
      assertPartialMatch(leftOf(await store.append(newStream(), proposedEvents(1), 0)), { code: 'WRONG_EXPECTED_REVISION', actual: -1 });
    },

    'a revision the stream has not reached fails, naming the revision it is at': async (store) => {
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(3), 'no-stream'));
      assertPartialMatch(leftOf(await store.append(stream, proposedEvents(1), 5)), { code: 'WRONG_EXPECTED_REVISION', streamId: stream, expected: 5, actual: 2 });
    },

    'a failed append writes nothing': async (store) => {
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(2), 'no-stream'));
      await store.append(stream, proposedEvents(3), 0);
      strictEqual((await store.readStream(stream)).length, 2);
    },

    'any appends whatever the revision': async (store) => {
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(1), 'any'));
      rightOrThrow(await store.append(stream, proposedEvents(1), 'any'));
      strictEqual((await store.readStream(stream)).length, 2);
    },

    'of many concurrent writers expecting the same revision, exactly one wins': async (store) => {
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(1), 'no-stream'));
      const results = await Promise.all(Array.from({ length: 8 }, () => store.append(stream, proposedEvents(2), 0)));
      assertStructurallyEqual(results.filter(E.isRight).length, 1, 'the number of appends that won, of 8');
      ok(
        results.filter(E.isLeft).every((r) => E.isLeft(r) && r.left.code === 'WRONG_EXPECTED_REVISION'),
        `expected every other append to fail with WRONG_EXPECTED_REVISION; found ${JSON.stringify(results.filter(E.isLeft))}`,
      );
      assertStructurallyEqual(revisionsOf(await store.readStream(stream)), [0, 1, 2]);
    },
  }),

  ...casesOf('hash chain', {
    'links each event to the previous one in its stream': async (store) => {
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(2), 'no-stream'));
      rightOrThrow(await store.append(stream, proposedEvents(2), 'any'));
      const events = await store.readStream(stream);
      events.forEach((event, i) => {
        strictEqual(event.previousHash, i === 0 ? GENESIS_HASH : events[i - 1]!.hash);
        const { position: _position, hash, ...fields } = event;
        strictEqual(hash, hashEvent(fields));
      });
    },
  }),

  ...casesOf('read all', {
    'reads every event in global order and pages with lastPosition': async (store) => {
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
      assertStructurallyEqual(
        seen.map((e) => `${e.streamId === a ? 'a' : 'b'}${e.revision}`),
        ['a0', 'a1', 'a2', 'b0', 'b1', 'a3'],
      );
      assertStructurallyEqual(seen.map((e) => e.position), [...seen.map((e) => e.position)].sort((x, y) => x - y));
    },

    'filters by event type': async (store) => {
      const start = await store.headPosition();
      const stream = newStream();
      rightOrThrow(await store.append(stream, [...proposedEvents(2, 'Kept'), ...proposedEvents(2, 'Dropped'), ...proposedEvents(1, 'Kept')], 'any'));
      assertStructurallyEqual(revisionsOf(await walkAll(store, start, { streamPrefixes: [stream], eventTypes: ['Kept'] })), [0, 1, 4]);
    },

    'moves lastPosition past the events a filter skips, so a sparse reader never rescans them': async (store) => {
      // From the head before this case's events: a filtered page of a store holding many events may end
      // before reaching the head, as the port allows.
      const start = await store.headPosition();
      const stream = newStream();
      rightOrThrow(await store.append(stream, proposedEvents(5, 'Skipped'), 'any'));
      const head = await store.headPosition();
      const page = await store.readAll({ ...startingAfter(start), filter: { streamPrefixes: [stream], eventTypes: ['Absent'] }, maxCount: 10 });
      assertStructurallyEqual(page.events, []);
      ok(
        page.lastPosition !== undefined && page.lastPosition >= head!,
        `expected lastPosition at or past the head, ${String(head)}; found ${String(page.lastPosition)}`,
      );
    },

    'reports the head position': async (store) => {
      const result = rightOrThrow(await store.append(newStream(), proposedEvents(2), 'any'));
      const own = result.events[1]!.position;
      const head = await store.headPosition();
      // Alone in its store the head is this case's last event; on a shared one others may have written after
      // it since. Either way the head is the newest event: this case's, or one of those the log holds after it.
      const after = (await walkAll(store, own)).map((e) => e.position);
      ok(
        head === own || (head !== undefined && after.includes(head)),
        `expected the head at this case's last event, ${own}, or at an event after it (${after.length === 0 ? 'there are none' : `at ${after.slice(0, 10).join(', ')}${after.length > 10 ? ', …' : ''}`}); found ${String(head)}`,
      );
    },
  }),

  // Subscriptions start at the head taken before a case writes, so that on a store with a long history they
  // catch up over this case's events, not the whole log.
  ...casesOf('subscribe', {
    'catches up, says so, then delivers live events in order': async (store) => {
      const start = await store.headPosition();
      const stream = newStream('sub');
      const filter = { streamPrefixes: [stream] };
      rightOrThrow(await store.append(stream, proposedEvents(3), 'no-stream'));
      // One subscription, replayed to each reader: the caught-up one waits for it to catch up, so the live
      // events are appended only after it has, however long its catch-up takes.
      const messages = store.subscribe({ ...startingAfter(start), filter }).pipe(
        rxFilter((m) => m.kind !== 'checkpoint'),
        take(6),
        shareReplay(),
      );
      await waitingFor('the subscription to say it caught up', firstValueFrom(messages.pipe(rxFilter((m) => m.kind === 'caught-up')), { defaultValue: undefined }));
      rightOrThrow(await store.append(stream, proposedEvents(2), 2));
      const received = await waitingFor('the subscription to deliver the 2 events appended after it caught up', lastValueFrom(messages.pipe(toArray())));
      assertStructurallyEqual(
        received.map((m) => (m.kind === 'event' ? m.event.revision : m.kind)),
        [0, 1, 2, 'caught-up', 3, 4],
      );
    },

    'starts after a given position': async (store) => {
      const stream = newStream('sub');
      const written = rightOrThrow(await store.append(stream, proposedEvents(4), 'no-stream'));
      const events = await eventsOf(store.subscribe({ after: written.events[1]!.position, filter: { streamPrefixes: [stream] } }), 2);
      assertStructurallyEqual(revisionsOf(events), [2, 3]);
    },

    'filters by type, and moves its checkpoint past events it skipped': async (store) => {
      const start = await store.headPosition();
      const stream = newStream('sub');
      rightOrThrow(await store.append(stream, [...proposedEvents(1, 'Wanted'), ...proposedEvents(3, 'Unwanted')], 'no-stream'));
      const head = await store.headPosition();
      const messages = await waitingFor(
        'the Wanted event from a subscription, then a checkpoint at the head or caught-up',
        firstValueFrom(
          store
            .subscribe({ ...startingAfter(start), filter: { streamPrefixes: [stream], eventTypes: ['Wanted'] } })
            .pipe(
              rxFilter((m) => m.kind === 'caught-up' || (m.kind === 'checkpoint' && m.position === head) || m.kind === 'event'),
              take(2),
              toArray(),
            ),
        ),
      );
      assertPartialMatch(messages[0], { kind: 'event', event: { type: 'Wanted' } });
      ok(
        ['checkpoint', 'caught-up'].includes(messages[1]!.kind),
        `expected, after the event, a checkpoint at the head or caught-up; found ${JSON.stringify(messages[1])}`,
      );
    },

    'delivers every event of concurrent appends exactly once': async (store) => {
      const start = await store.headPosition();
      const streams = Array.from({ length: 5 }, () => newStream('sub'));
      const received = eventsOf(store.subscribe({ ...startingAfter(start), filter: { streamPrefixes: streams } }), 20);
      await Promise.all(
        streams.map(async (s) => {
          for (let i = 0; i < 2; i += 1) rightOrThrow(await store.append(s, proposedEvents(2), 'any'));
        }),
      );
      const events = await received;
      assertStructurallyEqual(new Set(events.map((e) => e.eventId)).size, 20, 'the number of distinct events delivered, of 20');
      assertStructurallyEqual(events.map((e) => e.position), [...events.map((e) => e.position)].sort((x, y) => x - y));
    },
  }),
];

/**
 * Registers `eventStoreContractCases` as tests under `event store contract: <adapterName>`. Each test
 * creates a harness of its own with `createHarness` and disposes it after the case, whether the case
 * passed, failed or ran out of `options.caseTimeoutMs`. The store may be fresh and empty, or over a server
 * shared with other cases, runs and processes, even while they write: every case writes streams of its
 * own (randomUUID ids) and finds its events however many others the log holds. Registers with
 * `options.framework`, else the runner's globals, and throws without either.
 */
export const describeEventStoreContract = (adapterName: string, createHarness: () => Promise<EventStoreHarness>, options: ContractSuiteOptions = {}): void =>
  describeContractCases('describeEventStoreContract', `event store contract: ${adapterName}`, eventStoreContractCases, createHarness, options);
