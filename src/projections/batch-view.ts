import * as E from 'fp-ts/Either';
import { guarded } from './guarded-call';
import type { DocumentChange, ProjectionView } from './projection';
import type { DocumentKey, DocumentWrite, JsonDocument, ProjectionVersion, ReadModelError, ReadModelStore } from './read-model-store';
import { copyJsonDocument } from './read-model-rules';

/** Raised inside the runner when the view cannot read the store; the runner turns it into a status value. */
export class ReadModelReadFailure {
  constructor(readonly error: ReadModelError) {}
}

/** A document as the store holds it; position -1 when there is none. */
interface Stored {
  readonly document: JsonDocument | undefined;
  readonly position: number;
}

const GET_MANY_CHUNK = 500;

/** By collection, then id: no key string is built per lookup, and ids are hashed as they come. */
class KeyedByDocument<V> {
  private readonly collections = new Map<string, Map<string, V>>();

  get(collection: string, id: string): V | undefined {
    return this.collections.get(collection)?.get(id);
  }

  has(collection: string, id: string): boolean {
    return this.collections.get(collection)?.has(id) ?? false;
  }

  set(collection: string, id: string, value: V): void {
    const documents = this.collections.get(collection);
    if (documents === undefined) this.collections.set(collection, new Map([[id, value]]));
    else documents.set(id, value);
  }

  values(): V[] {
    const all: V[] = [];
    for (const documents of this.collections.values()) for (const value of documents.values()) all.push(value);
    return all;
  }
}

/**
 * The view of one batch: the batch's pending changes over the documents as stored. Each document is read from
 * the store at most once per batch, and written once, with its last state.
 *
 * A pending change shows only if the store will apply it, i.e. if its event is after the one the stored
 * document reflects. They differ only when a batch cut short on a store without transactions is replayed:
 * the store then skips the replayed writes it already has, and later events of the batch must build on what
 * it keeps, not on what the skipped write would have been.
 */
export class BatchView implements ProjectionView {
  private readonly pending = new KeyedByDocument<DocumentWrite>();
  private readonly stored = new KeyedByDocument<Stored>();
  private readonly frozenCopies = new WeakSet<JsonDocument>();

  constructor(
    private readonly store: ReadModelStore,
    private readonly version: ProjectionVersion,
  ) {}

  async get(collection: string, id: string): Promise<JsonDocument | undefined> {
    const stored = this.stored.get(collection, id) ?? (await this.load(collection, id));
    const pending = this.pending.get(collection, id);
    if (pending !== undefined && pending.position > stored.position) return pending.kind === 'put' ? this.settled(pending, stored) : undefined;
    return stored.document;
  }

  /**
   * A pending document as frozen as a stored one, before a later event of the batch reads it: else an event
   * that changed it in place and was then refused (parked) would leave its change in the batch. The copy
   * shares what is unchanged since the stored document, and replaces the pending one, so it is made once.
   */
  private settled(pending: DocumentWrite & { readonly kind: 'put' }, stored: Stored): JsonDocument {
    if (this.frozenCopies.has(pending.document)) return pending.document;
    const copied = copyJsonDocument(pending.document, stored.document);
    // A document that is no JSON is left for the store's commit to refuse, naming it.
    if (E.isLeft(copied)) return pending.document;
    this.frozenCopies.add(copied.right);
    this.pending.set(pending.collection, pending.id, { ...pending, document: copied.right });
    return copied.right;
  }

  /** Loads, in as few round trips as possible, the documents the batch is about to read. */
  async preload(keys: readonly DocumentKey[]): Promise<E.Either<ReadModelError, void>> {
    const wanted = new KeyedByDocument<DocumentKey>();
    for (const key of keys) {
      if (!this.stored.has(key.collection, key.id)) wanted.set(key.collection, key.id, key);
    }
    const missing = wanted.values();
    for (let start = 0; start < missing.length; start += GET_MANY_CHUNK) {
      const chunk = missing.slice(start, start + GET_MANY_CHUNK);
      const found = await guarded(() => this.store.getMany(this.version, chunk));
      if (E.isLeft(found)) return found;
      chunk.forEach((key, i) => {
        const document = found.right[i];
        this.stored.set(key.collection, key.id, document === undefined ? { document: undefined, position: -1 } : document);
      });
    }
    return E.right(undefined);
  }

  /** A document `preload` loaded, as stored (pending changes aside); undefined if it was not loaded or there is none. */
  preloaded(collection: string, id: string): JsonDocument | undefined {
    return this.stored.get(collection, id)?.document;
  }

  /** Records an event's changes; a document changed again later in the batch keeps only its last state. */
  record(changes: readonly DocumentChange[], position: number): void {
    // Field by field rather than a spread: this runs for every change of every event.
    for (const change of changes) {
      const { collection, id } = change;
      this.pending.set(collection, id, change.kind === 'put' ? { kind: 'put', collection, id, position, document: change.document } : { kind: 'delete', collection, id, position });
    }
  }

  writes(): readonly DocumentWrite[] {
    return this.pending.values();
  }

  private async load(collection: string, id: string): Promise<Stored> {
    const found = await guarded(() => this.store.get(this.version, collection, id));
    if (E.isLeft(found)) throw new ReadModelReadFailure(found.left);
    const stored = found.right === undefined ? { document: undefined, position: -1 } : found.right;
    this.stored.set(collection, id, stored);
    return stored;
  }
}
