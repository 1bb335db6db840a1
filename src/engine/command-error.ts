import type { DomainError } from '../domain/shared/domain-error';
import type { UnreadableEvent } from './schema/stored-event';

/**
 * Why a command was not accepted. `kind` says what the host should do about it:
 * - `invalid`: the request itself is malformed (HTTP 400); nothing was read or written;
 * - `rejected`: the domain refused it in the current state (409, or 404 for `…_NOT_FOUND` codes);
 * - `conflict`: the command id was reused for another payload, or contention outlasted the retries (409);
 * - `unavailable`: the store could not be reached or holds an event it cannot read, the engine was closed, or
 *   code the host gave the engine (a pricing or order policy, its clock, id generator, event schemas or
 *   rejection journal) threw, or its clock read no time, while handling the command (503): `DECISION_THREW`;
 *   nothing was written.
 */
export type CommandError =
  | { readonly kind: 'invalid'; readonly code: 'INVALID_COMMAND' | 'UNKNOWN_COMMAND_TYPE' | 'RESERVED_COMMAND_ID'; readonly message: string; readonly problems: readonly string[] }
  | ({ readonly kind: 'rejected' } & DomainError)
  | { readonly kind: 'conflict'; readonly code: 'COMMAND_ID_CONFLICT' | 'CONCURRENCY_CONFLICT'; readonly message: string }
  | { readonly kind: 'unavailable'; readonly code: 'STORE_UNAVAILABLE' | 'UNREADABLE_EVENT' | 'ENGINE_CLOSED' | 'DECISION_THREW'; readonly message: string };

export const invalidCommand = (problems: readonly string[]): CommandError => ({
  kind: 'invalid',
  code: 'INVALID_COMMAND',
  message: `the command is not valid: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`,
  problems,
});

export const rejected = (error: DomainError): CommandError => ({ kind: 'rejected', ...error });

/** An event the engine holds but cannot read, as the command (or reaction) that needed it is answered. */
export const unreadableEvent = (event: UnreadableEvent): CommandError => ({ kind: 'unavailable', code: 'UNREADABLE_EVENT', message: event.message });
