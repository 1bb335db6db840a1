import * as E from 'fp-ts/Either';
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
}

/** Decodes a stored event's `{ type, data }` with `codec`, after upcasting older schema versions. */
export const decodeStoredEvent = <A>(
  codec: t.Decoder<unknown, A>,
  schemas: EventSchemas,
  envelope: EventEnvelope,
): E.Either<UnreadableEvent, A> => {
  const fail = (problems: readonly string[]): E.Either<UnreadableEvent, A> =>
    E.left({
      code: 'UNREADABLE_EVENT',
      message: `event ${envelope.eventId} (${envelope.type} v${envelope.schemaVersion}) at ${envelope.streamId}@${envelope.revision} cannot be read: ${problems.join('; ')}`,
      eventId: envelope.eventId,
      streamId: envelope.streamId,
      revision: envelope.revision,
      problems,
    });
  const upcasted = schemas.upcast(envelope);
  if (E.isLeft(upcasted)) return fail([upcasted.left]);
  const decoded = decodeWithGuard(codec, { type: envelope.type, data: upcasted.right });
  return E.isLeft(decoded) ? fail(decodeProblems(decoded.left)) : E.right(decoded.right);
};
