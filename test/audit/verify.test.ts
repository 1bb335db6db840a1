import * as E from 'fp-ts/Either';
import { GENESIS_HASH, hashEvent } from '../../src/engine/audit/hash-chain';
import { exportNdjson } from '../../src/engine/audit/ndjson';
import { StreamVerdict, TamperFinding, VerificationReport, verifyStore } from '../../src/engine/audit/verify';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import type { EventEnvelope } from '../../src/engine/event-store/envelope';
import type { EventStore, ReadAllPage } from '../../src/engine/event-store/event-store';
import { ORDER_ID, runShoppingJourney } from '../fixtures/shopping-journey';
import { exportLines, importLines, parseLine, resealed, SparseLogStore } from './ndjson-lines';

const ORDER_STREAM = `order-${ORDER_ID}`;

const verified = async (store: EventStore, streamIds?: readonly string[]): Promise<VerificationReport> => {
  const report = await verifyStore(store, { pageSize: 5, ...(streamIds === undefined ? {} : { streamIds }) });
  if (E.isLeft(report)) throw new Error(report.left.message);
  return report.right;
};

const verdictOf = (report: VerificationReport, streamId: string): StreamVerdict | undefined => report.streams.find((s) => s.streamId === streamId);

const findingOf = (report: VerificationReport, streamId: string): TamperFinding => {
  const verdict = verdictOf(report, streamId);
  if (verdict?.status !== 'tampered') throw new Error(`expected ${streamId} to be tampered, it is ${JSON.stringify(verdict)}`);
  return verdict.finding;
};

/** The index in `lines` of the event at `revision` of the order stream. */
const orderLine = (lines: readonly string[], revision: number): number =>
  lines.findIndex((line) => {
    const envelope = parseLine(line);
    return envelope.streamId === ORDER_STREAM && envelope.revision === revision;
  });

const onlyOrderTampered = (report: VerificationReport): void => {
  expect(report.ok).toBe(false);
  expect(report.streams.filter((s) => s.status !== 'ok').map((s) => s.streamId)).toEqual([ORDER_STREAM]);
};

class UnreachableStore extends MemoryEventStore {
  override readAll(): Promise<ReadAllPage> {
    return Promise.reject(new Error('connection reset'));
  }
}

describe('verifyStore', () => {
  let lines: string[];

  beforeAll(async () => {
    const journey = await runShoppingJourney();
    lines = await exportLines(journey.store);
  });

  it('reads past pages that hold no events but are not the end, as a log with holes gives', async () => {
    const sparse = await verified(new SparseLogStore(lines, 12));
    expect(sparse.eventCount).toBe(lines.length);
    const altered = lines.map((line, i) => (i === lines.length - 1 ? line.replace('"actor":"', '"actor":"x') : line));
    expect((await verified(new SparseLogStore(altered, 12))).ok).toBe(false);
  });

  it('refuses a page size that would read nothing, rather than find nothing wrong in what it never read', async () => {
    const store = await importLines(lines);
    for (const pageSize of [0, -1, 1.5, Number.NaN]) {
      expect(await verifyStore(store, { pageSize })).toEqual(E.left(expect.objectContaining({ code: 'INVALID_OPTION' })));
      expect(await exportNdjson(store, () => Promise.resolve(), { pageSize })).toEqual(E.left(expect.objectContaining({ code: 'INVALID_OPTION' })));
    }
    expect(await verifyStore(store, { pageSize: 1 })).toEqual(E.right(expect.objectContaining({ ok: true, eventCount: lines.length })));
    // A JavaScript host's null for no options, as the engine's own reads take it.
    expect(await verifyStore(store, null)).toEqual(E.right(expect.objectContaining({ ok: true, eventCount: lines.length })));
  });

  it('finds every chain of an untouched export intact, and gives each stream its head', async () => {
    const report = await verified(await importLines(lines));
    expect(report.ok).toBe(true);
    expect(report.eventCount).toBe(lines.length);
    const order = verdictOf(report, ORDER_STREAM);
    const lastOrderEvent = parseLine(lines[orderLine(lines, 9)] as string);
    expect(order).toEqual({ status: 'ok', streamId: ORDER_STREAM, eventCount: 10, headRevision: 9, headHash: lastOrderEvent.hash });
    expect(report.streams.map((s) => s.streamId)).toEqual([
      'cart-alice-cart',
      ORDER_STREAM,
      `deadline-payment-expiry-${ORDER_ID}`,
      `payment-${ORDER_ID}`,
      'provider-transaction-alipay-7781',
    ]);
  });

  it('sees one byte changed in one event, and names that event', async () => {
    const index = orderLine(lines, 3);
    const original = lines[index] as string;
    expect(original).toContain('Hangzhou');
    const tampered = [...lines];
    tampered[index] = original.replace('Hangzhou', 'Hangzhoe');

    const report = await verified(await importLines(tampered));

    onlyOrderTampered(report);
    const envelope = parseLine(original);
    expect(findingOf(report, ORDER_STREAM)).toMatchObject({
      kind: 'altered',
      streamId: ORDER_STREAM,
      revision: 3,
      eventId: envelope.eventId,
      expected: hashEvent(parseLine(tampered[index] as string)),
      actual: envelope.hash,
    });
  });

  it('sees an event altered and sealed again, at the next event of its stream', async () => {
    const index = orderLine(lines, 3);
    const original = parseLine(lines[index] as string);
    const tampered = [...lines];
    tampered[index] = resealed(original, { actor: 'someone-else' });

    const finding = findingOf(await verified(await importLines(tampered)), ORDER_STREAM);

    const next = parseLine(lines[orderLine(lines, 4)] as string);
    expect(finding).toMatchObject({ kind: 'removed', revision: 4, eventId: next.eventId, expected: parseLine(tampered[index] as string).hash, actual: original.hash });
  });

  it('sees an event removed from the middle of a stream', async () => {
    const tampered = lines.filter((_, i) => i !== orderLine(lines, 2));

    const report = await verified(await importLines(tampered));

    onlyOrderTampered(report);
    const after = parseLine(lines[orderLine(lines, 3)] as string);
    expect(findingOf(report, ORDER_STREAM)).toMatchObject({
      kind: 'removed',
      revision: 3,
      eventId: after.eventId,
      expected: 2,
      actual: 3,
      message: `revision 2 of ${ORDER_STREAM} is missing before event ${after.eventId}`,
    });
  });

  it('names every revision of a longer gap', async () => {
    const tampered = lines.filter((_, i) => i !== orderLine(lines, 2) && i !== orderLine(lines, 3));
    const after = parseLine(lines[orderLine(lines, 4)] as string);
    expect(findingOf(await verified(await importLines(tampered)), ORDER_STREAM)).toMatchObject({
      kind: 'removed',
      message: `revisions 2–3 of ${ORDER_STREAM} are missing before event ${after.eventId}`,
    });
  });

  it('sees the first event of a stream removed', async () => {
    const tampered = lines.filter((_, i) => i !== orderLine(lines, 0));
    expect(findingOf(await verified(await importLines(tampered)), ORDER_STREAM)).toMatchObject({ kind: 'removed', revision: 1, expected: 0, actual: 1 });
  });

  it('sees a forged event inserted into a stream, sealed and chained to its predecessor', async () => {
    const predecessor = parseLine(lines[orderLine(lines, 3)] as string);
    const genuine = parseLine(lines[orderLine(lines, 4)] as string);
    const forged = resealed(genuine, {
      eventId: 'forged-1',
      type: 'OrderNoteAdded',
      data: { orderId: ORDER_ID, author: 'mallory', text: 'customer agreed to no refund' },
      previousHash: predecessor.hash,
    });
    const tampered = [...lines];
    tampered.splice(orderLine(lines, 4), 0, forged);

    const report = await verified(await importLines(tampered));

    onlyOrderTampered(report);
    expect(findingOf(report, ORDER_STREAM)).toMatchObject({ kind: 'inserted', revision: 4, eventId: 'forged-1', expected: genuine.hash, actual: parseLine(forged).hash });
  });

  it('sees a forged event inserted after the genuine one with the same revision', async () => {
    const genuine = parseLine(lines[orderLine(lines, 4)] as string);
    const forged = resealed(genuine, { eventId: 'forged-2', data: { orderId: ORDER_ID, afterSalesDeadline: 1 } });
    const tampered = [...lines];
    tampered.splice(orderLine(lines, 4) + 1, 0, forged);

    expect(findingOf(await verified(await importLines(tampered)), ORDER_STREAM)).toMatchObject({ kind: 'inserted', revision: 4, eventId: 'forged-2', expected: genuine.hash });
  });

  it('says an event copied next to itself appears twice, rather than that it was inserted before itself', async () => {
    const line = orderLine(lines, 4);
    const tampered = [...lines];
    tampered.splice(line + 1, 0, lines[line] as string);
    const found = findingOf(await verified(await importLines(tampered)), ORDER_STREAM);
    expect(found).toMatchObject({ kind: 'inserted', revision: 4, message: expect.stringMatching(/appears twice in the log, at positions \d+ and \d+$/) });
  });

  it('sees an event that claims a revision the stream already has, appended at the end of the log', async () => {
    const genuine = parseLine(lines[orderLine(lines, 2)] as string);
    const tampered = [...lines, resealed(genuine, { eventId: 'forged-3', actor: 'mallory' })];

    expect(findingOf(await verified(await importLines(tampered)), ORDER_STREAM)).toMatchObject({
      kind: 'inserted',
      revision: 2,
      eventId: 'forged-3',
      expected: 10,
      actual: 2,
      message: `event forged-3 claims revision 2 of ${ORDER_STREAM}, which the stream already has`,
    });
  });

  /** Lines with a branch of `length` forged events chained from revision `from` - 1, placed before the genuine revision `from` or at the end of the log. */
  const withForgedBranch = (from: number, length: number, where: 'before' | 'at the end' = 'before'): string[] => {
    const forged: string[] = [];
    let previousHash = from === 0 ? GENESIS_HASH : parseLine(lines[orderLine(lines, from - 1)] as string).hash;
    for (let i = 0; i < length; i += 1) {
      const genuine = parseLine(lines[orderLine(lines, Math.min(from + i, 9))] as string);
      const line = resealed(genuine, { eventId: `forged-branch-${i}`, revision: from + i, actor: 'mallory', previousHash });
      forged.push(line);
      previousHash = parseLine(line).hash;
    }
    const tampered = [...lines];
    if (where === 'before') tampered.splice(orderLine(lines, from), 0, ...forged);
    else tampered.push(...forged);
    return tampered;
  };

  it('names both the genuine event and the forged one when a forged branch of several events comes before it, rather than blame the genuine one', async () => {
    const genuine = parseLine(lines[orderLine(lines, 4)] as string);
    for (const length of [2, 3]) {
      const tampered = withForgedBranch(4, length);
      const expected = {
        kind: 'inserted',
        revision: 4,
        eventId: genuine.eventId,
        message: `events forged-branch-0 and ${genuine.eventId} both claim revision 4 of ${ORDER_STREAM}, and the branch from ${genuine.eventId} is as long as the other or longer: one of the two was inserted, and only a head of the stream kept elsewhere tells which`,
      };
      const report = await verified(await importLines(tampered));
      onlyOrderTampered(report);
      expect(findingOf(report, ORDER_STREAM)).toMatchObject(expected);
      expect(findingOf(await verified(await importLines(tampered), [ORDER_STREAM]), ORDER_STREAM)).toMatchObject(expected);
    }
  });

  it('names both when a forged branch as long as the genuine events or longer is appended at the end, and the forged one alone when it is shorter', async () => {
    const genuine = parseLine(lines[orderLine(lines, 4)] as string);
    for (const length of [6, 8]) {
      expect(findingOf(await verified(await importLines(withForgedBranch(4, length, 'at the end'))), ORDER_STREAM)).toMatchObject({
        eventId: 'forged-branch-0',
        message: expect.stringMatching(new RegExp(`^events ${genuine.eventId} and forged-branch-0 both claim revision 4 .*one of the two was inserted`)),
      });
    }
    expect(findingOf(await verified(await importLines(withForgedBranch(4, 5, 'at the end'))), ORDER_STREAM)).toMatchObject({
      eventId: 'forged-branch-0',
      message: `event forged-branch-0 claims revision 4 of ${ORDER_STREAM}, which the stream already has`,
    });
  });

  it('weighs a forged branch from the very first revision the same way', async () => {
    const first = parseLine(lines[orderLine(lines, 0)] as string);
    expect(findingOf(await verified(await importLines(withForgedBranch(0, 2))), ORDER_STREAM)).toMatchObject({
      eventId: first.eventId,
      message: expect.stringMatching(new RegExp(`^events forged-branch-0 and ${first.eventId} both claim revision 0 .*one of the two was inserted`)),
    });
  });

  it('sees two events of a stream swapped', async () => {
    const second = orderLine(lines, 2);
    const third = orderLine(lines, 3);
    const tampered = [...lines];
    tampered[second] = lines[third] as string;
    tampered[third] = lines[second] as string;

    const report = await verified(await importLines(tampered));

    onlyOrderTampered(report);
    expect(findingOf(report, ORDER_STREAM)).toMatchObject({ kind: 'reordered', revision: 3, eventId: parseLine(lines[third] as string).eventId, expected: 2, actual: 3 });

    // A store that reads a stream back in revision order (PostgreSQL does) gives the same verdict on that stream alone.
    class ByRevision extends MemoryEventStore {
      override async readStream(streamId: string): Promise<readonly EventEnvelope[]> {
        return [...(await super.readStream(streamId))].sort((a, b) => a.revision - b.revision);
      }
    }
    const byRevision = new ByRevision();
    await byRevision.restore(tampered.map(parseLine));
    expect(findingOf(await verified(byRevision, [ORDER_STREAM]), ORDER_STREAM)).toMatchObject({ kind: 'reordered', revision: 3, expected: 2, actual: 3 });
  });

  it('sees an event moved far down the log', async () => {
    const moved = orderLine(lines, 1);
    const tampered = lines.filter((_, i) => i !== moved);
    tampered.push(lines[moved] as string);

    expect(findingOf(await verified(await importLines(tampered)), ORDER_STREAM)).toMatchObject({ kind: 'reordered', revision: 2, expected: 1, actual: 2 });
  });

  it('names an event moved down the log and changed for its change, which says more than its place', async () => {
    const moved = orderLine(lines, 1);
    const changed = (lines[moved] as string).replace('"actor":"', '"actor":"x');
    const tampered = [...lines.filter((_, i) => i !== moved), changed];

    expect(findingOf(await verified(await importLines(tampered)), ORDER_STREAM)).toMatchObject({ kind: 'altered', revision: 1, eventId: parseLine(changed).eventId });
  });

  it('names an event removed first, though a later event of its stream was altered too', async () => {
    const removed = orderLine(lines, 2);
    const laterIndex = orderLine(lines, 6);
    const later = (lines[laterIndex] as string).replace('"actor":"', '"actor":"x');
    const tampered = lines.map((line, i) => (i === laterIndex ? later : line)).filter((_, i) => i !== removed);

    expect(findingOf(await verified(await importLines(tampered)), ORDER_STREAM)).toMatchObject({ kind: 'removed', expected: 2, actual: 3 });
  });

  it('verifies only the streams asked for, and says which do not exist', async () => {
    const tampered = lines.filter((_, i) => i !== orderLine(lines, 2));
    const store = await importLines(tampered);

    const report = await verified(store, ['cart-alice-cart', 'order-nobody', ORDER_STREAM, 'cart-alice-cart']);

    expect(report.ok).toBe(false);
    expect(report.streams.map((s) => [s.streamId, s.status])).toEqual([
      ['cart-alice-cart', 'ok'],
      ['order-nobody', 'not-found'],
      [ORDER_STREAM, 'tampered'],
    ]);
    expect(report.eventCount).toBe(5 + 9);
    expect((await verified(store, ['cart-alice-cart'])).ok).toBe(true);
  });

  it('reports a store that cannot be read as a value', async () => {
    const report = await verifyStore(new UnreachableStore());
    expect(report).toEqual(E.left({ code: 'STORE_READ_FAILED', message: 'the event store could not be read: connection reset' }));
  });
});
