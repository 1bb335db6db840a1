import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { defaultOrderPolicy } from '../../domain/order/decider';
import { standardPricingPolicy } from '../../domain/pricing/pricing-policy';
import type { Aggregate } from '../aggregate';
import { aggregates } from '../aggregates';
import type { EventEnvelope } from '../event-store/envelope';
import { DEADLINE_STREAM_PREFIX, DeadlineEvent } from '../process-manager/deadline-events';
import { currentEventSchemas } from '../schema/current-event-schemas';
import type { EventSchemas } from '../schema/event-schemas';
import { decodeStoredEvent, UnreadableEvent } from '../schema/stored-event';

/** Replays the streams under one prefix into a state, decoding (and upcasting) each stored event first. */
export interface StreamReplayer {
  readonly name: string;
  readonly streamPrefix: string;
  /** The state after `events`, folded in the order given over the initial state. */
  readonly replay: (events: Iterable<EventEnvelope>) => E.Either<UnreadableEvent, unknown>;
}

const foldWith =
  <Ev, S>(codec: t.Decoder<unknown, Ev>, initialState: S, evolve: (state: S, event: Ev) => S, schemas: EventSchemas) =>
  (events: Iterable<EventEnvelope>): E.Either<UnreadableEvent, S> => {
    let state = initialState;
    for (const envelope of events) {
      const event = decodeStoredEvent(codec, schemas, envelope);
      if (E.isLeft(event)) return event;
      state = evolve(state, event.right);
    }
    return E.right(state);
  };

const aggregateReplayer = <C, Ev extends { readonly type: string; readonly data: unknown }, S>(aggregate: Aggregate<C, Ev, S>, schemas: EventSchemas): StreamReplayer => ({
  name: aggregate.name,
  streamPrefix: aggregate.streamPrefix,
  replay: foldWith(aggregate.eventCodec, aggregate.decider.initialState, aggregate.decider.evolve, schemas),
});

/** A deadline as the process manager left it; deadlines have no decider, so the audit folds their events itself. */
export type DeadlineState =
  | { readonly status: 'none' }
  | {
      readonly status: 'scheduled' | 'cancelled' | 'fired';
      readonly deadlineId: string;
      readonly dueAt: number;
      readonly command: { readonly type: string; readonly data: unknown };
      readonly firedAt: number | null;
    };

const evolveDeadline = (state: DeadlineState, event: DeadlineEvent): DeadlineState => {
  if (event.type === 'DeadlineScheduled') return { status: 'scheduled', ...event.data, firedAt: null };
  if (state.status !== 'scheduled') return state;
  return event.type === 'DeadlineCancelled' ? { ...state, status: 'cancelled' } : { ...state, status: 'fired', firedAt: event.data.firedAt };
};

export interface ReplayerOptions {
  /** How older schema versions are read. Default: this release's schemas. */
  readonly schemas?: EventSchemas;
}

/** Replayers for every stream the engine writes: cart, order, payment, provider transaction and deadline. */
export const streamReplayers = (options: ReplayerOptions = {}): readonly StreamReplayer[] => {
  const schemas = options.schemas ?? currentEventSchemas;
  // Pricing and the order policy shape decisions only; replay folds decisions already made, so defaults do.
  const defs = aggregates(standardPricingPolicy(), defaultOrderPolicy);
  const initialDeadline: DeadlineState = { status: 'none' };
  return [
    aggregateReplayer(defs.cart, schemas),
    aggregateReplayer(defs.order, schemas),
    aggregateReplayer(defs.payment, schemas),
    aggregateReplayer(defs.providerTransaction, schemas),
    { name: 'deadline', streamPrefix: DEADLINE_STREAM_PREFIX, replay: foldWith(DeadlineEvent, initialDeadline, evolveDeadline, schemas) },
  ];
};

/** The replayer whose prefix is the longest one `streamId` starts with. */
export const replayerFor = (replayers: readonly StreamReplayer[], streamId: string): StreamReplayer | undefined =>
  // A JavaScript caller's id may be no text at all: it names no stream of any aggregate.
  typeof streamId !== 'string'
    ? undefined
    : replayers.reduce<StreamReplayer | undefined>(
        (best, candidate) => (streamId.startsWith(candidate.streamPrefix) && (best === undefined || candidate.streamPrefix.length > best.streamPrefix.length) ? candidate : best),
        undefined,
      );
