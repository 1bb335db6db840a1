import * as E from 'fp-ts/Either';
import type { Subscription } from 'rxjs';
import type { DomainError } from '../../domain/shared/domain-error';
import type { EngineCommand } from '../aggregates';
import type { Clock } from '../clock';
import { type CommandError, unreadableEvent } from '../command-error';
import type { EventEnvelope, ProposedEvent } from '../event-store/envelope';
import { type AppendError, type AppendResult, type EventStore, type ReadAllPage, type SubscriptionMessage, walkEndsAt } from '../event-store/event-store';
import type { IdGenerator } from '../ids';
import { delayAfter, RetryPolicy } from '../retry-policy';
import { WakeableSleeps } from '../wakeable-sleeps';
import type { EventSchemas } from '../schema/event-schemas';
import { decodeStoredEvent } from '../schema/stored-event';
import { DEADLINE_STREAM_PREFIX, DeadlineEvent, deadlineStreamId } from './deadline-events';
import { CompletionFrontier } from './completion-frontier';
import { DeadlineQueue } from './deadline-queue';
import { handledInOrder } from './handled-in-order';
import type { Reaction } from './reactions';
import { StreamLanes } from './stream-lanes';
import { messageOf } from '../error-message';

export const PROCESS_MANAGER_ACTOR = 'process-manager';
export const DEADLINE_ACTOR = 'deadline-scheduler';

const REACTION_COMMAND_ID_PREFIX = 'pm-';
const DEADLINE_COMMAND_ID_PREFIX = 'deadline-';

/** The id of the command a deadline sends when it fires, and of its own events. */
const deadlineCommandId = (deadlineId: string): string => `${DEADLINE_COMMAND_ID_PREFIX}${deadlineId}`;

/**
 * Whether a command id is of the kind the engine gives its own commands (`pm-<event id>-<n>`,
 * `deadline-<deadline id>`). A host may not send one: the engine's command would then be taken for a repeat
 * of the host's, or refused as a conflict with it, and never act (an order that never expires).
 */
export const isEngineCommandId = (commandId: string): boolean =>
  commandId.startsWith(REACTION_COMMAND_ID_PREFIX) || commandId.startsWith(DEADLINE_COMMAND_ID_PREFIX);

/** Events per page when the pending deadlines are read at start. */
const DEADLINE_PAGE_SIZE = 1_024;

/** What the process manager needs of the engine around it. */
export interface ProcessManagerDependencies {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  /** The engine's event schemas: deadline events are written at their current versions and read through them. */
  readonly schemas: EventSchemas;
  /** The rules: what follows a stored event, or why the event could not be read. */
  readonly reactionsTo: (envelope: EventEnvelope) => E.Either<UnreadableForReactions, readonly Reaction[]>;
  /** The stream a command is decided on. */
  readonly streamOf: (command: EngineCommand) => string;
  /** How many events may have their reactions under way at once (at least 1). */
  readonly concurrency: number;
  /** Runs a command; `notBefore` is the earliest time it may be decided at (a deadline's due time). */
  readonly execute: (
    request: { commandId: string; actor: string; correlationId: string; causationId: string; command: EngineCommand | unknown },
    notBefore?: number,
  ) => Promise<E.Either<CommandError, unknown>>;
  /** How long to wait before trying again a reaction the store could not take. */
  readonly retry: RetryPolicy;
  /** Where to resume: the position of the last event handled by an earlier run. */
  readonly startAfter?: number;
  readonly onFailure: (failure: ProcessManagerFailure) => void;
}

/**
 * An event the rules could not read. `readLater`: an engine able to read it would (an upgrade, a fixed
 * upcaster of the host's), so its position is held until it is read; else its content is not what its type
 * holds, which no later read changes, and it is reported and passed over.
 */
export interface UnreadableForReactions {
  readonly error: CommandError;
  readonly readLater: boolean;
}

export interface ProcessManagerFailure {
  /**
   * The position of the event whose reactions failed; for a failed subscription, the process manager's
   * position; -1 for a failure of `runDueDeadlines`.
   */
  readonly position: number;
  /**
   * The event whose reactions failed; for `runDueDeadlines`, the deadline whose firing could not be
   * recorded, or empty when the time could not be read or was none; empty when the subscription to the event store failed.
   */
  readonly eventId: string;
  readonly error:
    | CommandError
    | { readonly code: 'STORE_UNAVAILABLE'; readonly message: string }
    /** `runDueDeadlines` was given a time that is none: nothing fired. */
    | { readonly kind: 'invalid'; readonly code: 'INVALID_TIME'; readonly message: string };
  /** Set when the reaction is tried again after this many milliseconds; absent when it was given up. */
  readonly retryInMs?: number;
}

/** What became of an event's reactions: all decided, or left undone because the process manager stopped. */
type ReactionsOutcome = 'decided' | 'abandoned';

/** A deadline that fell due, and what its command did; one that could not be decided stays pending. */
export interface FiredDeadline {
  readonly deadlineId: string;
  readonly dueAt: number;
  readonly outcome: E.Either<CommandError, unknown>;
}

/**
 * Drives the shopper's journey between aggregates: it follows every stored event (catch-up, then live),
 * sends the commands the rules call for with ids derived from the event (so a replay repeats nothing),
 * and keeps the schedule of deadlines, which live in the event store and so survive a restart.
 *
 * Events are read in order, but their reactions run concurrently (up to `concurrency` events at once), since
 * over a durable store each command waits on a round trip and one at a time the process manager fell behind
 * the hosts it follows. What must stay in order does: an event's reactions start only after those of every
 * earlier event that touches one of the same streams (the event's own stream, each command's stream, each
 * deadline's stream), so one order's steps happen as they would one by one. A follow-up to a refused command
 * is not known beforehand; the rules send it to the stream of the event that caused it, which is in the lane.
 * `position` counts an event as handled once it and every event before it are.
 *
 * A reaction the store could not take (unreachable, or a stream that kept changing under the command) is
 * tried again, after waits that grow by the retry policy, until it gets through: every attempt carries the
 * same command id, so one that did land before its answer was lost is not repeated. Meanwhile the event
 * holds its lanes and `position` stays before it; if the process manager stops first, a restart from that
 * position reacts to it again.
 *
 * A subscription the store ends with an error (a server restarting, a connection lost) is reported and taken
 * up again, after the same waits, after the last position the process manager took in: what the failed
 * subscription delivered but the process manager had not yet taken in comes again, and nothing is skipped.
 */
export class ProcessManager {
  private readonly deadlines = new DeadlineQueue();
  private readonly lanes = new StreamLanes();
  private readonly frontier: CompletionFrontier;
  private subscription: Subscription | undefined;
  private waiters: { position: number; resolve: () => void }[] = [];
  private reacting = 0;
  /**
   * Messages waiting for a slot, first come first woken. A subscription takes its messages one at a time, but
   * one that failed may leave its last message waiting as the next subscription's first one waits too.
   */
  private readonly slotWaiters: (() => void)[] = [];
  private stopped = false;
  /** The furthest position the process manager has taken in, after which a new subscription takes up after a failure. */
  private received: number | undefined;
  private subscriptionFailures = 0;
  /** The retry waits under way, ended when the process manager stops. */
  private readonly sleeps = new WakeableSleeps();
  /**
   * Set while the pending deadlines are read at start, before the subscription starts. Deadlines are run,
   * and events counted handled, only after it: a host that starts, settles and runs what is due must find the
   * deadlines scheduled before its restart. `loadWaiters` wait for it to end, or for a stop, since a read
   * that never answers must not hold a host that closes the engine.
   */
  private loading = false;
  private readonly loadWaiters = new Set<() => void>();

  constructor(private readonly deps: ProcessManagerDependencies) {
    this.frontier = new CompletionFrontier(deps.startAfter ?? -1);
  }

  start(): void {
    if (this.subscription !== undefined || this.loading) return;
    this.stopped = false;
    this.received = this.deps.startAfter;
    const { startAfter } = this.deps;
    if (startAfter === undefined) {
      this.follow();
      return;
    }
    this.loading = true;
    void this.loadDeadlinesThrough(startAfter).then((loaded) => {
      this.loading = false;
      this.endLoadWaits();
      if (loaded) this.follow();
    });
  }

  /** Resolves once the start-up read of the pending deadlines is over, or the process manager stops. */
  private loadOver(): Promise<void> {
    if (!this.loading || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.loadWaiters.add(resolve));
  }

  private endLoadWaits(): void {
    for (const resolve of this.loadWaiters) resolve();
    this.loadWaiters.clear();
  }

  /**
   * Deadlines live only in their streams' events: one scheduled before `position` and still pending on a
   * restart from there would never fire. They are read from the deadline streams first (pages of a filtered
   * `readAll` up to `position`: a store scans its log that far once), then the subscription takes over.
   * A read that fails is reported and tried again; `false` once the process manager stops meanwhile.
   */
  private async loadDeadlinesThrough(position: number): Promise<boolean> {
    let after: number | undefined;
    for (let failures = 1; !this.stopped; ) {
      let page: ReadAllPage;
      try {
        page = await this.deps.store.readAll({ ...(after === undefined ? {} : { after }), maxCount: DEADLINE_PAGE_SIZE, filter: { streamPrefixes: [DEADLINE_STREAM_PREFIX] } });
      } catch (thrown) {
        const retryInMs = delayAfter(this.deps.retry, failures);
        failures += 1;
        this.deps.onFailure({ position, eventId: '', error: { code: 'STORE_UNAVAILABLE', message: `reading the pending deadlines failed: ${messageOf(thrown)}` }, retryInMs });
        if (!(await this.pause(retryInMs))) return false;
        continue;
      }
      for (const event of page.events) if (event.position <= position) this.trackDeadline(event);
      if (walkEndsAt(page, after) || (page.lastPosition ?? position) >= position) return !this.stopped;
      after = page.lastPosition;
    }
    return false;
  }

  private follow(): void {
    const after = this.received;
    this.subscription = this.deps.store
      .subscribe(after === undefined ? {} : { after })
      .pipe(handledInOrder((message: SubscriptionMessage) => this.handle(message)))
      .subscribe({ error: (cause: unknown) => void this.followAgain(cause) });
  }

  /** Reports a failed subscription and, unless stopped meanwhile, subscribes again after the retry policy's wait. */
  private async followAgain(cause: unknown): Promise<void> {
    this.subscriptionFailures += 1;
    const retryInMs = delayAfter(this.deps.retry, this.subscriptionFailures);
    const message = `the subscription to the event store failed: ${messageOf(cause)}`;
    this.deps.onFailure({ position: this.frontier.position, eventId: '', error: { code: 'STORE_UNAVAILABLE', message }, retryInMs });
    if (await this.pause(retryInMs)) this.follow();
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.stopped = true;
    this.sleeps.wakeAll();
    for (const wake of this.slotWaiters.splice(0)) wake();
    this.endLoadWaits();
    // Nothing more will be handled: whoever waits for a position would wait for ever.
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  /** The position of the last event handled: store it to resume from there after a restart. */
  get position(): number {
    return this.frontier.position;
  }

  get pendingDeadlines(): number {
    return this.deadlines.size;
  }

  /** Resolves once every event up to `position` has been handled. */
  whenProcessed(position: number): Promise<void> {
    // Stopped, nothing more will be handled (see `stop`).
    if (this.stopped) return Promise.resolve();
    if (this.loading) return this.loadOver().then(() => this.whenProcessed(position));
    if (this.frontier.position >= position) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  /** Sends the command of every deadline due at `now`, each once, earliest first. */
  async runDueDeadlines(now: number): Promise<readonly FiredDeadline[]> {
    if (this.loading) {
      await this.loadOver();
      if (this.stopped) return [];
    }
    const fired: FiredDeadline[] = [];
    for (const deadline of this.deadlines.takeDue(now)) {
      const request = {
        commandId: deadlineCommandId(deadline.deadlineId),
        actor: DEADLINE_ACTOR,
        correlationId: deadline.deadlineId,
        causationId: deadline.deadlineId,
        command: deadline.command,
      };
      // A throw (a store failing in a way it should not) must not lose the deadlines taken from the queue.
      const outcome = await this.deps.execute(request, deadline.dueAt).catch(
        (thrown: unknown): E.Either<CommandError, unknown> => E.left({ kind: 'unavailable', code: 'STORE_UNAVAILABLE', message: `firing deadline ${deadline.deadlineId} failed: ${messageOf(thrown)}` }),
      );
      if (E.isLeft(outcome) && (outcome.left.kind === 'unavailable' || outcome.left.code === 'CONCURRENCY_CONFLICT')) {
        // Not decided: keep it pending so the next run tries again.
        this.deadlines.add(deadline);
        fired.push({ deadlineId: deadline.deadlineId, dueAt: deadline.dueAt, outcome });
        continue;
      }
      const firedAt = this.firedAt(deadline.dueAt);
      const recorded = await this.appendDeadlineEvent(deadline.deadlineId, { type: 'DeadlineFired', data: { deadlineId: deadline.deadlineId, firedAt } }, deadline.revision).catch(
        (thrown: unknown): E.Either<AppendError, AppendResult> => E.left({ code: 'STORE_UNAVAILABLE', message: messageOf(thrown) }),
      );
      // Left unrecorded, the deadline fires again after a restart, and its command, under the same id, repeats nothing.
      if (E.isLeft(recorded) && recorded.left.code === 'STORE_UNAVAILABLE') this.deps.onFailure({ position: -1, eventId: deadline.deadlineId, error: recorded.left });
      fired.push({ deadlineId: deadline.deadlineId, dueAt: deadline.dueAt, outcome });
    }
    return fired;
  }

  /**
   * When a deadline took effect: when its command was decided, at its own time or later, as the clock read.
   * Not the time the host asked to fire up to, which may be any time ahead (all that is due, say). A clock
   * that fails now, having just decided the command, leaves the deadline's own time.
   */
  private firedAt(dueAt: number): number {
    try {
      return Math.max(this.deps.clock(), dueAt);
    } catch {
      return dueAt;
    }
  }

  /**
   * Takes the next message in order: tracks a deadline event at once, and hands an event with reactions to
   * its streams' lanes, waiting first for a free slot if `concurrency` events are already reacting.
   */
  private async handle(message: SubscriptionMessage): Promise<void> {
    this.subscriptionFailures = 0;
    const position = message.kind === 'event' ? message.event.position : message.position;
    if (position !== undefined && (this.received === undefined || position > this.received)) this.received = position;
    if (message.kind !== 'event') {
      if (message.position !== undefined) this.advance(this.frontier.pass(message.position));
      return;
    }
    const { event } = message;
    if (event.streamId.startsWith(DEADLINE_STREAM_PREFIX)) {
      this.trackDeadline(event);
      return this.advance(this.frontier.pass(event.position));
    }
    const reactions = this.deps.reactionsTo(event);
    if (E.isLeft(reactions) && !reactions.left.readLater) this.deps.onFailure({ position: event.position, eventId: event.eventId, error: reactions.left.error });
    if (E.isLeft(reactions) ? !reactions.left.readLater : reactions.right.length === 0) return this.advance(this.frontier.pass(event.position));
    while (!this.stopped && this.reacting >= this.deps.concurrency) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    // Stopped while it waited: left unbegun, the event keeps the frontier before it.
    if (this.stopped) return;
    this.reacting += 1;
    const entry = this.frontier.begin(event.position);
    const finished = (outcome: ReactionsOutcome): void => {
      this.reacting -= 1;
      this.slotWaiters.shift()?.();
      // An abandoned event stays unfinished, so the frontier cannot pass it.
      if (outcome === 'decided') this.advance(this.frontier.finish(entry));
    };
    // Every attempt of a reaction is made through `untilTaken`, which takes a throw for a transient failure.
    // An event not read yet holds its own stream's lane only: the streams its reactions touch are not known.
    const lanes = E.isRight(reactions) ? this.streamsTouched(event, reactions.right) : [event.streamId];
    void this.lanes.run(lanes, () => this.reactOnceRead(event, reactions)).then(finished);
  }

  /**
   * Reacts to `event` once it can be read. One this engine cannot read yet (an upcaster of the host's that
   * throws, an event a newer version wrote) is read again after the retry policy's waits, reported each time,
   * and its position held meanwhile: passed over, its step of the journey would be lost, also to a restart
   * after a fix or an upgrade, which reacts to it.
   */
  private reactOnceRead(event: EventEnvelope, firstRead: E.Either<UnreadableForReactions, readonly Reaction[]>): Promise<ReactionsOutcome> {
    // Nearly every event reads at once: it goes straight to its reactions, with no promise of this step's own.
    return E.isRight(firstRead) ? this.react(event, firstRead.right) : this.reactOnceReadable(event);
  }

  private async reactOnceReadable(event: EventEnvelope): Promise<ReactionsOutcome> {
    const read = await this.untilTaken(
      event,
      () => Promise.resolve(this.deps.reactionsTo(event)),
      (answer) => (E.isLeft(answer) && answer.left.readLater ? answer.left.error : undefined),
    );
    if (read === 'abandoned') return read;
    if (E.isRight(read)) return this.react(event, read.right);
    this.deps.onFailure({ position: event.position, eventId: event.eventId, error: read.left.error });
    return 'decided';
  }

  private streamsTouched(event: EventEnvelope, reactions: readonly Reaction[]): readonly string[] {
    return [event.streamId, ...reactions.map((reaction) => (reaction.kind === 'command' ? this.deps.streamOf(reaction.command) : deadlineStreamId(reaction.deadlineId)))];
  }

  private advance(position: number | undefined): void {
    if (position === undefined) return;
    const ready = this.waiters.filter((w) => w.position <= position);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > position);
    for (const waiter of ready) waiter.resolve();
  }

  private trackDeadline(envelope: EventEnvelope): void {
    const decoded = decodeStoredEvent(DeadlineEvent, this.deps.schemas, envelope);
    if (E.isLeft(decoded)) {
      this.deps.onFailure({ position: envelope.position, eventId: envelope.eventId, error: unreadableEvent(decoded.left) });
      return;
    }
    const event = decoded.right;
    if (event.type === 'DeadlineScheduled') {
      this.deadlines.add({ deadlineId: event.data.deadlineId, dueAt: event.data.dueAt, command: event.data.command, revision: envelope.revision });
    } else {
      this.deadlines.remove(event.data.deadlineId);
    }
  }

  private async react(envelope: EventEnvelope, reactions: readonly Reaction[]): Promise<ReactionsOutcome> {
    let index = 0;
    for (const reaction of reactions) {
      index += 1;
      const commandId = `${REACTION_COMMAND_ID_PREFIX}${envelope.eventId}-${index}`;
      if (reaction.kind === 'command') {
        const outcome = await this.send(envelope, commandId, reaction.command);
        if (outcome === 'abandoned') return outcome;
        const followUps = E.isLeft(outcome) && outcome.left.kind === 'rejected' ? (reaction.onRejected?.(outcome.left as DomainError) ?? []) : [];
        for (const [i, followUp] of followUps.entries()) {
          // The first keeps the id follow-ups had when there could be only one, so a replay of an older store acts once.
          const followUpId = i === 0 ? `${commandId}-follow-up` : `${commandId}-follow-up-${i + 1}`;
          if ((await this.send(envelope, followUpId, followUp)) === 'abandoned') return 'abandoned';
        }
      } else {
        const { deadlineId } = reaction;
        // The deadline's own command (an order expired by it) is no reason to cancel it: its firing records
        // itself, and a cancellation appended first would leave a deadline that fired recorded as cancelled.
        if (reaction.kind === 'cancel-deadline' && envelope.commandId === deadlineCommandId(deadlineId)) continue;
        const event: DeadlineEvent =
          reaction.kind === 'schedule'
            ? { type: 'DeadlineScheduled', data: { deadlineId, dueAt: reaction.dueAt, command: reaction.command } }
            : { type: 'DeadlineCancelled', data: { deadlineId } };
        const expected = reaction.kind === 'schedule' ? 'no-stream' : 0;
        const appended = await this.untilTaken(
          envelope,
          () => this.appendDeadlineEvent(deadlineId, event, expected, envelope, commandId),
          (answer) => (E.isLeft(answer) && answer.left.code === 'STORE_UNAVAILABLE' ? answer.left : undefined),
        );
        if (appended === 'abandoned') return appended;
      }
    }
    return 'decided';
  }

  /** Sends a reaction's command until the store takes it, so that the answer is the domain's. */
  private send(cause: EventEnvelope, commandId: string, command: EngineCommand): Promise<E.Either<CommandError, unknown> | 'abandoned'> {
    const request = { commandId, actor: PROCESS_MANAGER_ACTOR, correlationId: cause.correlationId, causationId: cause.eventId, command };
    return this.untilTaken(cause, () => this.deps.execute(request), (outcome) => {
      if (E.isRight(outcome)) return undefined;
      const error = outcome.left;
      // The host's code that threw (its clock, id generator, a policy) may well answer next time, as a store may.
      if (error.code === 'STORE_UNAVAILABLE' || error.code === 'CONCURRENCY_CONFLICT' || error.code === 'DECISION_THREW') return error;
      // An event the store holds but cannot read stays so on the next attempt, as does a command the engine
      // finds invalid (made from a setting or a clock reading it cannot hold): reported, and given up.
      if (error.kind === 'unavailable' || error.kind === 'invalid') this.deps.onFailure({ position: cause.position, eventId: cause.eventId, error });
      return undefined;
    });
  }

  /**
   * Makes `attempt` again, after the retry policy's waits, while `transientFailure` finds in its answer a
   * failure worth another try, reporting each one. The first other answer, or `abandoned` once the process
   * manager stops.
   */
  private async untilTaken<T>(
    cause: EventEnvelope,
    attempt: () => Promise<T>,
    transientFailure: (answer: T) => ProcessManagerFailure['error'] | undefined,
  ): Promise<T | 'abandoned'> {
    for (let failures = 1; ; failures += 1) {
      let failure: ProcessManagerFailure['error'] | undefined;
      try {
        const answer = await attempt();
        failure = transientFailure(answer);
        if (failure === undefined) return answer;
      } catch (thrown) {
        // The engine and the stores answer with values; one that throws instead is failing in a way it should
        // not, and is tried again like an unreachable store, the event's lanes held, rather than skipped.
        failure = { code: 'STORE_UNAVAILABLE', message: `reacting to ${cause.type} ${cause.eventId} failed: ${messageOf(thrown)}` };
      }
      const retryInMs = delayAfter(this.deps.retry, failures);
      this.deps.onFailure({ position: cause.position, eventId: cause.eventId, error: failure, retryInMs });
      if (!(await this.pause(retryInMs))) return 'abandoned';
    }
  }

  /** Waits `ms`, or less if the process manager stops meanwhile; whether it is still running. */
  private pause(ms: number): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    return this.sleeps.sleep(ms).then(() => !this.stopped);
  }

  /**
   * Appends to a deadline's stream. A revision mismatch means another run got there first (scheduled it,
   * or fired or cancelled it), which is the outcome wanted, so it is not an error. Async, so that a clock or
   * id generator that throws makes a rejected promise, which its callers catch.
   */
  private async appendDeadlineEvent(
    deadlineId: string,
    event: DeadlineEvent,
    expected: 'no-stream' | number,
    cause?: EventEnvelope,
    commandId?: string,
  ): Promise<E.Either<AppendError, AppendResult>> {
    const now = this.deps.clock();
    const proposed: ProposedEvent = {
      eventId: this.deps.newId(),
      type: event.type,
      schemaVersion: this.deps.schemas.currentVersion(event.type),
      data: event.data,
      occurredAt: now,
      recordedAt: now,
      commandId: commandId ?? deadlineCommandId(deadlineId),
      correlationId: cause?.correlationId ?? deadlineId,
      causationId: cause?.eventId ?? deadlineId,
      actor: cause === undefined ? DEADLINE_ACTOR : PROCESS_MANAGER_ACTOR,
    };
    return this.deps.store.append(deadlineStreamId(deadlineId), [proposed], expected);
  }
}
