import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { MemoryEventStore } from '../adapters/event-store/memory/memory-event-store';
import type { CartState } from '../domain/cart/decider';
import type { OrderCommand } from '../domain/order/commands';
import type { OrderPolicy, OrderState } from '../domain/order/decider';
import { defaultOrderPolicy } from '../domain/order/decider';
import { RESERVED_REFUND_IDS } from '../domain/order/values';
import { callbackWouldCapture, type PaymentState } from '../domain/payment/decider';
import { format, money } from '../domain/shared/money';
import type { PaymentCommand } from '../domain/payment/commands';
import { PricingPolicy, standardPricingPolicy } from '../domain/pricing/pricing-policy';
import type { ClaimProviderTransaction, ProviderTransactionState } from '../domain/provider-transaction/provider-transaction';
import { aggregates, cartStreamId, EngineCommand, engineCommandCodecs, isCartCommand, isPaymentCommand, orderStreamId, paymentStreamId, publicCommandCodecs } from './aggregates';
import { checkedClock, Clock, systemClock } from './clock';
import { CommandError, invalidCommand, unreadableEvent } from './command-error';
import { CommandHandler, CommandMetadata, CommandRejection, HandledCommand } from './command-handler';
import { CommandMemo, type Remembered, samePayload } from './command-memo';
import { CommandRequest } from './command-request';
import type { EventEnvelope } from './event-store/envelope';
import type { EventStore } from './event-store/event-store';
import { IdGenerator, timeOrderedIds } from './ids';
import { toldSafely } from './host-hook';
import { KeyedTurns } from './keyed-turns';
import { FiredDeadline, isEngineCommandId, ProcessManager, ProcessManagerFailure, UnreadableForReactions } from './process-manager/process-manager';
import { decodeStoredEvent, UnreadableEvent } from './schema/stored-event';
import { JourneyEvent, REACTING_EVENT_TYPES, Reaction, reactionsTo } from './process-manager/reactions';
import { delayAfter, RetryPolicy, retryPolicyOf } from './retry-policy';
import { WakeableSleeps } from './wakeable-sleeps';
import { MemoryRejectionJournal, ReadRejectionsOptions, RejectedCommand, RejectionJournal } from './rejection-journal';
import { decodeProblems } from './schema/decode-problems';
import { currentEventSchemas } from './schema/current-event-schemas';
import type { EventSchemas } from './schema/event-schemas';
import { Identifier, Timestamp } from '../domain/shared/codecs';
import { messageOf, shownValue, withArticle } from './error-message';
import { decodeWithGuard } from './schema/guarded-decode';
import { frozenCopy } from './frozen-copy';
import { decodedCopy } from './schema/known-fields-copy';
import type { CachedState } from './state-cache';
import { wholeAtLeastOne } from './whole-option';

/** A command the engine accepted: the events it appended (or, for a repeated id, those of its first run). */
export interface CommandAccepted {
  readonly commandId: string;
  readonly streamId: string;
  readonly events: readonly EventEnvelope[];
  /** The stream's revision after the command. */
  readonly revision: number;
  /** True when this command id had been handled before and nothing new was appended. */
  readonly duplicate: boolean;
}

export type CommandOutcome = E.Either<CommandError, CommandAccepted>;

export interface EngineOptions {
  /** Where events are kept. Default: a new in-memory store. */
  readonly eventStore?: EventStore;
  readonly clock?: Clock;
  /** Event ids. EventStoreDB needs UUIDs; the default makes time-ordered ones (version 7) from `clock`. */
  readonly newId?: IdGenerator;
  readonly pricing?: PricingPolicy;
  readonly orderPolicy?: OrderPolicy;
  /** How long a placed order waits for payment before it expires. Default 30 minutes. */
  readonly paymentWindowMs?: number;
  /**
   * Aggregate states kept in memory per aggregate type: a whole number (0 turns the cache off), or Infinity.
   * Default 10,000, or every stream's for a store that holds its events in memory (the in-memory store): see
   * `EventStore.holdsEventsInMemory`. Anything else is a RangeError.
   */
  readonly stateCacheSize?: number;
  /** Command ids whose outcome is remembered in memory: a whole number, or Infinity. Default 100,000. Anything else is a RangeError. */
  readonly commandMemoSize?: number;
  /** Attempts at a command whose stream keeps changing under it. Default 5. */
  readonly maxAttempts?: number;
  readonly rejectionJournal?: RejectionJournal;
  /** Each event type's current schema version and how older stored versions are upcast. Default: the engine's own. */
  readonly eventSchemas?: EventSchemas;
  /** Whether the process manager runs in this engine (default true): one per deployment is enough. */
  readonly runProcessManager?: boolean;
  /** The process manager resumes after this position (what `processManagerPosition` said before a restart). */
  readonly processManagerStartAfter?: number;
  /**
   * How many events the process manager may be reacting to at once; events that touch the same streams still
   * take their turn in order. Default 32; 1 handles one event at a time.
   */
  readonly processManagerConcurrency?: number;
  /**
   * How the process manager waits before trying again a reaction the store could not take (unreachable, or
   * contention that outlasted `maxAttempts`), or that the host's code threw on (`DECISION_THREW`): from
   * `firstDelayMs` (default 50), doubling up to `maxDelayMs`
   * (default 5,000), until it gets through or the engine closes. Its position stays before that event meanwhile.
   */
  readonly processManagerRetry?: Partial<RetryPolicy>;
  /** Told of every reaction that failed; `retryInMs` says when it is tried again, if it is. */
  readonly onProcessManagerFailure?: (failure: ProcessManagerFailure) => void;
  /** Told each time a command is decided again because its stream changed under it (for metrics). */
  readonly onConflictRetry?: (streamId: string, attempt: number) => void;
}

export interface OrderEngine {
  /** Decodes, decides and stores one command. Never throws: every outcome is a value. */
  execute(request: unknown): Promise<CommandOutcome>;
  cartState(cartId: string): Promise<E.Either<CommandError, CachedState<CartState>>>;
  orderState(orderId: string): Promise<E.Either<CommandError, CachedState<OrderState>>>;
  paymentState(paymentId: string): Promise<E.Either<CommandError, CachedState<PaymentState>>>;
  rejections(options?: ReadRejectionsOptions): Promise<readonly RejectedCommand[]>;
  /**
   * Fires every stored deadline due at `now` (default: the engine's clock), e.g. unpaid orders' expiry,
   * each exactly once. The host calls it on a timer of its own.
   */
  runDueDeadlines(now?: number): Promise<readonly FiredDeadline[]>;
  /** Resolves once the process manager has handled every event stored so far, and what those caused. */
  settle(): Promise<void>;
  readonly processManagerPosition: number;
  readonly eventStore: EventStore;
  /**
   * Stops the process manager, and closes the store if the engine created it (a store passed in stays open).
   * Afterwards `execute` answers `ENGINE_CLOSED` (nothing would carry a command on), `runDueDeadlines` fires
   * nothing, and `settle` returns at once.
   */
  close(): Promise<void>;
}

type PublicHandler = (command: EngineCommand, metadata: CommandMetadata, notBefore: number) => Promise<E.Either<CommandRejection, HandledCommand<unknown>>>;

const ENGINE_DEFAULTS = {
  paymentWindowMs: 30 * 60 * 1000,
  stateCacheSize: 10_000,
  commandMemoSize: 100_000,
  maxAttempts: 5,
  processManagerConcurrency: 32,
};

/**
 * A state as a query hands it out: frozen, and not the one the engine keeps, which the next command is
 * decided on. A host that sorted or changed what it was given would change that decision.
 */
const handedOut = <S>(cached: CachedState<S>): CachedState<S> => ({ state: frozenCopy(cached.state), revision: cached.revision });

/**
 * A state query's id that is no id (a JavaScript host's undefined, a number): answered, not looked up as the
 * text it would turn into (`cart-undefined`).
 */
const invalidId = (aggregate: string, id: unknown): CommandError => ({
  kind: 'invalid',
  code: 'INVALID_COMMAND',
  message: `${withArticle(aggregate)} id is 1 to 128 characters without whitespace, not ${typeof id === 'string' ? JSON.stringify(id).slice(0, 140) : typeof id}`,
  problems: [],
});

/** A state query: its id checked, the state loaded through `handler` (cache or store) and handed out. */
const stateQuery =
  <S>(aggregate: string, handler: { load(streamId: string): Promise<E.Either<CommandError, CachedState<S>>> }, streamIdOf: (id: string) => string) =>
  async (id: string): Promise<E.Either<CommandError, CachedState<S>>> =>
    Identifier.is(id) ? E.map(handedOut<S>)(await handler.load(streamIdOf(id))) : E.left(invalidId(aggregate, id));

interface ReadRequest {
  readonly request: CommandRequest;
  readonly command: EngineCommand;
}

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null;

/**
 * The request's own fields, each read once: what is checked is what is kept. Field by field rather than
 * through `decodedCopy`, as every command pays for it.
 */
const requestSnapshot = (raw: unknown): unknown => {
  if (!isObject(raw)) return raw;
  const { commandId, actor, command, correlationId, causationId } = raw;
  const snapshot: Record<string, unknown> = { commandId, actor, command: isObject(command) ? { type: command['type'], data: command['data'] } : command };
  if (correlationId !== undefined) snapshot['correlationId'] = correlationId;
  if (causationId !== undefined) snapshot['causationId'] = causationId;
  return snapshot;
};

/**
 * A request as the engine keeps it: every field read once and checked as read (the command's through
 * `decodedCopy`, into frozen data). Whatever a request's getters or Proxy traps throw on the way makes it
 * invalid, not a rejected promise.
 */
const readRequest = (raw: unknown, codecs: ReadonlyMap<string, t.Decoder<unknown, EngineCommand>>): E.Either<CommandError, ReadRequest> => {
  try {
    const request = decodeWithGuard(CommandRequest, requestSnapshot(raw));
    if (E.isLeft(request)) return E.left(invalidCommand(decodeProblems(request.left)));
    const candidate = request.right.command;
    const codec = codecs.get(candidate.type);
    if (codec === undefined) {
      return E.left({ kind: 'invalid', code: 'UNKNOWN_COMMAND_TYPE', message: `there is no command ${JSON.stringify(candidate.type).slice(0, 80)}`, problems: [] });
    }
    const command = decodedCopy(codec, candidate);
    return E.isLeft(command) ? E.left(invalidCommand(decodeProblems(command.left))) : E.right({ request: request.right, command: command.right });
  } catch (thrown) {
    return E.left({ kind: 'invalid', code: 'INVALID_COMMAND', message: `the request could not be read: ${messageOf(thrown)}`, problems: [] });
  }
};

/**
 * A setting that is an exact whole number, a time or a position: one that is not (NaN, Infinity, a
 * fraction, a number as text) is refused when the engine is made. Taken as it came, it made the process
 * manager's commands invalid, or its reading of the store start elsewhere, and journeys stopped in silence.
 */
const wholeNumberSetting = (name: string, value: unknown, least: number, most: number, unit: string): number | undefined => {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= least && value <= most) return value;
  throw new RangeError(`createEngine: ${name} must be a whole number of ${unit} from ${least} to ${most}, not ${shownValue(value)}`);
};

/**
 * The longest payment or after-sales window: a deadline must be a time an event can hold (at most 2^53 - 1
 * ms), however far the clock has gone, and no shop waits a thousand years.
 */
const MAX_WINDOW_MS = 1000 * 365 * 24 * 60 * 60 * 1000;

/**
 * The host's order policy, its after-sales window checked as the payment window is: one that is no whole
 * number of ms in range passed every order through payment and shipping, to be refused only at delivery.
 */
const checkedOrderPolicy = (policy: OrderPolicy | undefined): OrderPolicy => {
  if (policy === undefined || policy === null) return defaultOrderPolicy;
  if (wholeNumberSetting('orderPolicy.afterSalesWindowMs', policy.afterSalesWindowMs, 0, MAX_WINDOW_MS, 'milliseconds') === undefined) {
    throw new RangeError('createEngine: orderPolicy has no afterSalesWindowMs');
  }
  return policy;
};

/** A bound on what is kept in memory: a whole number of entries, or Infinity for no bound at all. */
const sizeSetting = (name: string, value: unknown): number | undefined =>
  value === Number.POSITIVE_INFINITY ? value : wholeNumberSetting(name, value, 0, Number.MAX_SAFE_INTEGER, 'entries (or Infinity)');

/**
 * Builds an engine over `options.eventStore` (in memory by default) and starts its process manager. Throws a
 * RangeError for a time, position or size setting that is no whole number in its range (`paymentWindowMs`,
 * `processManagerStartAfter`, `stateCacheSize`, `commandMemoSize`).
 */
export const createEngine = (options: EngineOptions = {}): OrderEngine => {
  const paymentWindowMs = wholeNumberSetting('paymentWindowMs', options.paymentWindowMs, 0, MAX_WINDOW_MS, 'milliseconds') ?? ENGINE_DEFAULTS.paymentWindowMs;
  const processManagerStartAfter = wholeNumberSetting('processManagerStartAfter', options.processManagerStartAfter, -1, Number.MAX_SAFE_INTEGER, 'positions');
  const store = options.eventStore ?? new MemoryEventStore();
  const clock = checkedClock(options.clock ?? systemClock);
  const schemas = options.eventSchemas ?? currentEventSchemas;
  const journal = options.rejectionJournal ?? new MemoryRejectionJournal();
  const defs = aggregates(options.pricing ?? standardPricingPolicy(), checkedOrderPolicy(options.orderPolicy));
  const handlerDeps = {
    store,
    clock,
    newId: options.newId ?? timeOrderedIds(clock),
    schemas,
    cacheCapacity: sizeSetting('stateCacheSize', options.stateCacheSize) ?? (store.holdsEventsInMemory === true ? Number.POSITIVE_INFINITY : ENGINE_DEFAULTS.stateCacheSize),
    maxAttempts: wholeAtLeastOne(options.maxAttempts, ENGINE_DEFAULTS.maxAttempts),
    onConflictRetry: toldSafely(options.onConflictRetry ?? (() => undefined)),
  };
  const cart = new CommandHandler(defs.cart, handlerDeps);
  const order = new CommandHandler(defs.order, handlerDeps);
  const payment = new CommandHandler(defs.payment, handlerDeps);
  const providerTransaction = new CommandHandler(defs.providerTransaction, handlerDeps);

  const memo = new CommandMemo<CommandOutcome>(sizeSetting('commandMemoSize', options.commandMemoSize) ?? ENGINE_DEFAULTS.commandMemoSize);

  /** Who holds a provider transaction id, without claiming it. */
  const transactionHolder = async (streamId: string): Promise<E.Either<CommandRejection, CachedState<ProviderTransactionState>>> =>
    E.mapLeft((error: CommandError): CommandRejection => ({ error, streamId, revision: undefined }))(await providerTransaction.load(streamId));

  /**
   * Within one engine, what a payment's commands look at and what they write are one step: each command to
   * a payment, and each order command that decides on what a payment holds (MarkOrderPaid, and the expiry
   * of an order the process manager's payment, under the order's id, may have paid), takes the payment's
   * turn. Else two capturing callbacks would both see it pending and both claim their transaction ids (the
   * one the payment then refused keeping the id of the order it really paid for), a capture stored between
   * an expiry's look and its append would be sent back as late though it came in time, and an order could
   * be marked paid by a payment a host refunded meanwhile, whose capture had gone back as late.
   */
  const paymentTurns = new KeyedTurns();

  /**
   * A provider callback that would capture its payment first claims its transaction id for it (across all
   * payments); any other callback only asks who holds the id. Then the payment decides, knowing the holder.
   */
  const handleProviderCallback = async (
    callback: Extract<PaymentCommand, { type: 'RecordProviderCallback' }>,
    metadata: CommandMetadata,
    notBefore: number,
  ): Promise<E.Either<CommandRejection, HandledCommand<unknown>>> => {
    const { paymentId, providerTransactionId } = callback.data;
    const current = await payment.load(paymentStreamId(paymentId));
    if (E.isLeft(current)) return E.left({ error: current.left, streamId: paymentStreamId(paymentId), revision: undefined });
    if (current.right.state.status === 'none') {
      return E.left({
        error: { kind: 'rejected', code: 'PAYMENT_NOT_FOUND', message: `payment ${paymentId} has not been initiated`, details: { paymentId } },
        streamId: paymentStreamId(paymentId),
        revision: current.right.revision,
      });
    }
    const claim: ClaimProviderTransaction = { type: 'ClaimProviderTransaction', data: { providerTransactionId, paymentId } };
    const holder = callbackWouldCapture(current.right.state, callback.data)
      ? await providerTransaction.handle(claim, metadata, notBefore)
      : await transactionHolder(defs.providerTransaction.streamIdOf(claim));
    if (E.isLeft(holder)) return holder;
    const claimedBy = holder.right.state.claimedBy ?? paymentId;
    return payment.handle({ type: 'DecideProviderCallback', data: { ...callback.data, claimedBy } }, metadata, notBefore);
  };

  /**
   * An order is marked paid only by the payment that captured its amount: the order's decider cannot see
   * payments, and a host sending MarkOrderPaid itself must not ship an order nobody paid for.
   */
  const handleMarkPaid = async (
    command: Extract<OrderCommand, { type: 'MarkOrderPaid' }>,
    metadata: CommandMetadata,
    notBefore: number,
  ): Promise<E.Either<CommandRejection, HandledCommand<unknown>>> => {
    const { orderId, paymentId, amount } = command.data;
    const streamId = orderStreamId(orderId);
    const paid = await payment.load(paymentStreamId(paymentId));
    if (E.isLeft(paid)) return E.left({ error: paid.left, streamId, revision: undefined });
    const { state } = paid.right;
    const captured = state.status === 'captured' && state.orderId === orderId && state.currency === amount.currency && state.amountCaptured === amount.amount;
    if (!captured) {
      const message = `payment ${paymentId} has not captured ${format(amount)} for order ${orderId}`;
      return E.left({ error: { kind: 'rejected', code: 'PAYMENT_NOT_CAPTURED', message, details: { paymentId, orderId } }, streamId, revision: undefined });
    }
    // Money given back (a capture the order could not take, refunded; a refund sent straight to the payment)
    // no longer pays for anything: such a payment pays no order but the one it already paid, where being
    // named again changes nothing. Else a process manager restarted from an earlier position, marking the
    // order paid again after it was placed at last, would have it paid by a payment refunded in full.
    if (state.amountRefunded > 0) {
      const paying = await order.load(streamId);
      if (E.isLeft(paying)) return E.left({ error: paying.left, streamId, revision: undefined });
      const current = paying.right.state;
      if (current.status === 'none' || current.paymentId !== paymentId) {
        const message = `payment ${paymentId} has refunded ${format(money(state.amountRefunded, state.currency))} of what it captured, and cannot pay order ${orderId}`;
        return E.left({ error: { kind: 'rejected', code: 'PAYMENT_REFUNDED', message, details: { paymentId, orderId } }, streamId, revision: undefined });
      }
    }
    return order.handle(command, metadata, notBefore);
  };

  /**
   * An order whose payment has given back all it captured is not shipped: the order itself learns of its
   * payment's refunds only from the process manager, which may be behind, so the payment is read, in its turn.
   */
  const handleShip = async (
    command: Extract<OrderCommand, { type: 'ShipOrder' }>,
    metadata: CommandMetadata,
    notBefore: number,
  ): Promise<E.Either<CommandRejection, HandledCommand<unknown>>> => {
    const streamId = orderStreamId(command.data.orderId);
    const current = await order.load(streamId);
    if (E.isLeft(current)) return E.left({ error: current.left, streamId, revision: undefined });
    const { paymentId } = current.right.state.status === 'none' ? { paymentId: null } : current.right.state;
    if (paymentId === null) return order.handle(command, metadata, notBefore);
    return paymentTurns.run(paymentId, async () => {
      const paid = await payment.load(paymentStreamId(paymentId));
      if (E.isLeft(paid)) return E.left({ error: paid.left, streamId, revision: undefined });
      const { state } = paid.right;
      if (state.status !== 'none' && state.amountCaptured > 0 && state.amountRefunded >= state.amountCaptured) {
        const message = `order ${command.data.orderId} has given back all it was paid (payment ${paymentId} refunded ${format(money(state.amountRefunded, state.currency))}): cancel it`;
        return E.left({ error: { kind: 'rejected', code: 'ORDER_REFUNDED', message, details: { orderId: command.data.orderId, paymentId } }, streamId, revision: current.right.revision });
      }
      return order.handle(command, metadata, notBefore);
    });
  };

  /**
   * An order whose payment (the one the process manager starts, under the order's id) has captured it is
   * not expired, though not marked paid yet: the capture came in time, and the process manager may only be
   * behind, as it often is over a durable store when the deadline fires just after the capture. Expired, the
   * order would lose the shopper's payment, sent back as a late capture.
   */
  const handleExpire = async (
    command: Extract<OrderCommand, { type: 'ExpireUnpaidOrder' }>,
    metadata: CommandMetadata,
    notBefore: number,
  ): Promise<E.Either<CommandRejection, HandledCommand<unknown>>> => {
    const { orderId } = command.data;
    const streamId = orderStreamId(orderId);
    const current = await order.load(streamId);
    if (E.isLeft(current)) return E.left({ error: current.left, streamId, revision: undefined });
    const placed = current.right.state;
    if (placed.status === 'awaiting-payment') {
      const paid = await payment.load(paymentStreamId(orderId));
      if (E.isLeft(paid)) return E.left({ error: paid.left, streamId, revision: undefined });
      const { state } = paid.right;
      // Only a capture that can pay the order, as MarkOrderPaid will take it, keeps it from expiring.
      const pays = state.status === 'captured' && state.orderId === orderId && state.currency === placed.currency && state.amountCaptured === placed.total;
      if (pays && state.amountRefunded === 0) {
        const message = `order ${orderId} is not expired: its payment captured ${format(money(state.amountCaptured, state.currency))}, and it is being marked paid`;
        const error: CommandError = { kind: 'rejected', code: 'PAYMENT_CAPTURED', message, details: { orderId, paymentId: state.paymentId } };
        return E.left({ error, streamId, revision: current.right.revision });
      }
    }
    return order.handle(command, metadata, notBefore);
  };

  /**
   * The engine refunds under ids of its own: `cancellation`, `late-capture`, and each after-sales request's
   * id. A payment takes each refund id once, so a host's refund sent straight to a payment under one of them
   * would have the engine's refund refused, and the shopper never paid back. Such a refund is refused here,
   * as is a request under the id of a refund the order's payment already made: each side's check reads the
   * other aggregate, which neither decider can see. The look and the command are not one step: a host's
   * refund and a request under the same id sent at the same moment can both pass.
   */
  const handleHostRefund = async (
    command: Extract<PaymentCommand, { type: 'RefundPayment' }>,
    metadata: CommandMetadata,
    notBefore: number,
  ): Promise<E.Either<CommandRejection, HandledCommand<unknown>>> => {
    const { paymentId, refundId } = command.data;
    const streamId = paymentStreamId(paymentId);
    const current = await payment.load(streamId);
    if (E.isLeft(current)) return E.left({ error: current.left, streamId, revision: undefined });
    const { state } = current.right;
    // A refund id the payment already took is for its decider to answer: a repeat, or a refusal.
    if (state.status === 'none' || state.refundIds.includes(refundId)) return payment.handle(command, metadata, notBefore);
    if (RESERVED_REFUND_IDS.includes(refundId)) {
      const message = `refund id ${refundId} is the one the engine gives its own refunds: choose another`;
      return E.left({ error: { kind: 'rejected', code: 'RESERVED_REFUND_ID', message, details: { refundId } }, streamId, revision: current.right.revision });
    }
    const paid = await order.load(orderStreamId(state.orderId));
    if (E.isLeft(paid)) return E.left({ error: paid.left, streamId, revision: undefined });
    const orderState = paid.right.state;
    if (orderState.status !== 'none' && orderState.paymentId === paymentId && orderState.afterSales.some((request) => request.requestId === refundId)) {
      const message = `refund id ${refundId} is that of after-sales request ${refundId} of order ${state.orderId}, whose refund the engine would make under it: choose another`;
      return E.left({ error: { kind: 'rejected', code: 'REFUND_ID_TAKEN', message, details: { refundId, orderId: state.orderId } }, streamId, revision: current.right.revision });
    }
    return payment.handle(command, metadata, notBefore);
  };

  const handleAfterSalesRequest = async (
    command: Extract<OrderCommand, { type: 'RequestAfterSales' }>,
    metadata: CommandMetadata,
    notBefore: number,
  ): Promise<E.Either<CommandRejection, HandledCommand<unknown>>> => {
    const { orderId, requestId } = command.data;
    const streamId = orderStreamId(orderId);
    const current = await order.load(streamId);
    if (E.isLeft(current)) return E.left({ error: current.left, streamId, revision: undefined });
    const placed = current.right.state;
    // A request the order already holds is for its decider to answer: a repeat, or a refusal.
    if (placed.status === 'none' || placed.paymentId === null || placed.afterSales.some((request) => request.requestId === requestId)) {
      return order.handle(command, metadata, notBefore);
    }
    const paid = await payment.load(paymentStreamId(placed.paymentId));
    if (E.isLeft(paid)) return E.left({ error: paid.left, streamId, revision: undefined });
    const paying = paid.right.state;
    if (paying.status !== 'none' && paying.refundIds.includes(requestId)) {
      const message = `payment ${placed.paymentId} already made a refund ${requestId}, and an after-sales request is refunded under its own id: choose another request id`;
      return E.left({ error: { kind: 'rejected', code: 'REQUEST_ID_TAKEN', message, details: { requestId, paymentId: placed.paymentId } }, streamId, revision: current.right.revision });
    }
    return order.handle(command, metadata, notBefore);
  };

  /** What a host sends: the engine's refunds keep their ids (see `handleHostRefund`). */
  const dispatchFromHost: PublicHandler = (command, metadata, notBefore) => {
    if (command.type === 'RefundPayment') return paymentTurns.run(command.data.paymentId, () => handleHostRefund(command, metadata, notBefore));
    return command.type === 'RequestAfterSales' ? handleAfterSalesRequest(command, metadata, notBefore) : dispatch(command, metadata, notBefore);
  };

  const dispatch: PublicHandler = (command, metadata, notBefore) => {
    if (isCartCommand(command)) return cart.handle(command, metadata, notBefore);
    if (isPaymentCommand(command)) {
      return paymentTurns.run(command.data.paymentId, () =>
        command.type === 'RecordProviderCallback' ? handleProviderCallback(command, metadata, notBefore) : payment.handle(command, metadata, notBefore),
      );
    }
    if (command.type === 'MarkOrderPaid') return paymentTurns.run(command.data.paymentId, () => handleMarkPaid(command, metadata, notBefore));
    if (command.type === 'ShipOrder') return handleShip(command, metadata, notBefore);
    // The expiry looks at the process manager's payment of the order, whose id is the order's.
    if (command.type === 'ExpireUnpaidOrder') return paymentTurns.run(command.data.orderId, () => handleExpire(command, metadata, notBefore));
    return order.handle(command, metadata, notBefore);
  };

  /** Not async: a new command's outcome is its run's own promise, with no further promise wrapped round it. */
  const execute = (raw: unknown, notBefore = 0, sender: 'host' | 'engine' = 'engine'): Promise<CommandOutcome> => {
    const read = readRequest(raw, sender === 'host' ? publicCommandCodecs : engineCommandCodecs);
    if (E.isLeft(read)) return Promise.resolve(read);
    const { request, command } = read.right;
    const { commandId } = request;
    if (sender === 'host' && isEngineCommandId(commandId)) {
      const message = `command id ${commandId} is of the kind the engine gives its own commands: ids starting "pm-" or "deadline-" are reserved`;
      return Promise.resolve(E.left({ kind: 'invalid', code: 'RESERVED_COMMAND_ID', message, problems: [] }));
    }
    const metadata: CommandMetadata = {
      commandId,
      actor: request.actor,
      correlationId: request.correlationId ?? commandId,
      causationId: request.causationId ?? commandId,
    };
    const handler = sender === 'host' ? dispatchFromHost : dispatch;
    const remembered = memo.get(commandId);
    return remembered === undefined ? runRemembered(command, metadata, notBefore, handler) : repeat(remembered, command, metadata, notBefore, handler);
  };

  /**
   * Remembered as it starts: the same id sent again meanwhile with another command is then a conflict, and
   * with the same command waits for this one's outcome. That includes a repeat run again (of an accepted
   * command, found in its stream by its id, or of one that could not be decided, tried again).
   */
  const runRemembered = (command: EngineCommand, metadata: CommandMetadata, notBefore: number, handler: PublicHandler): Promise<CommandOutcome> => {
    const running = run(command, metadata, notBefore, handler);
    memo.rememberRunning(metadata.commandId, command, running);
    return running;
  };

  const repeat = async (
    remembered: Remembered<CommandOutcome>,
    command: EngineCommand,
    metadata: CommandMetadata,
    notBefore: number,
    handler: PublicHandler,
  ): Promise<CommandOutcome> => {
    const { commandId } = metadata;
    if (!samePayload(remembered.command, command)) {
      return E.left({ kind: 'conflict', code: 'COMMAND_ID_CONFLICT', message: `command id ${commandId} was already used for a different command` });
    }
    // Nothing to wait for, no wait: a yield here would let a second repeat of the same tick run as well.
    const first = remembered.outcome ?? (remembered.running === undefined ? undefined : await remembered.running);
    if (first !== undefined) return E.map((accepted: CommandAccepted) => ({ ...accepted, duplicate: true }))(first);
    return runRemembered(command, metadata, notBefore, handler);
  };

  const run = async (command: EngineCommand, metadata: CommandMetadata, notBefore: number, handler: PublicHandler): Promise<CommandOutcome> => {
    const { commandId } = metadata;
    try {
      const handled = await handler(command, metadata, notBefore);
      if (E.isRight(handled)) {
        const { streamId, events, revision, duplicate } = handled.right;
        const outcome: CommandOutcome = E.right({ commandId, streamId, events, revision, duplicate });
        if (events.length > 0) memo.rememberCommand(commandId, command);
        else memo.rememberOutcome(commandId, command, outcome);
        return outcome;
      }
      // One frozen error for the caller, the memo and the journal: none can change what the others say.
      const error = frozenCopy(handled.left.error);
      // Only a decision is final; an unavailable store or lost races may succeed when retried.
      if (error.kind !== 'rejected') {
        memo.rememberCommand(commandId, command);
        return E.left(error);
      }
      memo.rememberOutcome(commandId, command, E.left(error));
      await keepRejection(command, metadata, handled.left, error);
      return E.left(error);
    } catch (thrown) {
      // The host's clock, id generator or event schemas threw (policies' throws are answered where they decide),
      // before the command's events were appended, or a policy refused with details no copy can take (a cycle).
      // A provider callback's claim of its transaction id may have been appended, which a retry under the same
      // command id takes up.
      memo.rememberCommand(commandId, command);
      return E.left({ kind: 'unavailable', code: 'DECISION_THREW', message: `handling ${command.type} ${commandId} threw: ${messageOf(thrown)}` });
    }
  };

  const keepRejection = async (command: EngineCommand, metadata: CommandMetadata, rejection: CommandRejection, error: CommandError): Promise<void> => {
    try {
      await journal.record({
        commandId: metadata.commandId,
        command,
        actor: metadata.actor,
        correlationId: metadata.correlationId,
        streamId: rejection.streamId,
        stateRevision: rejection.revision,
        error,
        rejectedAt: clock(),
      });
    } catch {
      // A journal of the host's own that fails (its database down) loses the entry, not the answer: the
      // command was decided, and is refused, whether or not its refusal was kept.
    }
  };

  const journeyHandlers = [cart, order, payment] as const;
  const decodeForReactions = (envelope: EventEnvelope): E.Either<UnreadableForReactions, readonly Reaction[]> => {
    const handler = journeyHandlers.find((h) => envelope.streamId.startsWith(h.aggregate.streamPrefix));
    if (handler === undefined || !REACTING_EVENT_TYPES.has(envelope.type)) return E.right([]);
    const decoded: E.Either<UnreadableEvent, JourneyEvent> = decodeStoredEvent<JourneyEvent>(handler.aggregate.eventCodec, schemas, envelope);
    return E.isRight(decoded)
      ? E.right(reactionsTo(decoded.right, envelope.occurredAt, { paymentWindowMs }))
      : E.left({ error: unreadableEvent(decoded.left), readLater: decoded.left.cause === 'schema-version' });
  };

  const processManagerFailure = toldSafely(options.onProcessManagerFailure ?? (() => undefined));
  const processManagerRetry = retryPolicyOf(options.processManagerRetry);
  const processManager = new ProcessManager({
    store,
    clock,
    newId: handlerDeps.newId,
    schemas,
    reactionsTo: decodeForReactions,
    streamOf: (command) =>
      isCartCommand(command) ? defs.cart.streamIdOf(command) : isPaymentCommand(command) ? paymentStreamId(command.data.paymentId) : defs.order.streamIdOf(command),
    concurrency: wholeAtLeastOne(options.processManagerConcurrency, ENGINE_DEFAULTS.processManagerConcurrency),
    retry: processManagerRetry,
    execute,
    ...(processManagerStartAfter === undefined ? {} : { startAfter: processManagerStartAfter }),
    onFailure: processManagerFailure,
  });
  if (options.runProcessManager !== false) processManager.start();

  let closed = false;
  const engineClosed: CommandOutcome = E.left({ kind: 'unavailable', code: 'ENGINE_CLOSED', message: 'the engine is closed: its process manager no longer carries a command on' });

  /** The waits of settles under way between two reads of the store's head, ended when the engine closes. */
  const settleSleeps = new WakeableSleeps();

  /**
   * The store's head, unless the engine closed meanwhile (the host may then close its store too): `closed`.
   * A store that cannot say (unreachable) is asked again after the process manager's waits, as the process
   * manager itself waits it out: a settle waits for the store to be back, and never throws.
   */
  const headUnlessClosed = async (): Promise<number | undefined | 'closed'> => {
    for (let failures = 1; !closed; failures += 1) {
      try {
        const head = await store.headPosition();
        return closed ? 'closed' : head;
      } catch {
        if (closed) return 'closed';
        await settleSleeps.sleep(delayAfter(processManagerRetry, failures));
      }
    }
    return 'closed';
  };

  const settle = async (): Promise<void> => {
    if (options.runProcessManager === false) return;
    for (;;) {
      const head = await headUnlessClosed();
      if (head === undefined || head === 'closed') return;
      await processManager.whenProcessed(head);
      if ((await headUnlessClosed()) === head) return;
    }
  };

  return {
    execute: (request) => (closed ? Promise.resolve(engineClosed) : execute(request, 0, 'host')),
    cartState: stateQuery<CartState>('cart', cart, cartStreamId),
    orderState: stateQuery<OrderState>('order', order, orderStreamId),
    paymentState: stateQuery<PaymentState>('payment', payment, paymentStreamId),
    // A JavaScript host may pass null for no options.
    rejections: (readOptions) => journal.read(readOptions ?? {}),
    runDueDeadlines: async (now) => {
      if (closed) return [];
      // Any whole number of ms will do, however far ahead: a deadline's command is decided, and its firing
      // recorded, at the deadline's own time or the clock's, not at `now`.
      if (now !== undefined && now !== null && !Timestamp.is(now)) {
        // A time that is none (NaN, text) would find every deadline due, and expire orders still in their window.
        const message = `runDueDeadlines was given ${shownValue(now)}, not a whole number of milliseconds since 1970: no deadline fired`;
        processManagerFailure({ position: -1, eventId: '', error: { kind: 'invalid', code: 'INVALID_TIME', message } });
        return [];
      }
      let dueAt: number;
      try {
        dueAt = now ?? clock();
      } catch (thrown) {
        // Nothing is due at no time: said where failures go, and tried on the host's next call.
        processManagerFailure({ position: -1, eventId: '', error: { kind: 'unavailable', code: 'DECISION_THREW', message: `the deadlines due could not be found: ${messageOf(thrown)}` } });
        return [];
      }
      return processManager.runDueDeadlines(dueAt);
    },
    settle,
    get processManagerPosition() {
      return processManager.position;
    },
    eventStore: store,
    close: async () => {
      closed = true;
      processManager.stop();
      settleSleeps.wakeAll();
      if (options.eventStore === undefined) await store.close();
    },
  };
};
