import { AssertionError } from 'node:assert';

// Both assertions look only at what a value holds, never at its prototype: a store may hand out objects of
// another realm (made by structuredClone, say, while a runner such as jest runs the cases in a vm context),
// which node:assert's deepStrictEqual tells apart from the same JSON made here.

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null;

const hasOwn = (record: Readonly<Record<string, unknown>>, key: string): boolean => Object.prototype.hasOwnProperty.call(record, key);

const shown = (value: unknown): string => {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
};

const keyPath = (path: string, key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

/**
 * The first place where `actual` differs from `expected`, as a path and what was found there. `exactly`
 * also refuses fields of an object that `expected` does not name; without it they may sit beside those named.
 */
const firstDifference = (actual: unknown, expected: unknown, path: string, exactly: boolean): string | undefined => {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, found ${shown(actual)}`;
    if (actual.length !== expected.length) return `${path}: expected ${expected.length} elements, found ${actual.length}: ${shown(actual)}`;
    for (const [index, element] of expected.entries()) {
      const difference = firstDifference(actual[index], element, `${path}[${index}]`, exactly);
      if (difference !== undefined) return difference;
    }
    return undefined;
  }
  if (isRecord(expected)) {
    if (!isRecord(actual) || Array.isArray(actual)) return `${path}: expected an object, found ${shown(actual)}`;
    for (const key of Object.keys(expected)) {
      if (!hasOwn(actual, key)) return `${keyPath(path, key)}: missing, expected ${shown(expected[key])}`;
      const difference = firstDifference(actual[key], expected[key], keyPath(path, key), exactly);
      if (difference !== undefined) return difference;
    }
    if (exactly) {
      const unexpected = Object.keys(actual).find((key) => !hasOwn(expected, key));
      if (unexpected !== undefined) return `${keyPath(path, unexpected)}: not expected, found ${shown(actual[unexpected])}`;
    }
    return undefined;
  }
  return Object.is(actual, expected) ? undefined : `${path}: expected ${shown(expected)}, found ${shown(actual)}`;
};

const ROOT = '(value)';

const assertNoDifference = (actual: unknown, expected: unknown, exactly: boolean, message: string | undefined, operator: string): void => {
  const difference = firstDifference(actual, expected, ROOT, exactly);
  if (difference === undefined) return;
  // A difference in the value itself needs no path: the message's own words say what the value is.
  const where = message !== undefined && difference.startsWith(`${ROOT}: `) ? difference.slice(ROOT.length + 2) : difference;
  throw new AssertionError({ message: message === undefined ? where : `${message}: ${where}`, actual, expected, operator });
};

/**
 * Asserts that `actual` is the JSON-like value `expected` is: arrays of the same length, element by
 * element; objects with the same own enumerable keys, field by field; anything else compared with
 * Object.is. Throws an `AssertionError` naming the path of the first difference, after `message` if given.
 */
export const assertStructurallyEqual = (actual: unknown, expected: unknown, message?: string): void =>
  assertNoDifference(actual, expected, true, message, 'assertStructurallyEqual');

/**
 * Asserts that `actual` holds everything `expected` does: each field of an expected object is an own field
 * of `actual` and matches, at any depth, and may sit beside fields not named; arrays match element by
 * element, with the same length; anything else is compared with Object.is. Throws an `AssertionError`
 * naming the path of the first mismatch, after `message` if given.
 */
export const assertPartialMatch = (actual: unknown, expected: unknown, message?: string): void =>
  assertNoDifference(actual, expected, false, message, 'assertPartialMatch');
