import * as t from 'io-ts';
import { Identifier, NonNegativeInteger, PositiveInteger } from '../shared/codecs';

export const Rating = t.refinement(PositiveInteger, (n) => n <= 5, 'Rating');

/** `return`: the goods come back before the money; `refund`: money only (e.g. never arrived, damaged). */
export const AfterSalesKind = t.keyof({ return: null, refund: null }, 'AfterSalesKind');
export type AfterSalesKind = t.TypeOf<typeof AfterSalesKind>;

export const RequestedLine = t.readonly(t.type({ sku: Identifier, quantity: PositiveInteger }), 'RequestedLine');

export const RefundLine = t.readonly(
  t.type({ sku: Identifier, quantity: PositiveInteger, amount: NonNegativeInteger }),
  'RefundLine',
);
export type RefundLine = t.TypeOf<typeof RefundLine>;

/** The refund id the process manager uses for the refund a cancellation owes. */
export const CANCELLATION_REFUND_ID = 'cancellation';

/** The refund id of a payment captured after its order had already closed: it goes straight back. */
export const LATE_CAPTURE_REFUND_ID = 'late-capture';

/**
 * An after-sales request's id is also the id of its refund, so it may not be one of the refund ids the
 * process manager gives its own refunds: the refund would be taken for that one.
 */
export const RESERVED_REFUND_IDS: readonly string[] = [CANCELLATION_REFUND_ID, LATE_CAPTURE_REFUND_ID];
