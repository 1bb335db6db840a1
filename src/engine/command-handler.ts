import * as E from 'fp-ts/Either';
import type { EventEnvelope, ProposedEvent } from './event-store/envelope';
import { type AppendError, type AppendResult, EventStore, NO_STREAM_REVISION } from './event-store/event-store';
import type { Aggregate } from './aggregate';
import type { Clock } from './clock';
import type { DomainError } from '../domain/shared/domain-error';
import { CommandError, rejected, unreadableEvent } from './command-error';
import type { IdGenerator } from './ids';
import type { EventSchemas } from './schema/event-schemas';
import { decodeStoredEvent } from './schema/stored-event';
import { CachedState, StateCache } from './state-cache';
import { messageOf } from './error-message';
import { KeyedTurns } from './keyed-turns';

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

/**
 * A cached state with the ids of the commands that wrote its stream: a repeated command is recognised
 * from the cache too, even when the in-memory outcome record never saw it (after a restart, say).
 */
interface CacheEntry<S> extends CachedState<S> {
  readonly commandIds: Set<string>;
}

interface Loaded<S> extends CacheEntry<S> {
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
 *
 * Commands to one stream take turns, in the order they came: the next one starts when the one before has
 * its outcome, and decides on the state that one left. An engine thus never races itself for a stream, and
 * lost races (retries) come only from other processes writing the same streams. Without turns, commands to
 * a hot stream decided together on one state over a store whose append takes a round trip, and all but one
 * lost: with 8 writers on PostgreSQL, commands ran out of attempts on the hot orders of W2.
 */
export class CommandHandler<C, Ev extends { readonly type: string; readonly data: unknown }, S> {
  private readonly cache: StateCache<CacheEntry<S>> | undefined;
  /** Commands to one stream take turns (see above). */
  private readonly turns = new KeyedTurns();
  /**
   * Appends this handler has had answered, to any stream: a read of a stream the cache does not hold (never
   * read, or evicted) during which one was answered may hold a state that append superseded.
   */
  private appendsAnswered = 0;

  constructor(
    readonly aggregate: Aggregate<C, Ev, S>,
    private readonly deps: CommandHandlerDependencies,
  ) {
    this.cache = deps.cacheCapacity > 0 ? new StateCache<CacheEntry<S>>(deps.cacheCapacity) : undefined;
  }

  /**
   * `notBefore` holds the decision's time at or after a moment, for commands about that moment (a deadline
   * falls due at its time even when the clock that fires it reads earlier).
   */
  async handle(command: C, metadata: CommandMetadata, notBefore = 0): Promise<E.Either<CommandRejection, HandledCommand<S>>> {
    const streamId = this.aggregate.streamIdOf(command);
    const turn = this.turns.take(streamId);
    if (turn !== undefined) await turn;
    try {
      return await this.handleInTurn(streamId, command, metadata, notBefore);
    } finally {
      this.turns.pass(streamId);
    }
  }

  private async handleInTurn(streamId: string, command: C, metadata: CommandMetadata, notBefore: number): Promise<E.Either<CommandRejection, HandledCommand<S>>> {
    let attempt = 1;
    // A stream missing from the cache is first taken to be new: a command that creates it (decided on the
    // initial state, it has events to append) goes straight to the store expecting no stream, which saves
    // the read of an empty stream, a round trip over a server, for every new cart, order and payment. If
    // the stream exists after all, the append says so, and the command is decided again on what was read.
    let maybeNew = true;
    // Whether the cached state was found to be the stream's latest, after a refusal decided on it.
    let cacheChecked = false;
    for (;;) {
      // A cached state is decided on at once, without the promise of a load: most commands find their
      // stream in the cache. A lost race (to another process: this engine's commands to a stream take
      // turns) drops the entry unless it already holds the winner's state, and the next attempt reads the
      // store.
      const cached = this.cache?.get(streamId);
      // A command id the stream has seen is a repeat: replay the stream to return its first outcome.
      let current: CacheEntry<S> | undefined = cached?.commandIds.has(metadata.commandId) === true ? undefined : cached;
      const assumedNew = cached === undefined && maybeNew;
      if (assumedNew) current = { state: this.aggregate.decider.initialState, revision: NO_STREAM_REVISION, commandIds: new Set() };
      if (current === undefined) {
        const loaded = await this.loadFromStore(streamId, metadata.commandId);
        if (E.isLeft(loaded)) return E.left({ error: loaded.left, streamId, revision: undefined });
        const { state, earlier } = loaded.right;
        const firstRun = earlier[earlier.length - 1];
        if (firstRun !== undefined) return E.right({ streamId, events: earlier, revision: firstRun.revision, state, duplicate: true });
        current = loaded.right;
      }
      const { state, revision, commandIds } = current;

      const now = Math.max(this.deps.clock(), notBefore);
      let decision: E.Either<DomainError, readonly Ev[]>;
      try {
        decision = this.aggregate.decider.decide(command, state, { now });
      } catch (thrown) {
        // The deciders call the host's pricing and order policies: what they throw is answered, not thrown on.
        const message = `deciding ${this.aggregate.name} command on stream ${streamId} threw: ${messageOf(thrown)}`;
        return E.left({ error: { kind: 'unavailable', code: 'DECISION_THREW', message }, streamId, revision });
      }
      if (assumedNew && (E.isLeft(decision) || decision.right.length === 0)) {
        // Refused, or nothing to do, on a new stream: the stream's real state decides.
        maybeNew = false;
        continue;
      }
      // An append would fail on a stale cached state and be decided again; a refusal, or nothing to do,
      // would stand. Another engine (another host process) may have written the stream since it was cached,
      // so the stream's head says first whether the state is still the latest.
      if (current === cached && !cacheChecked && (E.isLeft(decision) || decision.right.length === 0)) {
        cacheChecked = true;
        if ((await this.latestRevision(streamId, revision)) !== revision) {
          this.cache?.delete(streamId);
          maybeNew = false;
          continue;
        }
      }
      if (E.isLeft(decision)) return E.left({ error: rejected(decision.left), streamId, revision });

      const events = decision.right;
      const recordedAt = Math.max(this.deps.clock(), now);
      const proposed: ProposedEvent[] = events.map((event) => ({
        eventId: this.deps.newId(),
        type: event.type,
        schemaVersion: this.deps.schemas.currentVersion(event.type),
        data: event.data,
        occurredAt: now,
        recordedAt,
        commandId: metadata.commandId,
        correlationId: metadata.correlationId,
        causationId: metadata.causationId,
        actor: metadata.actor,
      }));
      // Until this append is settled the cached state may be superseded: a read of the state meanwhile
      // (`load`, for a query) goes to the store instead.
      this.cache?.suspend(streamId);
      let appended: E.Either<AppendError, AppendResult>;
      try {
        appended = await this.deps.store.append(streamId, proposed, revision === NO_STREAM_REVISION ? 'no-stream' : revision);
      } catch (thrown) {
        // A store answers with values; one that throws (a host's own) is taken as one that could not be reached.
        appended = E.left({ code: 'STORE_UNAVAILABLE', message: `the event store threw on append: ${messageOf(thrown)}` });
      }
      this.appendsAnswered += 1;
      if (E.isRight(appended)) {
        let next = state;
        for (const event of events) next = this.aggregate.decider.evolve(next, event);
        const nextRevision = appended.right.nextExpectedRevision;
        commandIds.add(metadata.commandId);
        // A read that answered meanwhile, the stream's entry evicted during the append, may have cached a newer
        // state, written by another process.
        const newer = this.cache?.get(streamId);
        if ((newer?.revision ?? NO_STREAM_REVISION) < nextRevision) this.cache?.set(streamId, { state: next, revision: nextRevision, commandIds });
        else newer?.commandIds.add(metadata.commandId);
        return E.right({ streamId, events: appended.right.events, revision: nextRevision, state: next, duplicate: false });
      }
      const failure = appended.left;
      if (assumedNew && failure.code === 'WRONG_EXPECTED_REVISION') {
        // Not new after all: no race was lost, so this is no attempt.
        maybeNew = false;
        continue;
      }
      // What is cached is behind the store, or the store's answer was lost: the retry reads the stream.
      this.cache?.delete(streamId);
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
      // The stream exists: the retry reads it if the cache has nothing newer.
      maybeNew = false;
      attempt += 1;
      this.deps.onConflictRetry(streamId, attempt);
    }
  }

  /**
   * The current state of a stream: the cached one if the stream's head is still where it was (another
   * engine may have written it since), else replayed from the store.
   */
  async load(streamId: string): Promise<E.Either<CommandError, CachedState<S>>> {
    const cached = this.cache?.get(streamId);
    if (cached !== undefined && (await this.latestRevision(streamId, cached.revision)) === cached.revision) {
      return E.right({ state: cached.state, revision: cached.revision });
    }
    const loaded = await this.loadFromStore(streamId, undefined);
    return E.map(({ state, revision }: Loaded<S>): CachedState<S> => ({ state, revision }))(loaded);
  }

  /** Decodes a stored event of this aggregate, upcasting older schema versions first. */
  decodeEvent(envelope: EventEnvelope): E.Either<CommandError, Ev> {
    const decoded = decodeStoredEvent(this.aggregate.eventCodec, this.deps.schemas, envelope);
    return E.isRight(decoded) ? decoded : E.left(unreadableEvent(decoded.left));
  }

  /**
   * The revision of the stream's last event in the store, from a read of that event alone. A store that
   * cannot be read leaves `known` standing: the cache is then the best knowledge there is.
   */
  private async latestRevision(streamId: string, known: number): Promise<number> {
    try {
      const [last] = await this.deps.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
      return last === undefined ? NO_STREAM_REVISION : last.revision;
    } catch {
      return known;
    }
  }

  /** Replays a stream from the store, noting the events an earlier run of `commandId` appended. */
  private async loadFromStore(streamId: string, commandId: string | undefined): Promise<E.Either<CommandError, Loaded<S>>> {
    const appendsBefore = this.appendsAnswered;
    let envelopes: readonly EventEnvelope[];
    try {
      envelopes = await this.deps.store.readStream(streamId);
    } catch (error) {
      // The port lets a read reject when the store cannot be reached; the engine answers with a value.
      return E.left({ kind: 'unavailable', code: 'STORE_UNAVAILABLE', message: `reading stream ${streamId} failed: ${messageOf(error)}` });
    }
    let state = this.aggregate.decider.initialState;
    let earlier: EventEnvelope[] | undefined;
    const commandIds = new Set<string>();
    for (const envelope of envelopes) {
      const event = this.decodeEvent(envelope);
      if (E.isLeft(event)) return event;
      state = this.aggregate.decider.evolve(state, event.right);
      commandIds.add(envelope.commandId);
      // A command id found in the stream means this command already ran: a restart may have emptied the
      // in-memory idempotency record, but the stream itself remembers.
      if (envelope.commandId === commandId) (earlier ??= []).push(envelope);
    }
    const revision = envelopes.length === 0 ? NO_STREAM_REVISION : (envelopes[envelopes.length - 1] as EventEnvelope).revision;
    // A read that began before a command's append and ends after it (or while it is under way) must not put
    // back the state that append supersedes: the next command would be decided on it, and lose its race.
    const cache = this.cache;
    if (cache !== undefined && !cache.isSuspended(streamId)) {
      const held = cache.get(streamId);
      if (held === undefined ? this.appendsAnswered === appendsBefore : held.revision <= revision) cache.set(streamId, { state, revision, commandIds });
    }
    return E.right({ state, revision, commandIds, earlier: earlier ?? [] });
  }
}
