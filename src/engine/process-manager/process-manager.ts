import * as E from 'fp-ts/Either';
import type { Subscription } from 'rxjs';
import type { DomainError } from '../../domain/shared/domain-error';
import type { HostCommand } from '../aggregates';
import type { Clock } from '../clock';
import type { CommandError } from '../command-error';
import type { EventEnvelope, ProposedEvent } from '../event-store/envelope';
import type { EventStore, SubscriptionMessage } from '../event-store/event-store';
import type { IdGenerator } from '../ids';
import { DEADLINE_STREAM_PREFIX, DeadlineEvent, deadlineStreamId } from './deadline-events';
import { DeadlineQueue } from './deadline-queue';
import { handledInOrder } from './handled-in-order';
import type { Reaction } from './reactions';

export const PROCESS_MANAGER_ACTOR = 'process-manager';
export const DEADLINE_ACTOR = 'deadline-scheduler';

/** What the process manager needs of the engine around it. */
export interface ProcessManagerDependencies {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  /** The rules: what follows a stored event, or why the event could not be read. */
  readonly reactionsTo: (envelope: EventEnvelope) => E.Either<CommandError, readonly Reaction[]>;
  /** Runs a command; `notBefore` is the earliest time it may be decided at (a deadline's due time). */
  readonly execute: (
    request: { commandId: string; actor: string; correlationId: string; causationId: string; command: HostCommand | unknown },
    notBefore?: number,
  ) => Promise<E.Either<CommandError, unknown>>;
  /** Where to resume: the position of the last event handled by an earlier run. */
  readonly startAfter?: number;
  readonly onFailure: (failure: ProcessManagerFailure) => void;
}

export interface ProcessManagerFailure {
  readonly position: number;
  readonly eventId: string;
  readonly error: CommandError | { readonly code: 'STORE_UNAVAILABLE'; readonly message: string };
}

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
 */
export class ProcessManager {
  private readonly deadlines = new DeadlineQueue();
  private subscription: Subscription | undefined;
  private processed: number;
  private waiters: { position: number; resolve: () => void }[] = [];

  constructor(private readonly deps: ProcessManagerDependencies) {
    this.processed = deps.startAfter ?? -1;
  }

  start(): void {
    if (this.subscription !== undefined) return;
    const after = this.deps.startAfter;
    this.subscription = this.deps.store
      .subscribe(after === undefined ? {} : { after })
      .pipe(handledInOrder((message: SubscriptionMessage) => this.handle(message)))
      .subscribe();
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** The position of the last event handled: store it to resume from there after a restart. */
  get position(): number {
    return this.processed;
  }

  get pendingDeadlines(): number {
    return this.deadlines.size;
  }

  /** Resolves once every event up to `position` has been handled. */
  whenProcessed(position: number): Promise<void> {
    if (this.processed >= position) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  /** Sends the command of every deadline due at `now`, each once, earliest first. */
  async runDueDeadlines(now: number): Promise<readonly FiredDeadline[]> {
    const fired: FiredDeadline[] = [];
    for (const deadline of this.deadlines.takeDue(now)) {
      const outcome = await this.deps.execute({
        commandId: `deadline-${deadline.deadlineId}`,
        actor: DEADLINE_ACTOR,
        correlationId: deadline.deadlineId,
        causationId: deadline.deadlineId,
        command: deadline.command,
      }, deadline.dueAt);
      if (E.isLeft(outcome) && (outcome.left.kind === 'unavailable' || outcome.left.code === 'CONCURRENCY_CONFLICT')) {
        // Not decided: keep it pending so the next run tries again.
        this.deadlines.add(deadline);
        fired.push({ deadlineId: deadline.deadlineId, dueAt: deadline.dueAt, outcome });
        continue;
      }
      await this.appendDeadlineEvent(deadline.deadlineId, { type: 'DeadlineFired', data: { deadlineId: deadline.deadlineId, firedAt: now } }, deadline.revision);
      fired.push({ deadlineId: deadline.deadlineId, dueAt: deadline.dueAt, outcome });
    }
    return fired;
  }

  private async handle(message: SubscriptionMessage): Promise<void> {
    if (message.kind === 'event') {
      const { event } = message;
      if (event.streamId.startsWith(DEADLINE_STREAM_PREFIX)) this.trackDeadline(event);
      else await this.react(event);
      this.advance(event.position);
    } else if (message.position !== undefined) {
      this.advance(message.position);
    }
  }

  private advance(position: number): void {
    if (position <= this.processed) return;
    this.processed = position;
    const ready = this.waiters.filter((w) => w.position <= position);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > position);
    for (const waiter of ready) waiter.resolve();
  }

  private trackDeadline(envelope: EventEnvelope): void {
    const decoded = DeadlineEvent.decode({ type: envelope.type, data: envelope.data });
    if (E.isLeft(decoded)) {
      this.deps.onFailure({
        position: envelope.position,
        eventId: envelope.eventId,
        error: { kind: 'unavailable', code: 'UNREADABLE_EVENT', message: `deadline event ${envelope.eventId} cannot be read` },
      });
      return;
    }
    const event = decoded.right;
    if (event.type === 'DeadlineScheduled') {
      this.deadlines.add({ deadlineId: event.data.deadlineId, dueAt: event.data.dueAt, command: event.data.command, revision: envelope.revision });
    } else {
      this.deadlines.remove(event.data.deadlineId);
    }
  }

  private async react(envelope: EventEnvelope): Promise<void> {
    const reactions = this.deps.reactionsTo(envelope);
    if (E.isLeft(reactions)) {
      this.deps.onFailure({ position: envelope.position, eventId: envelope.eventId, error: reactions.left });
      return;
    }
    let index = 0;
    for (const reaction of reactions.right) {
      index += 1;
      const commandId = `pm-${envelope.eventId}-${index}`;
      if (reaction.kind === 'command') {
        const outcome = await this.send(envelope, commandId, reaction.command);
        const followUp = E.isLeft(outcome) && outcome.left.kind === 'rejected' && reaction.onRejected?.(outcome.left as DomainError);
        if (followUp) await this.send(envelope, `${commandId}-follow-up`, followUp);
      } else if (reaction.kind === 'schedule') {
        const { deadlineId, dueAt, command } = reaction;
        await this.appendDeadlineEvent(deadlineId, { type: 'DeadlineScheduled', data: { deadlineId, dueAt, command } }, 'no-stream', envelope, commandId);
      } else {
        await this.appendDeadlineEvent(reaction.deadlineId, { type: 'DeadlineCancelled', data: { deadlineId: reaction.deadlineId } }, 0, envelope, commandId);
      }
    }
  }

  private async send(cause: EventEnvelope, commandId: string, command: HostCommand): Promise<E.Either<CommandError, unknown>> {
    const outcome = await this.deps.execute({
      commandId,
      actor: PROCESS_MANAGER_ACTOR,
      correlationId: cause.correlationId,
      causationId: cause.eventId,
      command,
    });
    if (E.isLeft(outcome) && outcome.left.kind === 'unavailable') {
      this.deps.onFailure({ position: cause.position, eventId: cause.eventId, error: outcome.left });
    }
    return outcome;
  }

  /**
   * Appends to a deadline's stream. A revision mismatch means another run got there first (scheduled it,
   * or fired or cancelled it), which is the outcome wanted, so it is not an error.
   */
  private async appendDeadlineEvent(
    deadlineId: string,
    event: DeadlineEvent,
    expected: 'no-stream' | number,
    cause?: EventEnvelope,
    commandId?: string,
  ): Promise<void> {
    const now = this.deps.clock();
    const proposed: ProposedEvent = {
      eventId: this.deps.newId(),
      type: event.type,
      schemaVersion: 1,
      data: event.data,
      occurredAt: now,
      recordedAt: now,
      commandId: commandId ?? `deadline-${deadlineId}`,
      correlationId: cause?.correlationId ?? deadlineId,
      causationId: cause?.eventId ?? deadlineId,
      actor: cause === undefined ? DEADLINE_ACTOR : PROCESS_MANAGER_ACTOR,
    };
    const appended = await this.deps.store.append(deadlineStreamId(deadlineId), [proposed], expected);
    if (E.isLeft(appended) && appended.left.code === 'STORE_UNAVAILABLE') {
      this.deps.onFailure({ position: cause?.position ?? -1, eventId: cause?.eventId ?? deadlineId, error: appended.left });
    }
  }
}
