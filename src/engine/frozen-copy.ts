const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Sets a field of a plain object being built. An own "__proto__" field (JSON.parse makes one) is data: a
 * plain assignment would set the object's prototype instead.
 */
export const setOwnField = (record: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
};

/** Whether a value is immutable all the way down: a primitive, or a frozen object of such values. */
export const isDeeplyFrozen = (value: unknown): boolean => {
  if (value === null || typeof value !== 'object') return true;
  if (!Object.isFrozen(value)) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) if (!isDeeplyFrozen(value[i])) return false;
    return true;
  }
  // for…in walks a frozen object's own keys from its map's cache; Object.values would allocate an array.
  for (const key in value) if (!isDeeplyFrozen((value as Record<string, unknown>)[key])) return false;
  return true;
};

const copyFrozen = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i += 1) copy[i] = copyFrozen(value[i]);
    return Object.freeze(copy);
  }
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key in record) if (hasOwn.call(record, key)) setOwnField(copy, key, copyFrozen(record[key]));
  return Object.freeze(copy);
};

/**
 * JSON-like data that nobody can change: the value itself when it already is immutable all the way down,
 * else a deep copy frozen at every level. Whatever the engine keeps in memory from outside — the event
 * data an in-memory store holds, a command it remembers (copied by `knownFieldsCopy`, which also freezes)
 * — must not be the caller's own object: a host that reused or changed it afterwards would change a
 * stored event under its hash.
 */
export const frozenCopy = <T>(value: T): T => (isDeeplyFrozen(value) ? value : (copyFrozen(value) as T));

const NOT_PLAIN: unique symbol = Symbol('not plain JSON');

const copyPlain = (value: unknown): unknown => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : NOT_PLAIN;
  if (typeof value !== 'object') return NOT_PLAIN;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i += 1) {
      const item = i in value ? copyPlain(value[i]) : NOT_PLAIN;
      if (item === NOT_PLAIN) return NOT_PLAIN;
      copy[i] = item;
    }
    return Object.freeze(copy);
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if ((prototype !== Object.prototype && prototype !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return NOT_PLAIN;
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key in record) {
    if (!hasOwn.call(record, key)) continue;
    const item = copyPlain(record[key]);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    setOwnField(copy, key, item);
  }
  return Object.freeze(copy);
};

/**
 * A frozen copy of `value` if it is plain JSON, which JSON would give back as it is (plain objects and
 * arrays without holes, strings, finite numbers, booleans, null); undefined for anything else (a `Date`,
 * an object with `toJSON`, an `undefined` field), which only a round trip through JSON turns into what it
 * becomes. One walk, as `frozenCopy`'s, where the round trip would cost several.
 */
export const plainJsonCopy = (value: unknown): unknown => {
  const copy = copyPlain(value);
  return copy === NOT_PLAIN ? undefined : copy;
};
