import * as t from 'io-ts';

const describe = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`;
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  // A BigInt shown as its digits alone would read as the number it is not.
  if (typeof value === 'bigint') return `the BigInt ${value}n`;
  return String(value);
};

/**
 * Whether a context entry names a member of a union or intersection (its key is the member's index) rather
 * than a place in the value: such keys would read as array indexes, and differ with the codec the value was
 * read through.
 */
const isMemberEntry = (context: t.Context, index: number): boolean => {
  let parent: t.Decoder<unknown, unknown> | undefined = context[index - 1]?.type;
  // Wrappers that check nothing of their own (readonly, exact) or add a predicate decode through the type they wrap.
  while (parent instanceof t.ReadonlyType || parent instanceof t.RefinementType || parent instanceof t.ExactType) parent = parent.type as t.Decoder<unknown, unknown>;
  return parent instanceof t.UnionType || parent instanceof t.IntersectionType;
};

/** One short line per io-ts error: where in the value, what was expected, what was there. */
export const decodeProblems = (errors: t.Errors): readonly string[] => {
  const lines = errors.map((error) => {
    const path = error.context
      .filter((entry, index) => entry.key !== '' && !isMemberEntry(error.context, index))
      .map((entry) => entry.key)
      .join('.');
    const expected = error.context[error.context.length - 1]?.type.name ?? 'a valid value';
    return `${path === '' ? 'value' : path}: expected ${expected}, got ${describe(error.value)}`;
  });
  return [...new Set(lines)];
};
