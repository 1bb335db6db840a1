import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { isPredicateCodec } from '../../domain/shared/codecs';
import { frozenCopy } from '../frozen-copy';
import { decodeWithGuard, exactGuardOf, type Guard } from './guarded-decode';

type AnyDecoder = t.Decoder<unknown, unknown>;

/** Copies one decoded value as its codec declares it. */
type Copier = (value: unknown) => unknown;

const hasOwnProperty = Object.prototype.hasOwnProperty;

const keepAsIs: Copier = (value) => value;

const recordCopier = (props: Record<string, AnyDecoder>): Copier => {
  // Two arrays walked by index: every command's every object goes through here.
  const keys = Object.keys(props);
  const fieldCopiers = keys.map((key) => copierOf(props[key] as AnyDecoder));
  return (value) => {
    const record = value as Record<string, unknown>;
    const copy: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i += 1) {
      const key = keys[i] as string;
      const field = record[key];
      if (field !== undefined || hasOwnProperty.call(record, key)) copy[key] = (fieldCopiers[i] as Copier)(field);
    }
    return Object.freeze(copy);
  };
};

const unionCopier = (members: readonly AnyDecoder[]): Copier => {
  const choices = members.map((member) => [exactGuardOf(member) ?? (member as t.Mixed).is, copierOf(member)] as const);
  return (value) => {
    for (const [accepts, copy] of choices) if ((accepts as Guard)(value)) return copy(value);
    return frozenCopy(value);
  };
};

const copierFor = (codec: AnyDecoder): Copier => {
  if (isPredicateCodec(codec)) return keepAsIs;
  if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) return recordCopier(codec.props as Record<string, AnyDecoder>);
  if (codec instanceof t.ReadonlyArrayType || codec instanceof t.ArrayType) {
    const copyItem = copierOf(codec.type as AnyDecoder);
    return (value) => Object.freeze((value as readonly unknown[]).map(copyItem));
  }
  if (codec instanceof t.ReadonlyType || codec instanceof t.RefinementType || codec instanceof t.ExactType) return copierOf(codec.type as AnyDecoder);
  if (codec instanceof t.UnionType) return unionCopier(codec.types as readonly AnyDecoder[]);
  if (codec instanceof t.IntersectionType) {
    const members = (codec.types as readonly AnyDecoder[]).map(copierOf);
    return (value) => Object.freeze(Object.assign({}, ...members.map((copy) => copy(value))));
  }
  const primitive =
    codec instanceof t.LiteralType ||
    codec instanceof t.KeyofType ||
    codec instanceof t.NullType ||
    codec instanceof t.StringType ||
    codec instanceof t.NumberType ||
    codec instanceof t.BooleanType;
  // Whatever else a codec lets through (`t.unknown`, custom types) is kept whole.
  return primitive ? keepAsIs : frozenCopy;
};

const copiers = new WeakMap<AnyDecoder, Copier>();

const copierOf = (codec: AnyDecoder): Copier => {
  let copier = copiers.get(codec);
  if (copier === undefined) {
    copier = copierFor(codec);
    copiers.set(codec, copier);
  }
  return copier;
};

/**
 * A copy of a value `codec` has decoded, frozen at every level, that keeps only the fields the codec
 * declares. io-ts's `t.type` lets other fields through, and deciders put a command's data into its events:
 * a field a host added (a flag, a megabyte of text) would be stored for good under the hash chain, and a
 * copy of one nested deep enough would exhaust the stack. What the codec declares is as deep as the codec.
 */
export const knownFieldsCopy = <A>(codec: t.Decoder<unknown, A>, decoded: A): A => copierOf(codec)(decoded) as A;

/**
 * `value` decoded by `codec` as the engine keeps it: the frozen copy of its declared fields, made first and
 * checked as made. The caller's object is not read after the copy, so a getter or a Proxy that answers one
 * read one way and the next another cannot get data past the codec that it never checked. A value the copy
 * cannot walk (not of the declared shape) is decoded as it is, for the problems to name it. Throws what the
 * value's own getters or traps throw, and what the copy met when the value decodes all the same.
 */
export const decodedCopy = <A>(codec: t.Decoder<unknown, A>, value: unknown): t.Validation<A> => {
  let copy: A;
  try {
    copy = knownFieldsCopy(codec, value as A);
  } catch (thrown) {
    // Decoded only for its problems: a value that passes but could not be copied answers reads differently
    // (a getter that threw once), and is never itself what is kept.
    const decoded = codec.decode(value);
    if (E.isLeft(decoded)) return decoded;
    throw thrown;
  }
  const checked = decodeWithGuard(codec, copy);
  // A codec that transforms what it decodes gives a new value, which is copied (and frozen) in turn.
  return E.isRight(checked) && checked.right !== copy ? E.right(knownFieldsCopy(codec, checked.right)) : checked;
};
