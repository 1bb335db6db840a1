import * as E from 'fp-ts/Either';
import type { EventEnvelope, ProposedEvent } from './event-store/envelope';
import { EventStore, NO_STREAM_REVISION } from './event-store/event-store';
import type { Aggregate } from './aggregate';
import type { Clock } from './clock';
import { CommandError, rejected } from './command-error';
import type { IdGenerator } from './ids';
import type { EventSchemas } from './schema/event-schemas';
import { decodeStoredEvent, UnreadableEvent } from './schema/stored-event';
import { CachedState, StateCache } from './state-cache';

/** Who sent a command and why: copied onto every event it produces. */
export interface CommandMetadata {
  readonly commandId: string;
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
}

export interface HandledCommand<S> {
  readonly streamId: string;
  /** The events the command appended; on a repeat, the ones its first execution appended. */
  readonly events: readonly EventEnvelope[];
  /** The stream's revision after the command. */
  readonly revision: number;
  readonly state: S;
  /** True when the command id had already been handled and nothing was appended this time. */
  readonly duplicate: boolean;
}

export interface CommandRejection {
  readonly error: CommandError;
  readonly streamId: string;
  /** The revision of the state the command was decided on; undefined when it never got that far. */
  readonly revision: number | undefined;
}

interface Loaded<S> extends CachedState<S> {
  /** Events of this stream that an earlier execution of the same command id appended. */
  readonly earlier: readonly EventEnvelope[];
}

export interface CommandHandlerDependencies {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly schemas: EventSchemas;
  readonly cacheCapacity: number;
  /** How many times a command is decided again after losing a race for its stream. */
  readonly maxAttempts: number;
  /** Told the stream and the number of the attempt about to start, each time a lost race is retried. */
  readonly onConflictRetry: (streamId: string, attempt: number) => void;
}

/**
 * Runs commands of one aggregate: load (cache or replay) → decide → append with the expected revision →
 * on a conflict, reload and decide again, up to `maxAttempts` times.
 */
export class CommandHandler<C, Ev extends { readonly type: string; readonly data: unknown }, S> {
  private readonly cache: StateCache<S> | undefined;

  constructor(
    readonly aggregate: Aggregate<C, Ev, S>,
    private readonly deps: CommandHandlerDependencies,
  ) {
    this.cache = deps.cacheCapacity > 0 ? new StateCache<S>(deps.cacheCapacity) : undefined;
  }

  async handle(command: C, metadata: CommandMetadata): Promise<E.Either<CommandRejection, HandledCommand<S>>> {
    const streamId = this.aggregate.streamIdOf(command);
    for (let attempt = 1; ; attempt += 1) {
      const loaded = await this.loadForCommand(streamId, metadata.commandId, attempt === 1);
      if (E.isLeft(loaded)) return E.left({ error: loaded.left, streamId, revision: undefined });
      const { state, revision, earlier } = loaded.right;
      if (earlier.length > 0) return E.right({ streamId, events: earlier, revision, state, duplicate: true });

      const now = this.deps.clock();
      const decision = this.aggregate.decider.decide(command, state, { now });
      if (E.isLeft(decision)) return E.left({ error: rejected(decision.left), streamId, revision });

      const events = decision.right;
      const recordedAt = this.deps.clock();
      const proposed: ProposedEvent[] = events.map((event) => ({
        eventId: this.deps.newId(),
        type: event.type,
        schemaVersion: this.deps.schemas.currentVersion(event.type),
        data: event.data,
        occurredAt: now,
        recordedAt,
        ...metadata,
      }));
      const appended = await this.deps.store.append(streamId, proposed, revision === NO_STREAM_REVISION ? 'no-stream' : revision);
      if (E.isRight(appended)) {
        let next = state;
        for (const event of events) next = this.aggregate.decider.evolve(next, event);
        const nextRevision = appended.right.nextExpectedRevision;
        this.cache?.set(streamId, { state: next, revision: nextRevision });
        return E.right({ streamId, events: appended.right.events, revision: nextRevision, state: next, duplicate: false });
      }
      this.cache?.delete(streamId);
      const failure = appended.left;
      if (failure.code === 'STORE_UNAVAILABLE') {
        return E.left({ error: { kind: 'unavailable', code: 'STORE_UNAVAILABLE', message: failure.message }, streamId, revision });
      }
      if (attempt >= this.deps.maxAttempts) {
        return E.left({
          error: { kind: 'conflict', code: 'CONCURRENCY_CONFLICT', message: `stream ${streamId} kept changing: gave up after ${attempt} attempts` },
          streamId,
          revision,
        });
      }
      this.deps.onConflictRetry(streamId, attempt + 1);
    }
  }

  /** The current state of a stream, replayed from the store (or the cache). */
  async load(streamId: string): Promise<E.Either<CommandError, CachedState<S>>> {
    return this.loadForCommand(streamId, undefined, true);
  }

  /** Drops a stream's cached state, so that its next command replays the stream. */
  forget(streamId: string): void {
    this.cache?.delete(streamId);
  }

  /** Decodes a stored event of this aggregate, upcasting older schema versions first. */
  decodeEvent(envelope: EventEnvelope): E.Either<CommandError, Ev> {
    return E.mapLeft((unreadable: UnreadableEvent): CommandError => ({ kind: 'unavailable', code: 'UNREADABLE_EVENT', message: unreadable.message }))(
      decodeStoredEvent(this.aggregate.eventCodec, this.deps.schemas, envelope),
    );
  }

  private async loadForCommand(streamId: string, commandId: string | undefined, useCache: boolean): Promise<E.Either<CommandError, Loaded<S>>> {
    const cached = useCache ? this.cache?.get(streamId) : undefined;
    if (cached !== undefined) return E.right({ ...cached, earlier: [] });
    const envelopes = await this.deps.store.readStream(streamId);
    let state = this.aggregate.decider.initialState;
    let earlier: EventEnvelope[] | undefined;
    for (const envelope of envelopes) {
      const event = this.decodeEvent(envelope);
      if (E.isLeft(event)) return event;
      state = this.aggregate.decider.evolve(state, event.right);
      // A command id found in the stream means this command already ran: a restart may have emptied the
      // in-memory idempotency record, but the stream itself remembers.
      if (envelope.commandId === commandId) (earlier ??= []).push(envelope);
    }
    const revision = envelopes.length === 0 ? NO_STREAM_REVISION : (envelopes[envelopes.length - 1] as EventEnvelope).revision;
    if (earlier === undefined) this.cache?.set(streamId, { state, revision });
    return E.right({ state, revision, earlier: earlier ?? [] });
  }
}
