import * as t from 'io-ts';
import { PositiveInteger } from '../shared/codecs';

/** How many units of a product one line holds. The ceiling keeps line totals far from overflow. */
export const MAX_LINE_QUANTITY = 9999;

export const Quantity = t.refinement(PositiveInteger, (n) => n <= MAX_LINE_QUANTITY, 'Quantity');
