import * as t from 'io-ts';

/**
 * A bigint column. node-postgres returns them as decimal strings, since they may exceed 2^53; this accepts
 * only those that JavaScript represents exactly.
 */
export const Int8 = new t.Type<number, string, unknown>(
  'Int8',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u),
  (u, c) => {
    if (typeof u !== 'string' || !/^-?\d{1,16}$/.test(u)) return t.failure(u, c);
    const value = Number(u);
    return Number.isSafeInteger(value) ? t.success(value) : t.failure(u, c);
  },
  String,
);
