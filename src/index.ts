/**
 * ordersource: an event-sourced order engine. Create an engine with `createEngine`, send it commands with
 * `execute`, and read what happened from its event store.
 *
 * @module ordersource
 */
export { createEngine } from './engine/order-engine';
export type { CommandAccepted, CommandOutcome, EngineOptions, OrderEngine } from './engine/order-engine';
export type { CommandError } from './engine/command-error';
export { CommandRequest } from './engine/command-request';
export type { RejectedCommand, ReadRejectionsOptions, RejectionJournal } from './engine/rejection-journal';
export { MemoryRejectionJournal } from './engine/rejection-journal';
export type { FiredDeadline, ProcessManagerFailure } from './engine/process-manager/process-manager';
export type { RetryPolicy } from './engine/retry-policy';
export type { CachedState } from './engine/state-cache';

export { systemClock, manualClock } from './engine/clock';
export type { Clock, ManualClock } from './engine/clock';
export { randomIds, sequentialIds, timeOrderedIds } from './engine/ids';
export type { IdGenerator } from './engine/ids';

export type { EventEnvelope, ProposedEvent } from './engine/event-store/envelope';
export { EventEnvelopeCodec } from './engine/event-store/envelope';
export type {
  AppendError,
  AppendResult,
  Direction,
  StoreUnavailable,
  EventFilter,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  SubscribeOptions,
  SubscriptionMessage,
  WrongExpectedRevision,
} from './engine/event-store/event-store';
export { MemoryEventStore } from './adapters/event-store/memory/memory-event-store';
export { eventSchemas } from './engine/schema/event-schemas';
export type { EventSchemaDefinition, EventSchemas, Upcaster } from './engine/schema/event-schemas';
export { cartStreamId, orderStreamId, paymentStreamId } from './engine/aggregates';
export type { HostCommand } from './engine/aggregates';

export * as cart from './domain/cart/public';
export * as order from './domain/order/public';
export * as payment from './domain/payment/public';
export * as pricing from './domain/pricing/pricing-policy';
export { Money, money, format as formatMoney } from './domain/shared/money';
export type { DomainError } from './domain/shared/domain-error';
export type { Decider, DecisionContext } from './domain/shared/decider';
export { replay } from './domain/shared/decider';
export { StoredEvent, decodeStoredEvent } from './engine/schema/stored-event';
export type { UnreadableEvent } from './engine/schema/stored-event';
export * from './engine/audit/index';
export { currentEventSchemas, eventSchemaDefinitions, UNCATEGORISED } from './engine/schema/current-event-schemas';
export { eventTypeNames } from './engine/schema/event-type-names';
export type { CurrencyCode, Timestamp } from './domain/shared/codecs';
export * from './projections';
