import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { Identifier } from '../shared/codecs';
import type { Decider } from '../shared/decider';
import { message } from '../shared/message';

/**
 * A payment provider's transaction id may pay for one payment only. Each id gets its own tiny stream whose
 * first event names the payment that used it, so a callback replayed against another order is recognised
 * whichever payment stream it arrives on.
 */
export const ClaimProviderTransaction = message('ClaimProviderTransaction', { providerTransactionId: Identifier, paymentId: Identifier });
export type ClaimProviderTransaction = t.TypeOf<typeof ClaimProviderTransaction>;

export const ProviderTransactionClaimed = message('ProviderTransactionClaimed', { providerTransactionId: Identifier, paymentId: Identifier });
export const ProviderTransactionEvent = ProviderTransactionClaimed;
export type ProviderTransactionEvent = t.TypeOf<typeof ProviderTransactionEvent>;

export interface ProviderTransactionState {
  readonly claimedBy: string | null;
}

/** Claiming is never refused: the state after it says who holds the id, which the payment decider judges. */
export const providerTransactionDecider: Decider<ClaimProviderTransaction, ProviderTransactionEvent, ProviderTransactionState> = {
  initialState: { claimedBy: null },
  decide: (command, state) => E.right(state.claimedBy === null ? [{ type: 'ProviderTransactionClaimed', data: command.data }] : []),
  evolve: (state, event) => (state.claimedBy === null ? { claimedBy: event.data.paymentId } : state),
};
