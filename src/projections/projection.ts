import type * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import type { EventEnvelope } from '../engine/event-store/envelope';
import type { EventFilter } from '../engine/event-store/event-store';
import type { CollectionDefinition, DocumentKey, JsonDocument } from './read-model-store';

/** Why a projection could not apply an event: a stable `code` and a message for people. */
export interface ProjectionHandlerError {
  readonly code: string;
  readonly message: string;
}

/** A change a projection asks for; the runner stamps it with the position of the event that made it. */
export type DocumentChange =
  | { readonly kind: 'put'; readonly collection: string; readonly id: string; readonly document: JsonDocument }
  | { readonly kind: 'delete'; readonly collection: string; readonly id: string };

/**
 * The documents of the projection's version as the batch being applied has left them: the store's, with the
 * batch's own earlier changes on top. If the store cannot be read, the promise rejects and the runner, which
 * owns the call, stops with a READ_MODEL_FAILED status; a projection lets that rejection through.
 */
export interface ProjectionView {
  get(collection: string, id: string): Promise<JsonDocument | undefined>;
}

/**
 * A projection: which events it reads and how each one changes its documents.
 *
 * `apply` must be deterministic: the same event and the same documents give the same changes, so that a
 * rebuild equals the live read model. On a store without transactions a batch may be cut short after some
 * of its writes and replayed; each write is then skipped if its document already reflects the event. For
 * that to end in the same documents, the change an event makes to one document may depend on other
 * documents only through facts that the same event does not change, or through a claim that names the
 * event (e.g. "counted by order X"), so that a replayed event recognises its own claim.
 */
export interface ProjectionDefinition<Ev> {
  /** Lower-case letters, digits, `-` and `_`: it names the projection's collections in every store. */
  readonly name: string;
  /** A new version is built beside the old one, from the first event. */
  readonly version: number;
  /** The events the projection reads: the subscription's filter. */
  readonly filter: EventFilter;
  /** Decodes `{ type, data }` of the events the filter lets through (after upcasting). */
  readonly codec: t.Decoder<unknown, Ev>;
  readonly collections: readonly CollectionDefinition[];
  /**
   * The documents `apply` will read for this event, when they can be named from the event alone: the runner
   * loads those of a whole batch in one `getMany` before applying it. Optional; anything else is read on demand.
   */
  readonly prefetch?: (event: Ev, envelope: EventEnvelope) => readonly DocumentKey[];
  /**
   * The documents `apply` will read that are named by documents `prefetch` loaded (an order's cart, say): the
   * runner loads those of the whole batch in a second `getMany`. `preloaded` gives a document as the store
   * holds it, not yet decoded, or undefined; a key named from a document of the wrong shape is only a wasted
   * read, since `apply` decodes what it reads. Optional, like `prefetch`.
   */
  readonly prefetchFollowing?: (event: Ev, envelope: EventEnvelope, preloaded: (collection: string, id: string) => JsonDocument | undefined) => readonly DocumentKey[];
  readonly apply: (event: Ev, envelope: EventEnvelope, view: ProjectionView) => Promise<E.Either<ProjectionHandlerError, readonly DocumentChange[]>>;
}
