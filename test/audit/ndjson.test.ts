import * as E from 'fp-ts/Either';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import { decodeNdjsonLine, exportNdjson, importNdjson } from '../../src/engine/audit/ndjson';
import { stateAt } from '../../src/engine/audit/point-in-time';
import { verifyStore } from '../../src/engine/audit/verify';
import type { EventStore, ReadAllPage } from '../../src/engine/event-store/event-store';
import { runShoppingJourney, ShoppingJourney } from '../fixtures/shopping-journey';
import { proposedEvents } from '../../src/testing/contract/proposed-events';
import { asyncLines, exportLines, importLines, SparseLogStore } from './ndjson-lines';

const readEverything = async (store: EventStore) => (await store.readAll({ maxCount: 100_000 })).events;

describe('NDJSON export and import', () => {
  let journey: ShoppingJourney;
  let lines: string[];

  beforeAll(async () => {
    journey = await runShoppingJourney();
    lines = await exportLines(journey.store);
  });

  it('exports one canonical envelope per line, in global order, the same bytes every time', async () => {
    const events = await readEverything(journey.store);
    expect(lines).toHaveLength(events.length);
    expect(lines.map((line) => (JSON.parse(line) as { position: number }).position)).toEqual(events.map((e) => e.position));
    expect(lines[0]).toMatch(/^\{"actor":"alice","causationId":"cmd-1","commandId":"cmd-1",/);
    expect(await exportLines(journey.store)).toEqual(lines);
  });

  it('writes page by page, waiting for the sink, rather than building the whole export', async () => {
    const chunks: string[] = [];
    const progress: Array<[number, number | undefined]> = [];
    const exported = await exportNdjson(
      journey.store,
      async (chunk) => {
        await new Promise((resolve) => setImmediate(resolve));
        chunks.push(chunk);
      },
      { pageSize: 4, onProgress: (written, total) => progress.push([written, total]) },
    );
    expect(exported).toEqual(E.right({ events: lines.length }));
    expect(chunks).toHaveLength(Math.ceil(lines.length / 4));
    expect(chunks.join('')).toBe(`${lines.join('\n')}\n`);
    expect(progress[progress.length - 1]).toEqual([lines.length, lines.length]);
  });

  it('imports losslessly: same envelopes, chains that verify, the same replayed states', async () => {
    const imported = await importLines(lines);

    expect(await readEverything(imported)).toEqual(await readEverything(journey.store));
    const verified = await verifyStore(imported);
    expect(E.isRight(verified) && verified.right.ok).toBe(true);
    for (const streamId of journey.store.streamIds()) {
      const original = await stateAt(journey.store, streamId);
      expect(E.isRight(original)).toBe(true);
      expect(await stateAt(imported, streamId)).toEqual(original);
    }
  });

  it('leaves a restored store ready for new appends, which continue the chains', async () => {
    const imported = await importLines(lines);
    const order = await imported.readStream('order-20261125-0001');
    const last = order[order.length - 1];
    const appended = imported.appendNow('order-20261125-0001', proposedEvents(1, 'OrderNoteAdded'), last?.revision ?? -1);
    expect(E.isRight(appended) && appended.right.events[0]).toMatchObject({ revision: 10, position: lines.length, previousHash: last?.hash });
    const verified = await verifyStore(imported);
    expect(E.isRight(verified) && verified.right.ok).toBe(true);
  });

  it('skips blank lines but counts them, and drops fields an envelope does not have', async () => {
    const withExtra = JSON.stringify({ ...(JSON.parse(lines[0] as string) as object), note: 'not part of an event' });
    const store = new MemoryEventStore();
    const imported = await importNdjson(asyncLines([withExtra, '', '   ', ...lines.slice(1)]), store);
    expect(imported).toEqual(E.right({ events: lines.length, lines: lines.length + 2 }));
    expect(await exportLines(store)).toEqual(lines);
  });

  it('names the line that is not JSON', async () => {
    const broken = [...lines];
    broken[3] = (broken[3] as string).slice(0, 40);
    const imported = await importNdjson(asyncLines(broken), new MemoryEventStore());
    expect(imported).toMatchObject(E.left({ code: 'INVALID_NDJSON_LINE', line: 4 }));
    expect(E.isLeft(imported) && imported.left.message).toMatch(/^line 4 is not a stored event: not JSON/);
  });

  it('names the line that is JSON but not an envelope, and what is wrong with it', () => {
    const envelope = JSON.parse(lines[0] as string) as Record<string, unknown>;
    const decoded = decodeNdjsonLine(JSON.stringify({ ...envelope, revision: -1, hash: 'abc', actor: undefined }), 12);
    expect(decoded).toEqual(
      E.left({
        code: 'INVALID_NDJSON_LINE',
        line: 12,
        problems: ['revision: expected NonNegativeInteger, got -1', 'actor: expected Identifier, got nothing', 'hash: expected Sha256Hex, got "abc"'],
        message: 'line 12 is not a stored event: revision: expected NonNegativeInteger, got -1; actor: expected Identifier, got nothing; hash: expected Sha256Hex, got "abc"',
      }),
    );
  });

  it('exports past pages that hold no events but are not the end, as a log with holes gives', async () => {
    const chunks: string[] = [];
    const exported = await exportNdjson(new SparseLogStore(lines, 12), (chunk) => {
      chunks.push(chunk);
      return Promise.resolve();
    }, { pageSize: 5 });
    expect(exported).toEqual(E.right({ events: lines.length }));
    expect(chunks.join('').split('\n').filter((line) => line !== '')).toHaveLength(lines.length);
  });

  it('reports lines that cannot be read, and a closed target, as values', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield lines[0] as string;
      throw new Error('EIO: i/o error, read');
    }
    expect(await importNdjson(failing(), new MemoryEventStore())).toEqual(
      E.left({ code: 'NDJSON_READ_FAILED', message: 'the export could not be read: EIO: i/o error, read' }),
    );
    const closed = new MemoryEventStore();
    await closed.close();
    expect(await importNdjson(asyncLines(lines), closed)).toMatchObject(E.left({ code: 'STORE_UNAVAILABLE' }));
  });

  it('reports a target that throws as its own failure, on the last batch as on any other, never as the input\'s', async () => {
    const throwing = {
      restore: (): never => {
        throw new Error('disk full');
      },
    };
    for (const batchSize of [1, lines.length + 1]) {
      expect(await importNdjson(asyncLines(lines), throwing, { batchSize })).toEqual(E.left({ code: 'STORE_UNAVAILABLE', message: 'the import target failed: disk full' }));
    }
  });

  it('reports a sink or a store that fails as a value', async () => {
    const refused = await exportNdjson(journey.store, () => Promise.reject(new Error('EPIPE')));
    expect(refused).toEqual(E.left({ code: 'NDJSON_WRITE_FAILED', message: 'the export could not be written: EPIPE' }));

    class UnreachableStore extends MemoryEventStore {
      override readAll(): Promise<ReadAllPage> {
        return Promise.reject(new Error('connection reset'));
      }
    }
    expect(await exportNdjson(new UnreachableStore(), () => Promise.resolve())).toMatchObject(E.left({ code: 'STORE_READ_FAILED' }));
  });
});
