import * as E from 'fp-ts/Either';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import { hashEvent } from '../../src/engine/audit/hash-chain';
import { exportNdjson, importNdjson } from '../../src/engine/audit/ndjson';
import type { EventEnvelope } from '../../src/engine/event-store/envelope';
import type { EventStore, ReadAllOptions, ReadAllPage } from '../../src/engine/event-store/event-store';

/** The export of `store` as its lines, without their newlines. */
export const exportLines = async (store: EventStore): Promise<string[]> => {
  const chunks: string[] = [];
  const exported = await exportNdjson(store, (chunk) => {
    chunks.push(chunk);
    return Promise.resolve();
  });
  if (E.isLeft(exported)) throw new Error(exported.left.message);
  return chunks.join('').split('\n').filter((line) => line !== '');
};

async function* asyncLines(lines: readonly string[]): AsyncGenerator<string> {
  yield* lines;
}

/** A fresh store holding the events of `lines` exactly as the lines say, however damaged. */
export const importLines = async (lines: readonly string[]): Promise<MemoryEventStore> => {
  const store = new MemoryEventStore();
  const imported = await importNdjson(asyncLines(lines), store, { batchSize: 7 });
  if (E.isLeft(imported)) throw new Error(imported.left.message);
  return store;
};

export const parseLine = (line: string): EventEnvelope => JSON.parse(line) as EventEnvelope;

/** An envelope changed by `change` and sealed again with a correct hash of its own: what a forger who knows the algorithm writes. */
export const resealed = (envelope: EventEnvelope, change: Partial<EventEnvelope>): string => {
  const changed = { ...envelope, ...change };
  return JSON.stringify({ ...changed, hash: hashEvent(changed) });
};

/**
 * The events of `lines` at positions `gap` apart, read as PostgreSQL reads its log: each page scans the next
 * `maxCount` positions, so a page over a stretch with no events is empty and is not the end.
 */
export class SparseLogStore extends MemoryEventStore {
  private readonly envelopes: readonly EventEnvelope[];

  constructor(lines: readonly string[], gap: number) {
    super();
    this.envelopes = lines.map((line, i) => ({ ...parseLine(line), position: i * gap }));
  }

  override headPosition(): Promise<number | undefined> {
    return Promise.resolve(this.envelopes[this.envelopes.length - 1]?.position);
  }

  override readAll(options: ReadAllOptions = {}): Promise<ReadAllPage> {
    const head = this.envelopes[this.envelopes.length - 1]?.position ?? -1;
    const after = options.after ?? -1;
    const last = Math.min(after + (options.maxCount ?? 4096), head);
    const events = this.envelopes.filter((e) => e.position > after && e.position <= last);
    return Promise.resolve({ events, lastPosition: last, isEnd: last >= head });
  }
}

export { asyncLines };
