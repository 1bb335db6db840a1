import * as E from 'fp-ts/Either';
import { messageOf } from '../error-message';
import * as t from 'io-ts';
import { CartEvent } from '../../domain/cart/events';
import { OrderEvent } from '../../domain/order/events';
import { PaymentEvent } from '../../domain/payment/events';
import { ProviderTransactionEvent } from '../../domain/provider-transaction/provider-transaction';
import type { EventEnvelope } from '../event-store/envelope';
import { DeadlineEvent } from '../process-manager/deadline-events';
import { decodeProblems } from './decode-problems';
import type { EventSchemas } from './event-schemas';
import { decodeWithGuard } from './guarded-decode';

/** Every event type the engine writes, whatever its aggregate. */
export const StoredEvent = t.union([CartEvent, OrderEvent, PaymentEvent, ProviderTransactionEvent, DeadlineEvent], 'StoredEvent');
export type StoredEvent = t.TypeOf<typeof StoredEvent>;

export interface UnreadableEvent {
  readonly code: 'UNREADABLE_EVENT';
  readonly message: string;
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly problems: readonly string[];
  /**
   * `schema-version`: this engine cannot bring the event's schema version to its own (a version newer than
   * it knows, no upcaster for it, an upcaster that threw), where an engine that can (an upgrade, a fixed
   * upcaster) would read it. `content`: its data is not what its type holds at that version.
   */
  readonly cause: 'schema-version' | 'content';
}

const unreadable = (envelope: EventEnvelope, problems: readonly string[], cause: UnreadableEvent['cause']): E.Either<UnreadableEvent, never> =>
  E.left({
    code: 'UNREADABLE_EVENT',
    message: `event ${envelope.eventId} (${envelope.type} v${envelope.schemaVersion}) at ${envelope.streamId}@${envelope.revision} cannot be read: ${problems.join('; ')}`,
    eventId: envelope.eventId,
    streamId: envelope.streamId,
    revision: envelope.revision,
    problems,
    cause,
  });

/**
 * Decodes a stored event's `{ type, data }` with `codec`, after upcasting older schema versions. It runs
 * once per event on every replay, so an event already at its type's current version (nearly all of them)
 * goes to the decoder as it is, without the upcaster's round trip.
 */
export const decodeStoredEvent = <A>(
  codec: t.Decoder<unknown, A>,
  schemas: EventSchemas,
  envelope: EventEnvelope,
): E.Either<UnreadableEvent, A> => {
  let data = envelope.data;
  if (envelope.schemaVersion !== schemas.currentVersion(envelope.type)) {
    let upcasted: E.Either<string, unknown>;
    try {
      upcasted = schemas.upcast(envelope);
    } catch (thrown) {
      // A host's upcaster is code the engine does not control: what it throws makes the event unreadable, a
      // value every reader (commands, the process manager, projections, audits) already answers.
      upcasted = E.left(`upcasting ${envelope.type} v${envelope.schemaVersion} threw: ${messageOf(thrown)}`);
    }
    if (E.isLeft(upcasted)) return unreadable(envelope, [upcasted.left], 'schema-version');
    data = upcasted.right;
  }
  let decoded: t.Validation<A>;
  try {
    decoded = decodeWithGuard(codec, { type: envelope.type, data });
  } catch (thrown) {
    // Data read from a store cannot throw when read; what an upcaster returned can (a getter that throws).
    return unreadable(envelope, [`reading what upcasting ${envelope.type} v${envelope.schemaVersion} returned threw: ${messageOf(thrown)}`], 'schema-version');
  }
  return E.isLeft(decoded) ? unreadable(envelope, decodeProblems(decoded.left), 'content') : decoded;
};
