import { AssertionError } from 'node:assert';

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null;

const shown = (value: unknown): string => {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
};

/** The first place where `actual` does not match `expected`, as a path and what was found there. */
const firstMismatch = (actual: unknown, expected: unknown, path: string): string | undefined => {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, found ${shown(actual)}`;
    if (actual.length !== expected.length) return `${path}: expected ${expected.length} elements, found ${actual.length}: ${shown(actual)}`;
    for (const [index, element] of expected.entries()) {
      const mismatch = firstMismatch(actual[index], element, `${path}[${index}]`);
      if (mismatch !== undefined) return mismatch;
    }
    return undefined;
  }
  if (isRecord(expected)) {
    if (!isRecord(actual) || Array.isArray(actual)) return `${path}: expected an object, found ${shown(actual)}`;
    for (const key of Object.keys(expected)) {
      const keyPath = `${path}.${key}`;
      if (!(key in actual)) return `${keyPath}: missing, expected ${shown(expected[key])}`;
      const mismatch = firstMismatch(actual[key], expected[key], keyPath);
      if (mismatch !== undefined) return mismatch;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : `${path}: expected ${shown(expected)}, found ${shown(actual)}`;
};

/**
 * Asserts that `actual` holds everything `expected` does: each field of an expected object is present and
 * matches, at any depth, and may sit beside fields not named; arrays match element by element, with the same
 * length; anything else is compared with Object.is. Throws an `AssertionError` naming the first mismatch.
 */
export const assertPartialMatch = (actual: unknown, expected: unknown, message?: string): void => {
  const mismatch = firstMismatch(actual, expected, '(value)');
  if (mismatch === undefined) return;
  throw new AssertionError({
    message: `${message === undefined ? '' : `${message}: `}${mismatch}`,
    actual,
    expected,
    operator: 'assertPartialMatch',
  });
};
