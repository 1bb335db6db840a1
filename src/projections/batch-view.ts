import * as E from 'fp-ts/Either';
import { guarded } from './guarded-call';
import type { DocumentChange, ProjectionView } from './projection';
import type { DocumentKey, DocumentWrite, JsonDocument, ProjectionVersion, ReadModelError, ReadModelStore } from './read-model-store';

/** Raised inside the runner when the view cannot read the store; the runner turns it into a status value. */
export class ReadModelReadFailure {
  constructor(readonly error: ReadModelError) {}
}

const GET_MANY_CHUNK = 500;

const keyOf = (collection: string, id: string): string => `${collection}\u0000${id}`;

/**
 * The view of one batch: the batch's pending changes over the documents read from the store during the batch.
 * Each document is read from the store at most once per batch, and written once, with its last state.
 */
export class BatchView implements ProjectionView {
  private readonly pending = new Map<string, DocumentWrite>();
  private readonly loaded = new Map<string, JsonDocument | undefined>();

  constructor(
    private readonly store: ReadModelStore,
    private readonly version: ProjectionVersion,
  ) {}

  async get(collection: string, id: string): Promise<JsonDocument | undefined> {
    const key = keyOf(collection, id);
    const pending = this.pending.get(key);
    if (pending !== undefined) return pending.kind === 'put' ? pending.document : undefined;
    if (this.loaded.has(key)) return this.loaded.get(key);
    const found = await guarded(() => this.store.get(this.version, collection, id));
    if (E.isLeft(found)) throw new ReadModelReadFailure(found.left);
    const document = found.right?.document;
    this.loaded.set(key, document);
    return document;
  }

  /** Loads, in as few round trips as possible, the documents the batch is about to read. */
  async preload(keys: readonly DocumentKey[]): Promise<E.Either<ReadModelError, void>> {
    const wanted = new Map<string, DocumentKey>();
    for (const key of keys) {
      const k = keyOf(key.collection, key.id);
      if (!this.loaded.has(k) && !this.pending.has(k)) wanted.set(k, key);
    }
    const missing = [...wanted.values()];
    for (let start = 0; start < missing.length; start += GET_MANY_CHUNK) {
      const chunk = missing.slice(start, start + GET_MANY_CHUNK);
      const found = await guarded(() => this.store.getMany(this.version, chunk));
      if (E.isLeft(found)) return found;
      chunk.forEach((key, i) => this.loaded.set(keyOf(key.collection, key.id), found.right[i]?.document));
    }
    return E.right(undefined);
  }

  /** Records an event's changes; a document changed again later in the batch keeps only its last state. */
  record(changes: readonly DocumentChange[], position: number): void {
    for (const change of changes) {
      const key = keyOf(change.collection, change.id);
      // Re-inserting keeps the writes ordered by the event that last touched each document.
      this.pending.delete(key);
      this.pending.set(key, { ...change, position });
    }
  }

  writes(): readonly DocumentWrite[] {
    return [...this.pending.values()];
  }
}
