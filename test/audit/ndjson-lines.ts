import * as E from 'fp-ts/Either';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import { hashEvent } from '../../src/engine/audit/hash-chain';
import { exportNdjson, importNdjson } from '../../src/engine/audit/ndjson';
import type { EventEnvelope } from '../../src/engine/event-store/envelope';
import type { EventStore } from '../../src/engine/event-store/event-store';

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

export { asyncLines };
