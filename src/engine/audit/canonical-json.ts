/**
 * JSON with object keys in sorted order at every depth, so that equal values always serialise to the same
 * bytes whatever order their keys were written in. Hashes are taken over this form, so the bytes must never
 * change: keys sort by UTF-16 code units (as `Array.prototype.sort` does), fields holding `undefined` are
 * left out, `undefined`, functions, symbols and non-finite numbers elsewhere read as `null`, an array's
 * holes as nothing, and any other object (a `Date`, a `Map`) by its own enumerable keys only.
 *
 * Every append hashes every event over this form, hence the hand-written serialiser: strings built by
 * concatenation, an insertion sort (faster than `sort()` on the handful of keys an event's objects have),
 * quoting without `JSON.stringify` when nothing needs escaping, and quoted keys remembered.
 */
export const canonicalJson = (value: unknown): string => {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return canonicalArray(value);
  return canonicalObject(value as Record<string, unknown>);
};

/** What JSON.stringify escapes: quote, backslash, control characters and (unpaired) surrogates. */
const NEEDS_ESCAPING = /["\\\u0000-\u001f\ud800-\udfff]/;

const quote = (text: string): string => (NEEDS_ESCAPING.test(text) ? JSON.stringify(text) : `"${text}"`);

/** Event data uses a small vocabulary of keys; the bound keeps data with ever-new keys from growing it. */
const QUOTED_KEYS_LIMIT = 4096;
const quotedKeys = new Map<string, string>();

const quoteKey = (key: string): string => {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = quote(key);
    if (quotedKeys.size < QUOTED_KEYS_LIMIT) quotedKeys.set(key, quoted);
  }
  return quoted;
};

const canonicalArray = (array: readonly unknown[]): string => {
  let json = '[';
  for (let i = 0; i < array.length; i += 1) {
    if (i > 0) json += ',';
    const item = array[i];
    // `map` skips holes and `join` writes them as nothing; a hole reads as `undefined`, which is `null`.
    if (item !== undefined || i in array) json += canonicalJson(item);
  }
  return `${json}]`;
};

const canonicalObject = (record: Record<string, unknown>): string => {
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i += 1) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j -= 1;
    }
    keys[j + 1] = key;
  }
  let json = '{';
  let first = true;
  for (const key of keys) {
    const field = record[key];
    if (field === undefined) continue;
    json += `${first ? '' : ','}${quoteKey(key)}:${canonicalJson(field)}`;
    first = false;
  }
  return `${json}}`;
};
