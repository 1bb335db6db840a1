/**
 * A deep copy of JSON-like data, frozen at every level. The in-memory store keeps event data as objects
 * rather than serialised text, so it must not keep the caller's own: a host that reused or changed the
 * object after appending would change a stored event under its hash. Durable stores get the same
 * isolation from serialising.
 */
export const frozenCopy = (value: unknown): unknown => {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i += 1) copy[i] = frozenCopy(value[i]);
    return Object.freeze(copy);
  }
  const record = value as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(record)) copy[key] = frozenCopy(record[key]);
  return Object.freeze(copy);
};
