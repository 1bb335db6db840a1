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
