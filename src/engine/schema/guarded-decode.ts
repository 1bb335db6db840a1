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

/** Each field's guard, or undefined if any field has none. */
const fieldGuardsOf = (props: Record<string, AnyDecoder>, guardOf: (field: AnyDecoder) => Guard | undefined): readonly (readonly [string, Guard])[] | undefined => {
  const fields = Object.entries(props).map(([key, field]) => [key, guardOf(field)] as const);
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

/** A guard that may say, of an object it accepted, that the answer can never change: see `remembering`. */
interface SettlingGuard extends Guard {
  settled?: (value: object) => boolean;
}

/** Whether what `guard` accepted in `value` can never change: a primitive, or an object the guard remembers. */
const settledBy = (guard: Guard, value: unknown): boolean =>
  typeof value !== 'object' || value === null || ((guard as SettlingGuard).settled?.(value) ?? false);

/**
 * `check`, remembering the values it accepted whose checked parts can never change: frozen, with every part
 * it checked a primitive or itself remembered by its own guard (`partsSettled`). Such a value is checked
 * once. A store that keeps frozen documents hands the same objects back read after read, and a document
 * written again shares every part it did not change with the one before: only what changed is checked again.
 */
const remembering = (check: Guard, partsSettled: (value: object) => boolean): SettlingGuard => {
  const accepted = new WeakSet<object>();
  const guard: SettlingGuard = (value) => {
    if (typeof value !== 'object' || value === null || !Object.isFrozen(value)) return check(value);
    if (accepted.has(value)) return true;
    if (!check(value)) return false;
    // Its parts were checked first, so those that can never change are remembered by now.
    if (partsSettled(value)) accepted.add(value);
    return true;
  };
  guard.settled = (value) => accepted.has(value);
  return guard;
};

const fieldsSettled =
  (checks: readonly (readonly [string, Guard])[]) =>
  (value: object): boolean => {
    for (const [key, guard] of checks) if (!settledBy(guard, (value as Record<string, unknown>)[key])) return false;
    return true;
  };

const itemsSettled =
  (item: Guard) =>
  (value: object): boolean => {
    for (const element of value as readonly unknown[]) if (!settledBy(item, element)) return false;
    return true;
  };

/** `guard` with `settled` as `settled` says, for the combinators (refinements, unions) that check no part of their own. */
const settlingAs = (guard: Guard, settled: (value: object) => boolean): SettlingGuard => Object.assign(guard, { settled });

/**
 * A check that accepts a value only if `codec.decode` would accept it and return it unchanged, built from
 * the codec's own parts, or `undefined` for a codec it cannot vouch for (one that parses, defaults, or is a
 * custom type other than the domain's predicate codecs). It is io-ts's `is` with two differences that keep
 * it exact: array elements are checked at every index (`is` uses `every`, which skips the holes of a
 * sparse array that decode refuses), and a missing field is refused (decode would add it, as `undefined`).
 *
 * `rememberFrozenParts` makes the checks of the value's objects and arrays remember those they accepted that
 * can never change (see `remembering`): for documents read again and again, whose parts outlive their
 * versions, not for values that pass once, which it would only cost a set entry each.
 */
export const exactGuardOf = (codec: AnyDecoder, rememberFrozenParts = false): Guard | undefined => guardAt(codec, rememberFrozenParts, false);

/**
 * `codec`'s exact guard, as a part of a value (`isPart`) or the value itself. The value itself is not
 * remembered: a document is mostly read once as it is, then written anew, and remembering every version
 * would cost a set entry each for nothing.
 */
const guardAt = (codec: AnyDecoder, rememberFrozenParts: boolean, isPart: boolean): Guard | undefined => {
  const rememberFrozen = rememberFrozenParts && isPart;
  const sameLevel = (inner: AnyDecoder): Guard | undefined => guardAt(inner, rememberFrozenParts, isPart);
  const guardOf = (part: AnyDecoder): Guard | undefined => guardAt(part, rememberFrozenParts, true);
  if (isPredicateCodec(codec)) return (codec as t.Mixed).is;
  if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) {
    const checks = fieldGuardsOf(codec.props as Record<string, AnyDecoder>, guardOf);
    if (checks === undefined) return undefined;
    const check = recordGuard(checks, codec instanceof t.PartialType);
    return rememberFrozen ? remembering(check, fieldsSettled(checks)) : check;
  }
  if (codec instanceof t.ReadonlyArrayType || codec instanceof t.ArrayType) {
    const item = guardOf(codec.type as AnyDecoder);
    if (item === undefined) return undefined;
    const check: Guard = (value) => {
      if (!Array.isArray(value)) return false;
      for (let i = 0; i < value.length; i += 1) if (!item(value[i])) return false;
      return true;
    };
    return rememberFrozen ? remembering(check, itemsSettled(item)) : check;
  }
  if (codec instanceof t.ReadonlyType) return sameLevel(codec.type as AnyDecoder);
  if (codec instanceof t.RefinementType) {
    const base = sameLevel(codec.type as AnyDecoder);
    const predicate = codec.predicate as (value: unknown) => boolean;
    if (base === undefined) return undefined;
    const check: Guard = (value) => base(value) && predicate(value);
    // A predicate of a value whose checked parts can never change gives the same answer every time.
    return rememberFrozen ? settlingAs(check, (value) => settledBy(base, value)) : check;
  }
  if (codec instanceof t.UnionType) {
    const members = unionMembersOf(codec);
    const memberGuards = members.map(sameLevel);
    if (memberGuards.some((guard) => guard === undefined)) return undefined;
    const guards = memberGuards as readonly Guard[];
    const check = taggedUnionGuard(members, guards) ?? ((value) => guards.some((guard) => guard(value)));
    return rememberFrozen ? settlingAs(check, (value) => guards.some((guard) => settledBy(guard, value))) : check;
  }
  if (codec instanceof t.IntersectionType) {
    const members = (codec.types as readonly AnyDecoder[]).map(sameLevel);
    if (members.some((guard) => guard === undefined)) return undefined;
    const guards = members as readonly Guard[];
    const check: Guard = (value) => guards.every((guard) => guard(value));
    return rememberFrozen ? settlingAs(check, (value) => guards.every((guard) => settledBy(guard, value))) : check;
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
