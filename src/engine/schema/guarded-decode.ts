import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { isPredicateCodec } from '../../domain/shared/codecs';

export type Guard = (value: unknown) => boolean;

type AnyDecoder = t.Decoder<unknown, unknown>;

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** A union's members, with the members of nested unions spread out: the union accepts what any of them accepts. */
const unionMembersOf = (codec: AnyDecoder): readonly AnyDecoder[] =>
  codec instanceof t.UnionType ? (codec.types as readonly AnyDecoder[]).flatMap(unionMembersOf) : [codec];

/** The literal `codec` requires at `key`, if it is an object codec (readonly or not) that requires one. */
const literalAt = (codec: AnyDecoder, key: string): { readonly value: unknown } | undefined => {
  const object = codec instanceof t.ReadonlyType ? (codec.type as AnyDecoder) : codec;
  if (!(object instanceof t.InterfaceType)) return undefined;
  const field = (object.props as Record<string, AnyDecoder>)[key];
  return field instanceof t.LiteralType ? { value: field.value as unknown } : undefined;
};

/**
 * For a union of object codecs that each require a literal at one key (a tagged union such as the event
 * types), a guard that tries only the members whose tag the value carries, instead of every member in
 * turn. It is as exact as trying them all: a member whose literal differs refuses the value anyway, and
 * so does every member when the value is not an object. `undefined` when the union has no such key.
 */
const taggedUnionGuard = (members: readonly AnyDecoder[], guards: readonly Guard[]): Guard | undefined => {
  const first = members[0];
  const firstObject = first instanceof t.ReadonlyType ? (first.type as AnyDecoder) : first;
  if (!(firstObject instanceof t.InterfaceType)) return undefined;
  const tagKey = Object.keys(firstObject.props as Record<string, AnyDecoder>).find((key) => members.every((member) => literalAt(member, key) !== undefined));
  if (tagKey === undefined) return undefined;
  const byTag = new Map<unknown, Guard[]>();
  members.forEach((member, index) => {
    const tag = (literalAt(member, tagKey) as { readonly value: unknown }).value;
    byTag.set(tag, [...(byTag.get(tag) ?? []), guards[index] as Guard]);
  });
  return (value) => {
    if (typeof value !== 'object' || value === null) return false;
    const candidates = byTag.get((value as Record<string, unknown>)[tagKey]);
    if (candidates === undefined) return false;
    for (const guard of candidates) if (guard(value)) return true;
    return false;
  };
};

/** Each field's exact guard, or undefined if any field has none. */
const fieldGuardsOf = (props: Record<string, AnyDecoder>): readonly (readonly [string, Guard])[] | undefined => {
  const fields = Object.entries(props).map(([key, field]) => [key, exactGuardOf(field)] as const);
  return fields.some(([, guard]) => guard === undefined) ? undefined : (fields as readonly (readonly [string, Guard])[]);
};

/**
 * A record whose fields pass their guards. A field of a `t.type` must be present, though it may hold
 * `undefined` if its guard allows it; a field of a `t.partial` may be absent or `undefined`.
 */
const recordGuard =
  (checks: readonly (readonly [string, Guard])[], fieldsOptional: boolean): Guard =>
  (value) => {
    if (!t.UnknownRecord.is(value)) return false;
    for (const [key, guard] of checks) {
      const field = value[key];
      if (field === undefined) {
        if (fieldsOptional) continue;
        if (!hasOwnProperty.call(value, key)) return false;
      }
      if (!guard(field)) return false;
    }
    return true;
  };

/**
 * A check that accepts a value only if `codec.decode` would accept it and return it unchanged, built from
 * the codec's own parts, or `undefined` for a codec it cannot vouch for (one that parses, defaults, or is a
 * custom type other than the domain's predicate codecs). It is io-ts's `is` with two differences that keep
 * it exact: array elements are checked at every index (`is` uses `every`, which skips the holes of a
 * sparse array that decode refuses), and a missing field is refused (decode would add it, as `undefined`).
 */
export const exactGuardOf = (codec: AnyDecoder): Guard | undefined => {
  if (isPredicateCodec(codec)) return (codec as t.Mixed).is;
  if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) {
    const checks = fieldGuardsOf(codec.props as Record<string, AnyDecoder>);
    return checks === undefined ? undefined : recordGuard(checks, codec instanceof t.PartialType);
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
  if (codec instanceof t.UnionType) {
    const members = unionMembersOf(codec);
    const memberGuards = members.map(exactGuardOf);
    if (memberGuards.some((guard) => guard === undefined)) return undefined;
    const guards = memberGuards as readonly Guard[];
    return taggedUnionGuard(members, guards) ?? ((value) => guards.some((guard) => guard(value)));
  }
  if (codec instanceof t.IntersectionType) {
    const members = (codec.types as readonly AnyDecoder[]).map(exactGuardOf);
    if (members.some((guard) => guard === undefined)) return undefined;
    const guards = members as readonly Guard[];
    return (value) => guards.every((guard) => guard(value));
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
