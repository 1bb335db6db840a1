import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { decodeProblems } from '../engine/schema/decode-problems';
import { exactGuardOf } from '../engine/schema/guarded-decode';
import type { DocumentChange, ProjectionHandlerError, ProjectionView } from './projection';
import type { CollectionDefinition, DocumentKey, IndexDefinition, JsonDocument, StoredDocument } from './read-model-store';

/** A stored document that does not have the shape its collection's codec describes. */
export interface CorruptDocument {
  readonly code: 'CORRUPT_DOCUMENT';
  readonly message: string;
  readonly collection: string;
  readonly id: string;
}

/**
 * One collection of a projection with the type of its documents: documents read back (they come from outside
 * the process once the store is a database) are decoded before use.
 */
export interface DocumentCollection<D extends JsonDocument> {
  readonly name: string;
  readonly definition: CollectionDefinition;
  readonly key: (id: string) => DocumentKey;
  readonly decode: (id: string, document: unknown) => E.Either<CorruptDocument, D>;
  readonly decodeStored: (stored: StoredDocument) => E.Either<CorruptDocument, D>;
  /** Reads one document through a projection's view. */
  readonly read: (view: ProjectionView, id: string) => Promise<E.Either<ProjectionHandlerError, D | undefined>>;
  /** Reads a document (or takes `initial` when there is none) and puts what `change` makes of it. */
  readonly update: (view: ProjectionView, id: string, initial: D, change: (current: D) => D) => Promise<E.Either<ProjectionHandlerError, DocumentChange>>;
  readonly put: (id: string, document: D) => DocumentChange;
  readonly delete: (id: string) => DocumentChange;
}

export const documentCollection = <D extends JsonDocument>(
  name: string,
  codec: t.Type<D, unknown>,
  indexes: readonly IndexDefinition[] = [],
): DocumentCollection<D> => {
  // A document the exact guard accepts is one that decodes to itself, checked without building a result,
  // which matters as it runs on every document read; one it refuses is decoded, for the problems to report
  // (or the fields decode would add). It checks every document whole: remembering the frozen parts it had
  // accepted, which the in-memory store hands back, cost more in weak sets and their collection than it saved.
  const accepts: (document: unknown) => boolean = exactGuardOf(codec) ?? codec.is;
  const decode = (id: string, document: unknown): E.Either<CorruptDocument, D> => {
    if (accepts(document)) return E.right(document as D);
    const decoded = codec.decode(document);
    return E.isRight(decoded)
      ? decoded
      : E.left({ code: 'CORRUPT_DOCUMENT', message: `${name}/${id} is not a ${codec.name}: ${decodeProblems(decoded.left).slice(0, 3).join('; ')}`, collection: name, id });
  };
  const read = async (view: ProjectionView, id: string): Promise<E.Either<ProjectionHandlerError, D | undefined>> => {
    const document = await view.get(name, id);
    return document === undefined ? E.right(undefined) : decode(id, document);
  };
  const put = (id: string, document: D): DocumentChange => ({ kind: 'put', collection: name, id, document });
  return {
    name,
    definition: { name, indexes },
    key: (id) => ({ collection: name, id }),
    decode,
    decodeStored: (stored) => decode(stored.id, stored.document),
    read,
    update: async (view, id, initial, change) => {
      const current = await read(view, id);
      return E.isLeft(current) ? current : E.right(put(id, change(current.right ?? initial)));
    },
    put,
    delete: (id) => ({ kind: 'delete', collection: name, id }),
  };
};

/**
 * Joins the outcomes of an event's updates into its list of changes, or the first failure. Each update must
 * touch a different document: two updates of one document would both start from its state before the event.
 */
export const allChanges = (
  outcomes: readonly E.Either<ProjectionHandlerError, DocumentChange | readonly DocumentChange[]>[],
): E.Either<ProjectionHandlerError, readonly DocumentChange[]> => {
  const changes: DocumentChange[] = [];
  for (const outcome of outcomes) {
    if (E.isLeft(outcome)) return outcome;
    if (Array.isArray(outcome.right)) changes.push(...(outcome.right as readonly DocumentChange[]));
    else changes.push(outcome.right as DocumentChange);
  }
  return E.right(changes);
};
