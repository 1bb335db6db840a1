import * as E from 'fp-ts/Either';
import { BehaviorSubject, concatMap, defer, Observable, Subscription } from 'rxjs';
import type { EventEnvelope } from '../engine/event-store/envelope';
import type { EventStore, SubscriptionMessage } from '../engine/event-store/event-store';
import { delayAfter, RetryPolicy, retryPolicyOf } from '../engine/retry-policy';
import { currentEventSchemas } from '../engine/schema/current-event-schemas';
import type { EventSchemas } from '../engine/schema/event-schemas';
import { decodeStoredEvent, UnreadableEvent } from '../engine/schema/stored-event';
import { BatchView, ReadModelReadFailure } from './batch-view';
import { guarded } from './guarded-call';
import { inBatches } from './message-batches';
import { ParkedEvent, parkedEvents, PARKED_EVENTS_PAGE_SIZE } from './parked-events';
import type { DocumentChange, ProjectionDefinition, ProjectionHandlerError } from './projection';
import { Page, PageRequest, queryPage, QueryError } from './query-page';
import type { DocumentKey, ProjectionVersion, ReadModelError, ReadModelStore } from './read-model-store';
import { idProblem, unfrozenJsonProblem } from './read-model-rules';
import { messageOf } from '../engine/error-message';

export interface ProjectionRunnerOptions<Ev> {
  readonly eventStore: EventStore;
  readonly readModels: ReadModelStore;
  readonly projection: ProjectionDefinition<Ev>;
  /**
   * Older event schema versions and how to upcast them: the engine's `eventSchemas` if it was given its own.
   * Default: the engine's current schemas (`currentEventSchemas`), as the engine reads events itself.
   */
  readonly eventSchemas?: EventSchemas;
  /** Events per batch (one commit each). Default 256. */
  readonly batchSize?: number;
  /** How long a batch that is not full waits for more events. Default 20 ms. */
  readonly batchWindowMs?: number;
  /**
   * What to do with an event the projection cannot apply: `stop` there (the default), or `park` it (record
   * it, readable with `parkedEvents`) and go on.
   */
  readonly onEventFailure?: 'stop' | 'park';
  /**
   * When set, a runner stopped by its stores (the event store failing, or the read-model store unavailable;
   * never by an event it cannot apply) starts again by itself, from its stored checkpoint, after a wait that
   * doubles from `firstDelayMs` (default 50) up to `maxDelayMs` (default 5,000) while the failures go on.
   * Each failure still shows in `status$` first. Unset, the runner stays `failed` until `start` is called.
   */
  readonly restartAfterStoreFailure?: Partial<RetryPolicy>;
}

/** An event the projection could not apply, named so that an operator can find it. */
export interface ProjectionEventFailure {
  readonly code: 'PROJECTION_EVENT_FAILED';
  readonly message: string;
  readonly projection: string;
  readonly version: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly position: number;
  /** Why: the event could not be decoded (`UNREADABLE_EVENT`) or the projection refused it. */
  readonly reason: UnreadableEvent | ProjectionHandlerError;
}

export type ProjectionFailure =
  | ProjectionEventFailure
  | { readonly code: 'READ_MODEL_FAILED'; readonly message: string; readonly projection: string; readonly version: number; readonly error: ReadModelError }
  | { readonly code: 'EVENT_STORE_FAILED'; readonly message: string; readonly projection: string; readonly version: number; readonly cause: unknown };

/** Why a runner is not running: it failed, or it was stopped (or never started). */
export type ProjectionHalt = ProjectionFailure | { readonly code: 'PROJECTION_STOPPED'; readonly message: string };

/** `position` is the checkpoint: the last event applied or stepped over, as stored with the documents. */
export type ProjectionStatus =
  | { readonly state: 'idle' | 'starting' | 'catching-up' | 'live' | 'stopped'; readonly position: number | undefined }
  | { readonly state: 'failed'; readonly position: number | undefined; readonly failure: ProjectionFailure };

export interface ProjectionLag {
  readonly position: number | undefined;
  readonly headPosition: number | undefined;
  /** Head position minus checkpoint: the number of events behind when positions are dense, as in memory. */
  readonly eventsBehind: number;
  /**
   * The head event's `recordedAt` minus that of the last event processed (or, if none has been, of the first
   * stored event); 0 when caught up.
   */
  readonly timeBehindMs: number;
}

const DEFAULTS = { batchSize: 256, batchWindowMs: 20 };

interface Waiter {
  readonly position: number;
  readonly resolve: (outcome: E.Either<ProjectionHalt, void>) => void;
}

type Applied = E.Either<{ readonly kind: 'event'; readonly reason: UnreadableEvent | ProjectionHandlerError } | { readonly kind: 'store'; readonly error: ReadModelError }, readonly DocumentChange[]>;

/**
 * Loads, in one `preload`, the documents a prefetch hint names for the batch's readable events. A hint that
 * throws names nothing, and a key no document can have (a collection the projection did not declare, no
 * id) is passed over: it is only a hint, `apply` reads what it needs anyway and reports its own failures.
 * Asked for, such a key would have the store refuse the whole batch, on every restart. Ids are not checked
 * further, as a change's are: this runs for every key of every event, and ids made from events' identifiers
 * hold nothing a store refuses.
 */
const preloadHinted = async <Ev>(
  view: BatchView,
  decoded: ReadonlyMap<EventEnvelope, E.Either<unknown, Ev>>,
  hint: (event: Ev, envelope: EventEnvelope) => readonly DocumentKey[],
  declared: ReadonlySet<string>,
): Promise<E.Either<ReadModelError, void>> => {
  const keys: DocumentKey[] = [];
  for (const [envelope, event] of decoded) {
    if (E.isLeft(event)) continue;
    try {
      for (const key of hint(event.right, envelope)) if (declared.has(key.collection) && typeof key.id === 'string' && key.id.length > 0) keys.push(key);
    } catch {
      // Only a hint.
    }
  }
  return keys.length === 0 ? E.right(undefined) : guarded(() => view.preload(keys));
};

/**
 * Keeps one version of a projection up to date: subscribes to the event store after the version's checkpoint,
 * applies events in batches, and stores each batch's changes together with the checkpoint after it, so that
 * a crash at any point and a restart give the same documents as a run without one. Every outcome, failures
 * included, is a value: `status$`, or what the methods resolve to.
 */
export class ProjectionRunner<Ev> {
  readonly version: ProjectionVersion;
  private readonly statusSubject = new BehaviorSubject<ProjectionStatus>({ state: 'idle', position: undefined });
  private readonly schemas: EventSchemas;
  /** The collections the projection declared: the only ones its changes may go to. */
  private readonly collections: ReadonlySet<string>;
  private readonly batchSize: number;
  private readonly batchWindowMs: number;
  private subscription: Subscription | undefined;
  private committed: number | undefined;
  private halt: ProjectionHalt = { code: 'PROJECTION_STOPPED', message: 'the projection has not been started' };
  private running = false;
  private run = 0;
  /** The batch being applied and committed, until it settles. */
  private inFlight: Promise<void> | undefined;
  private waiters: Waiter[] = [];
  private readonly restartPolicy: RetryPolicy | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;
  private storeFailuresInARow = 0;

  constructor(private readonly options: ProjectionRunnerOptions<Ev>) {
    this.version = { projection: options.projection.name, version: options.projection.version };
    this.schemas = options.eventSchemas ?? currentEventSchemas;
    this.collections = new Set(options.projection.collections.map((collection) => collection.name));
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULTS.batchSize);
    this.batchWindowMs = Math.max(0, options.batchWindowMs ?? DEFAULTS.batchWindowMs);
    this.restartPolicy = options.restartAfterStoreFailure === undefined ? undefined : retryPolicyOf(options.restartAfterStoreFailure);
  }

  get status$(): Observable<ProjectionStatus> {
    return this.statusSubject.asObservable();
  }

  get status(): ProjectionStatus {
    return this.statusSubject.value;
  }

  /** Prepares the version's collections and starts from its stored checkpoint (also after a stop or a failure). */
  async start(): Promise<E.Either<ProjectionFailure, void>> {
    this.cancelRestart();
    if (this.running) return E.right(undefined);
    this.running = true;
    const run = ++this.run;
    const { projection, readModels, eventStore } = this.options;
    this.setStatus({ state: 'starting', position: this.committed });
    // A stop while the start was in hand wins over whatever then went wrong with it: no failed status, and no restart.
    const failUnlessStopped = (error: ReadModelError): ProjectionFailure => {
      const failure = this.readModelFailure(error);
      return run === this.run ? this.fail(failure) : failure;
    };
    if (this.collections.has(parkedEvents.name)) {
      const message = `collection ${parkedEvents.name} is the runner's own, where it parks events: name ${projection.name}'s collection otherwise`;
      return E.left(failUnlessStopped({ code: 'INVALID_DEFINITION', message }));
    }
    // A batch of the run before (stopped without waiting, or failed as its subscription ended) may still be
    // committing: its checkpoint is the one to start after, or this run's first batch would find it moved.
    if (this.inFlight !== undefined) {
      await this.inFlight;
      if (run !== this.run) return E.right(undefined);
    }
    const prepared = await guarded(() => readModels.prepare(this.version, [...projection.collections, parkedEvents.definition]));
    if (E.isLeft(prepared)) return E.left(failUnlessStopped(prepared.left));
    const checkpoint = await guarded(() => readModels.checkpoint(this.version));
    if (E.isLeft(checkpoint)) return E.left(failUnlessStopped(checkpoint.left));
    if (run !== this.run) return E.right(undefined);
    this.committed = checkpoint.right;
    const after = checkpoint.right === undefined || checkpoint.right < 0 ? undefined : checkpoint.right;
    this.setStatus({ state: 'catching-up', position: this.committed });
    // A wait begun before a stop and this start may be over: the batch then in hand stored its checkpoint.
    this.releaseWaiters();
    this.subscription = eventStore
      .subscribe(after === undefined ? { filter: projection.filter } : { after, filter: projection.filter })
      .pipe(
        inBatches(this.batchSize, this.batchWindowMs),
        concatMap((batch) => defer(() => this.track(this.processBatch(batch, run)))),
      )
      .subscribe({
        error: (cause: unknown) =>
          this.fail({
            code: 'EVENT_STORE_FAILED',
            message: `the event store subscription of ${this.describe()} failed: ${messageOf(cause)}`,
            ...this.version,
            cause,
          }),
      });
    return E.right(undefined);
  }

  /**
   * Stops; a batch in hand is dropped rather than stored, unless it is already committing, and `start`
   * resumes from the stored checkpoint (after that batch's, once it has landed).
   */
  async stop(): Promise<void> {
    this.cancelRestart();
    if (!this.running) return;
    this.halt = { code: 'PROJECTION_STOPPED', message: `${this.describe()} was stopped` };
    this.running = false;
    const stoppedRun = ++this.run;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.inFlight;
    // Started again while the batch in hand finished: the new run says what the runner is doing.
    if (this.run !== stoppedRun) return;
    this.setStatus({ state: 'stopped', position: this.committed });
    this.releaseWaiters();
  }

  /** Resolves once the checkpoint has reached `position`, or with why it never will (the runner halted). */
  whenProcessed(position: number): Promise<E.Either<ProjectionHalt, void>> {
    if (this.committed !== undefined && this.committed >= position) return Promise.resolve(E.right(undefined));
    if (!this.running) return Promise.resolve(E.left(this.halt));
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  /** Resolves once every event stored when it was called has been processed. */
  async whenCaughtUp(): Promise<E.Either<ProjectionHalt, void>> {
    let head: number | undefined;
    try {
      head = await this.options.eventStore.headPosition();
    } catch (cause) {
      return E.left(this.eventStoreFailure(cause));
    }
    if (head === undefined) return this.running ? E.right(undefined) : E.left(this.halt);
    return this.whenProcessedThrough(head);
  }

  /**
   * Resolves once every event at or before `position` that the projection reads has been processed. Unlike
   * `whenProcessed`, it does not wait for the checkpoint to pass events the filter leaves out: a store may skip
   * those without saying how far it got (EventStoreDB reports a live filtered subscription's position only
   * every so many events), so it asks the store for the next event the projection reads, and waits for that
   * one, until none is left up to `position`. One read per batch processed meanwhile, at most.
   */
  async whenProcessedThrough(position: number): Promise<E.Either<ProjectionHalt, void>> {
    for (;;) {
      if (this.committed !== undefined && this.committed >= position) return E.right(undefined);
      if (!this.running) return E.left(this.halt);
      const next = await this.nextReadEventAfter(this.committed, position);
      if (E.isLeft(next)) return next;
      if (next.right === undefined) return E.right(undefined);
      const processed = await this.whenProcessed(next.right);
      if (E.isLeft(processed)) return processed;
    }
  }

  /**
   * The position of the first event the projection reads after `after` and at or before `until`, if any
   * (or `until` itself when the store's pages do not move on).
   */
  private async nextReadEventAfter(after: number | undefined, until: number): Promise<E.Either<ProjectionFailure, number | undefined>> {
    const { eventStore, projection } = this.options;
    let from = after;
    try {
      for (;;) {
        const page = await eventStore.readAll({ ...(from === undefined || from < 0 ? {} : { after: from }), filter: projection.filter, maxCount: 1 });
        const [first] = page.events;
        if (first !== undefined) return E.right(first.position <= until ? first.position : undefined);
        // A page with a sparse filter may end its scan before the head, saying where; the next one goes on from there.
        if (page.isEnd || page.lastPosition === undefined || page.lastPosition >= until) return E.right(undefined);
        // A store that scanned nothing gives no answer: then the checkpoint itself must reach `until`.
        if (from !== undefined && page.lastPosition <= from) return E.right(until);
        from = page.lastPosition;
      }
    } catch (cause) {
      return E.left(this.eventStoreFailure(cause));
    }
  }

  /** How far behind the head of the event store the stored checkpoint is. */
  async lag(): Promise<E.Either<ProjectionFailure, ProjectionLag>> {
    const checkpoint = await guarded(() => this.options.readModels.checkpoint(this.version));
    if (E.isLeft(checkpoint)) return E.left(this.readModelFailure(checkpoint.left));
    const { eventStore } = this.options;
    try {
      const headPosition = await eventStore.headPosition();
      const processed = checkpoint.right ?? -1;
      const position = checkpoint.right;
      if (headPosition === undefined || processed >= headPosition) return E.right({ position, headPosition, eventsBehind: 0, timeBehindMs: 0 });
      const [head] = (await eventStore.readAll({ after: headPosition - 1, maxCount: 1 })).events;
      const [reference] = (await eventStore.readAll({ ...(processed < 0 ? {} : { after: processed - 1 }), maxCount: 1 })).events;
      const timeBehindMs = head === undefined || reference === undefined ? 0 : Math.max(0, head.recordedAt - reference.recordedAt);
      return E.right({ position, headPosition, eventsBehind: headPosition - processed, timeBehindMs });
    } catch (cause) {
      return E.left(this.eventStoreFailure(cause));
    }
  }

  /** The events this version parked, in the order they were stored. */
  parkedEvents(request: PageRequest = {}): Promise<E.Either<QueryError, Page<ParkedEvent>>> {
    return queryPage(this.options.readModels, this.version, parkedEvents, { index: 'by-position', equals: {}, order: 'ascending' }, request, PARKED_EVENTS_PAGE_SIZE);
  }

  private track(work: Promise<void>): Promise<void> {
    this.inFlight = work;
    return work.finally(() => {
      if (this.inFlight === work) this.inFlight = undefined;
    });
  }

  private async processBatch(messages: readonly SubscriptionMessage[], run: number): Promise<void> {
    if (run !== this.run) return;
    const { projection, readModels, onEventFailure = 'stop' } = this.options;
    // A stop while the batch was in hand wins over whatever then went wrong with the batch.
    const failUnlessStopped = (failure: ProjectionFailure): void => {
      if (run === this.run) this.fail(failure);
    };
    const view = new BatchView(readModels, this.version);
    const start = this.committed ?? -1;
    const decoded = new Map<EventEnvelope, E.Either<UnreadableEvent | ProjectionHandlerError, Ev>>();
    for (const message of messages) {
      if (message.kind !== 'event' || message.event.position <= start) continue;
      decoded.set(message.event, this.decode(message.event));
    }
    const { prefetch, prefetchFollowing } = projection;
    if (prefetch !== undefined) {
      const loaded = await preloadHinted(view, decoded, prefetch, this.collections);
      if (E.isLeft(loaded)) return failUnlessStopped(this.readModelFailure(loaded.left));
    }
    if (prefetchFollowing !== undefined) {
      const preloaded = (collection: string, id: string) => view.preloaded(collection, id);
      const loaded = await preloadHinted(view, decoded, (event, envelope) => prefetchFollowing(event, envelope, preloaded), this.collections);
      if (E.isLeft(loaded)) return failUnlessStopped(this.readModelFailure(loaded.left));
    }
    let reached = start;
    let caughtUp = false;
    for (const message of messages) {
      if (message.kind === 'caught-up') {
        // Every event up to its position has been delivered: like a checkpoint, it moves past those skipped.
        caughtUp = true;
        if (message.position !== undefined) reached = Math.max(reached, message.position);
        continue;
      }
      if (message.kind === 'checkpoint') {
        reached = Math.max(reached, message.position);
        continue;
      }
      const envelope = message.event;
      const event = decoded.get(envelope);
      if (event === undefined || envelope.position <= reached) continue;
      const applied = await this.applyOne(envelope, event, view);
      if (E.isLeft(applied)) {
        if (applied.left.kind === 'store') return failUnlessStopped(this.readModelFailure(applied.left.error));
        const failure = this.eventFailure(envelope, applied.left.reason);
        if (onEventFailure === 'stop') {
          if (reached > start && !(await this.commit(view, reached, run))) return;
          return failUnlessStopped(failure);
        }
        view.record([parkedEvents.put(envelope.eventId, parkedRecord(envelope, failure.reason))], envelope.position);
      } else {
        view.record(applied.right, envelope.position);
      }
      reached = envelope.position;
    }
    if (reached > start && !(await this.commit(view, reached, run))) return;
    if (caughtUp && run === this.run) {
      this.storeFailuresInARow = 0;
      this.setStatus({ state: 'live', position: this.committed });
    }
  }

  private decode(envelope: EventEnvelope): E.Either<UnreadableEvent | ProjectionHandlerError, Ev> {
    return decodeStoredEvent(this.options.projection.codec, this.schemas, envelope);
  }

  private async applyOne(envelope: EventEnvelope, event: E.Either<UnreadableEvent | ProjectionHandlerError, Ev>, view: BatchView): Promise<Applied> {
    if (E.isLeft(event)) return E.left({ kind: 'event', reason: event.left });
    try {
      const changes = await this.options.projection.apply(event.right, envelope, view);
      if (E.isLeft(changes)) return E.left({ kind: 'event', reason: changes.left });
      const problem = changesProblem(changes.right, this.collections);
      return problem === undefined ? changes : E.left({ kind: 'event', reason: { code: 'PROJECTION_INVALID_CHANGE', message: problem } });
    } catch (thrown) {
      if (thrown instanceof ReadModelReadFailure) return E.left({ kind: 'store', error: thrown.error });
      return E.left({ kind: 'event', reason: { code: 'PROJECTION_THREW', message: messageOf(thrown) } });
    }
  }

  /** Stores the batch with its checkpoint; false (and the runner failed) when the store refuses. */
  private async commit(view: BatchView, checkpoint: number, run: number): Promise<boolean> {
    if (run !== this.run) return false;
    const batch = { writes: view.writes(), checkpoint, expectedCheckpoint: this.committed };
    const committed = await guarded(() => this.options.readModels.commit(this.version, batch));
    if (E.isLeft(committed)) {
      if (run === this.run) this.fail(this.readModelFailure(committed.left));
      return false;
    }
    // Stored, but for a run that has ended: the next run reads the checkpoint as it starts.
    if (run !== this.run) return false;
    this.committed = checkpoint;
    this.storeFailuresInARow = 0;
    const current = this.statusSubject.value;
    if (current.state === 'catching-up' || current.state === 'live') this.setStatus({ state: current.state, position: checkpoint });
    this.releaseWaiters();
    return true;
  }

  private fail(failure: ProjectionFailure): ProjectionFailure {
    this.halt = failure;
    this.running = false;
    this.run += 1;
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    this.setStatus({ state: 'failed', position: this.committed, failure });
    this.releaseWaiters();
    this.restartLater(failure);
    return failure;
  }

  /** Schedules a start after a failure of the stores, if the runner was told to restart after one. */
  private restartLater(failure: ProjectionFailure): void {
    if (this.restartPolicy === undefined || !isStoreFailure(failure)) return;
    this.storeFailuresInARow += 1;
    this.cancelRestart();
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.start();
    }, delayAfter(this.restartPolicy, this.storeFailuresInARow));
  }

  private cancelRestart(): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private releaseWaiters(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) {
      if (this.committed !== undefined && this.committed >= waiter.position) waiter.resolve(E.right(undefined));
      else if (!this.running) waiter.resolve(E.left(this.halt));
      else this.waiters.push(waiter);
    }
  }

  private setStatus(status: ProjectionStatus): void {
    this.statusSubject.next(status);
  }

  private describe(): string {
    return `projection ${this.version.projection} v${this.version.version}`;
  }

  private readModelFailure(error: ReadModelError): ProjectionFailure {
    return { code: 'READ_MODEL_FAILED', message: `${this.describe()} stopped: ${error.message}`, ...this.version, error };
  }

  private eventStoreFailure(cause: unknown): ProjectionFailure {
    return {
      code: 'EVENT_STORE_FAILED',
      message: `${this.describe()} could not read the event store: ${messageOf(cause)}`,
      ...this.version,
      cause,
    };
  }

  private eventFailure(envelope: EventEnvelope, reason: UnreadableEvent | ProjectionHandlerError): ProjectionEventFailure {
    return {
      code: 'PROJECTION_EVENT_FAILED',
      message: `${this.describe()} cannot apply ${envelope.type} ${envelope.eventId} (${envelope.streamId}@${envelope.revision}, position ${envelope.position}): ${reason.message}`,
      ...this.version,
      eventId: envelope.eventId,
      streamId: envelope.streamId,
      revision: envelope.revision,
      type: envelope.type,
      position: envelope.position,
      reason,
    };
  }
}

/**
 * What is wrong with the changes a projection's `apply` returned, if anything, checked before they join the
 * batch: a malformed change, or one to a collection it did not declare, is the event's failure (it stops or
 * parks there, named), not the batch's or the subscription's.
 */
const changesProblem = (changes: unknown, declared: ReadonlySet<string>): string | undefined => {
  if (!Array.isArray(changes)) return 'apply returned no list of changes';
  for (const change of changes as readonly unknown[]) {
    if (typeof change !== 'object' || change === null) return `a change is ${change === null ? 'null' : typeof change}, not a put or a delete`;
    const { kind, collection, id, document } = change as Partial<Record<string, unknown>>;
    if (kind !== 'put' && kind !== 'delete') return `a change is of kind ${String(kind)}, not put or delete`;
    if (typeof collection !== 'string' || !declared.has(collection)) return `a change is to ${String(collection)}, which is not one of the projection's collections`;
    if (typeof id !== 'string' || id.length === 0) return `a change to ${collection} has no id`;
    const badId = idProblem(id);
    if (badId !== undefined) return `a change to ${collection}: ${badId}`;
    if (kind === 'put') {
      if (typeof document !== 'object' || document === null || Array.isArray(document)) return `the put of ${collection}/${id} holds no document`;
      const unstorable = unfrozenJsonProblem(document);
      if (unstorable !== undefined) return `the put of ${collection}/${id}: ${unstorable}`;
    }
  }
  // Two changes of one document in one event would both start from its state before the event; the last
  // would silently win. An event's changes are a handful: comparing each pair costs less than a set of keys.
  for (let i = 1; i < changes.length; i += 1) {
    const { collection, id } = changes[i] as DocumentChange;
    for (let j = 0; j < i; j += 1) {
      const earlier = changes[j] as DocumentChange;
      if (earlier.collection === collection && earlier.id === id) return `two changes of ${collection}/${id} in one event: make it one`;
    }
  }
  return undefined;
};

/** A failure of the stores, which `restartAfterStoreFailure` restarts after: not an event the projection cannot apply. */
export const isStoreFailure = (halt: ProjectionHalt): boolean =>
  halt.code === 'EVENT_STORE_FAILED' || (halt.code === 'READ_MODEL_FAILED' && halt.error.code === 'READ_MODEL_UNAVAILABLE');

const parkedRecord = (envelope: EventEnvelope, reason: UnreadableEvent | ProjectionHandlerError): ParkedEvent => ({
  eventId: envelope.eventId,
  streamId: envelope.streamId,
  revision: envelope.revision,
  type: envelope.type,
  position: envelope.position,
  recordedAt: envelope.recordedAt,
  reason: { code: reason.code, message: reason.message },
});
