/**
 * A place where two JSON values differ. `path` is `$` for the whole value, then `.key` or `["key"]` and
 * `[index]` down to the place. `missing`: only `expected` has it; `unexpected`: only `actual` has it.
 */
export type JsonDifference =
  | { readonly kind: 'changed'; readonly path: string; readonly expected: unknown; readonly actual: unknown }
  | { readonly kind: 'missing'; readonly path: string; readonly expected: unknown }
  | { readonly kind: 'unexpected'; readonly path: string; readonly actual: unknown };

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null && !Array.isArray(value);

const keyPath = (path: string, key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** A record's own field: `constructor` or `toString` is a key like any other, not what every object inherits. */
const field = (record: Readonly<Record<string, unknown>>, key: string): unknown => (hasOwnProperty.call(record, key) ? record[key] : undefined);

/** Keys whose value is `undefined` are absent, as in JSON. */
const presentKeys = (record: Readonly<Record<string, unknown>>): readonly string[] => Object.keys(record).filter((key) => record[key] !== undefined);

const collect = (expected: unknown, actual: unknown, path: string, out: JsonDifference[]): void => {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const shared = Math.min(expected.length, actual.length);
    for (let i = 0; i < shared; i += 1) collect(expected[i], actual[i], `${path}[${i}]`, out);
    for (let i = shared; i < expected.length; i += 1) out.push({ kind: 'missing', path: `${path}[${i}]`, expected: expected[i] });
    for (let i = shared; i < actual.length; i += 1) out.push({ kind: 'unexpected', path: `${path}[${i}]`, actual: actual[i] });
    return;
  }
  if (isObject(expected) && isObject(actual)) {
    for (const key of presentKeys(expected)) {
      const actualField = field(actual, key);
      if (actualField === undefined) out.push({ kind: 'missing', path: keyPath(path, key), expected: expected[key] });
      else collect(expected[key], actualField, keyPath(path, key), out);
    }
    for (const key of presentKeys(actual)) {
      if (field(expected, key) === undefined) out.push({ kind: 'unexpected', path: keyPath(path, key), actual: actual[key] });
    }
    return;
  }
  // 0 and -0 are one JSON number.
  if (expected !== actual && !Object.is(expected, actual)) out.push({ kind: 'changed', path, expected, actual });
};

/** Every place where `actual` differs from `expected`, structurally: key order does not matter, array order does. */
export const diffJson = (expected: unknown, actual: unknown): readonly JsonDifference[] => {
  const out: JsonDifference[] = [];
  collect(expected, actual, '$', out);
  return out;
};
