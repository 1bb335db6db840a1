import * as E from 'fp-ts/Either';
import * as t from 'io-ts';

/** The codecs made by `predicateCodec`. */
const predicateCodecs = new WeakSet<object>();

/**
 * A codec that is a predicate: `is` and `decode` accept exactly the same values, and a value decodes to
 * itself. The engine may then check such values with `is`, which builds no error report.
 */
const predicateCodec = <A>(name: string, accepts: (u: unknown) => u is A): t.Type<A, A, unknown> => {
  const codec = new t.Type<A, A, unknown>(name, accepts, (u, c) => (accepts(u) ? t.success(u) : t.failure(u, c)), t.identity);
  predicateCodecs.add(codec);
  return codec;
};

/** Whether `codec` was made by `predicateCodec` (see there). */
export const isPredicateCodec = (codec: t.Decoder<unknown, unknown>): boolean => predicateCodecs.has(codec);

const integerCodec = (name: string, accepts: (n: number) => boolean): t.Type<number, number, unknown> =>
  predicateCodec(name, (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && accepts(u));

/** An integer ≥ 0 that JavaScript represents exactly. */
export const NonNegativeInteger = integerCodec('NonNegativeInteger', (n) => n >= 0);

/** An integer ≥ 1 that JavaScript represents exactly. */
export const PositiveInteger = integerCodec('PositiveInteger', (n) => n >= 1);

/** The last millisecond a `Date` holds (ECMAScript's time range), some 275,000 years from now. */
export const MAX_TIMESTAMP = 8_640_000_000_000_000;

/**
 * Milliseconds since the Unix epoch, as produced by the engine's injected clock. Any whole number ≥ 0, later
 * than a `Date` holds too: stores written before the engine refused such times hold some, and must still be
 * read; what decides a new time checks it against `MAX_TIMESTAMP` where it matters.
 */
export const Timestamp = integerCodec('Timestamp', (n) => n >= 0);
export type Timestamp = t.TypeOf<typeof Timestamp>;

/** A UTF-16 surrogate without its pair, which has no UTF-8 form. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * U+0000 and a lone UTF-16 surrogate. Neither survives a database: a lone surrogate has no UTF-8 form, so
 * drivers send U+FFFD in its place (two different ids would then name one stream, and the stored event no
 * longer matches its hash), and PostgreSQL text and jsonb refuse U+0000. Refused at the door, they can
 * never become an event that a store or a read model cannot hold.
 */
export const UNSTORABLE_CHARACTER = new RegExp(`\\u0000|${LONE_SURROGATE.source}`);

/**
 * A string of 1 to `maxLength` UTF-16 code units that `pattern` (any string when left out) and a database
 * accept. `plain` is `pattern` narrowed to strings with no U+0000 and no surrogate at all, nearly every
 * string, which it accepts in one scan: every stored event's strings are checked again on every read. The
 * others, emoji and the rest beyond the BMP among them, are checked by `pattern` and then one by one.
 */
const boundedString = (name: string, maxLength: number, plain: RegExp, pattern?: RegExp): t.Type<string, string, unknown> => {
  const accepts = (u: unknown): u is string =>
    typeof u === 'string' &&
    u.length > 0 &&
    u.length <= maxLength &&
    (plain.test(u) || ((pattern === undefined || pattern.test(u)) && !UNSTORABLE_CHARACTER.test(u)));
  return predicateCodec(name, accepts);
};

/** Identifiers: 1–128 characters, no whitespace, so they can be embedded in stream names. */
export const Identifier = boundedString('Identifier', 128, /^[^\s\u0000\uD800-\uDFFF]+$/, /^[^\s]+$/);

/**
 * Ids made from an identifier and a prefix, and the ids that may hold them: stream ids (`order-<orderId>`),
 * deadline ids (`payment-expiry-<orderId>`), and command, correlation and causation ids (a deadline's
 * command is `deadline-<deadlineId>`). 1–256 characters, so the longest prefix fits before any identifier.
 */
export const DerivedIdentifier = boundedString('DerivedIdentifier', 256, /^[^\s\u0000\uD800-\uDFFF]+$/, /^[^\s]+$/);

/** Free text entered by people (names, reasons, notes): 1–2000 characters. */
export const Text = boundedString('Text', 2000, /^[^\u0000\uD800-\uDFFF]*$/);

/** An ISO 4217 alphabetic currency code. */
export const CurrencyCode = predicateCodec('CurrencyCode', (u): u is string => typeof u === 'string' && /^[A-Z]{3}$/.test(u));
export type CurrencyCode = t.TypeOf<typeof CurrencyCode>;

/** A non-empty array whose elements are all distinct; its name says so, for a refusal to say what was wanted. */
export const distinctNonEmptyArray = <C extends t.Mixed>(item: C, name: string, maxLength: number) =>
  t.refinement(t.readonlyArray(item), (xs) => xs.length > 0 && xs.length <= maxLength && new Set(xs).size === xs.length, `${name}: 1 to ${maxLength}, none twice`);

/**
 * Where `value` first departs from `codec`, as "`path` is not `Type`" (`whole` names the value itself), or
 * undefined when it does not: for refusing a host's own configuration or policy output by what is wrong.
 */
export const shapeProblem = (codec: t.Decoder<unknown, unknown>, value: unknown, whole: string): string | undefined => {
  const decoded = codec.decode(value);
  if (E.isRight(decoded)) return undefined;
  const [first] = decoded.left;
  const path = first?.context.map((entry) => entry.key).filter((key) => key !== '').join('.') ?? '';
  return `${path === '' ? whole : path} is not ${first?.context[first.context.length - 1]?.type.name ?? 'valid'}`;
};
