import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { isPredicateCodec } from '../../domain/shared/codecs';

export type Guard = (value: unknown) => boolean;

type AnyDecoder = t.Decoder<unknown, unknown>;

const hasOwnProperty = Object.prototype.hasOwnProperty;

/**
 * A check that accepts a value only if `codec.decode` would accept it and return it unchanged, built from
 * the codec's own parts, or `undefined` for a codec it cannot vouch for (one that parses, defaults, or is a
 * custom type other than the domain's predicate codecs). It is io-ts's `is` with two differences that keep
 * it exact: array elements are checked at every index (`is` uses `every`, which skips the holes of a
 * sparse array that decode refuses), and a missing field is refused (decode would add it, as `undefined`).
 */
export const exactGuardOf = (codec: AnyDecoder): Guard | undefined => {
  if (isPredicateCodec(codec)) return (codec as t.Mixed).is;
  if (codec instanceof t.InterfaceType) {
    const fields = Object.entries(codec.props as Record<string, AnyDecoder>).map(([key, field]) => [key, exactGuardOf(field)] as const);
    if (fields.some(([, guard]) => guard === undefined)) return undefined;
    const checks = fields as readonly (readonly [string, Guard])[];
    return (value) => {
      if (!t.UnknownRecord.is(value)) return false;
      for (const [key, guard] of checks) {
        const field = value[key];
        if ((field === undefined && !hasOwnProperty.call(value, key)) || !guard(field)) return false;
      }
      return true;
    };
  }
  if (codec instanceof t.PartialType) {
    const fields = Object.entries(codec.props as Record<string, AnyDecoder>).map(([key, field]) => [key, exactGuardOf(field)] as const);
    if (fields.some(([, guard]) => guard === undefined)) return undefined;
    const checks = fields as readonly (readonly [string, Guard])[];
    return (value) => {
      if (!t.UnknownRecord.is(value)) return false;
      for (const [key, guard] of checks) {
        const field = value[key];
        if (field !== undefined && !guard(field)) return false;
      }
      return true;
    };
  }
  if (codec instanceof t.ReadonlyArrayType || codec instanceof t.ArrayType) {
    const item = exactGuardOf(codec.type as AnyDecoder);
    if (item === undefined) return undefined;
    return (value) => {
      if (!Array.isArray(value)) return false;
      for (let i = 0; i < value.length; i += 1) if (!item(value[i])) return false;
      return true;
    };
  }
  if (codec instanceof t.ReadonlyType) return exactGuardOf(codec.type as AnyDecoder);
  if (codec instanceof t.RefinementType) {
    const base = exactGuardOf(codec.type as AnyDecoder);
    const predicate = codec.predicate as (value: unknown) => boolean;
    return base === undefined ? undefined : (value) => base(value) && predicate(value);
  }
  if (codec instanceof t.UnionType || codec instanceof t.IntersectionType) {
    const members = (codec.types as readonly AnyDecoder[]).map(exactGuardOf);
    if (members.some((guard) => guard === undefined)) return undefined;
    const guards = members as readonly Guard[];
    return codec instanceof t.UnionType ? (value) => guards.some((guard) => guard(value)) : (value) => guards.every((guard) => guard(value));
  }
  const leaf =
    codec instanceof t.LiteralType ||
    codec instanceof t.KeyofType ||
    codec instanceof t.NullType ||
    codec instanceof t.UnknownType ||
    codec instanceof t.StringType ||
    codec instanceof t.NumberType ||
    codec instanceof t.BooleanType ||
    codec === t.UnknownRecord;
  return leaf ? (codec as t.Mixed).is : undefined;
};

const guards = new WeakMap<AnyDecoder, Guard | null>();

/**
 * `codec.decode(value)`, checking `value` with the codec's exact guard first: io-ts's decode allocates a
 * context entry and an Either per field it checks, which on the command path and in replay cost more than
 * the checks themselves. The same rules are checked either way; a value the guard refuses goes through
 * decode, so errors are reported exactly as before.
 */
export const decodeWithGuard = <A>(codec: t.Decoder<unknown, A>, value: unknown): t.Validation<A> => {
  let guard = guards.get(codec);
  if (guard === undefined) {
    guard = exactGuardOf(codec) ?? null;
    guards.set(codec, guard);
  }
  return guard !== null && guard(value) ? E.right(value as A) : codec.decode(value);
};
