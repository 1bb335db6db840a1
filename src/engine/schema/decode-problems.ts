import type * as t from 'io-ts';

const describe = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  // A BigInt shown as its digits alone would read as the number it is not.
  if (typeof value === 'bigint') return `the BigInt ${value}n`;
  return String(value);
};

/** One short line per io-ts error: where in the value, what was expected, what was there. */
export const decodeProblems = (errors: t.Errors): readonly string[] => {
  const lines = errors.map((error) => {
    const path = error.context
      .map((entry) => entry.key)
      .filter((key) => key !== '')
      .join('.');
    const expected = error.context[error.context.length - 1]?.type.name ?? 'a valid value';
    return `${path === '' ? 'value' : path}: expected ${expected}, got ${describe(error.value)}`;
  });
  return [...new Set(lines)];
};
