/**
 * What a thrown value says: an Error's message, anything else as text. Total: a value with no text (an
 * object without a prototype, a `toString` or `message` that throws) says so instead of throwing again.
 */
export const messageOf = (thrown: unknown): string => {
  try {
    return thrown instanceof Error ? String(thrown.message) : String(thrown);
  } catch {
    return 'a value that cannot be shown as text';
  }
};

/** `order` → `an order`, `cart` → `a cart`: the nouns of messages, which are English. */
export const withArticle = (noun: string): string => `${/^[aeiou]/.test(noun) ? 'an' : 'a'} ${noun}`;

/**
 * A value a host handed in, as a message names it: text quoted, a number (NaN, -1) as written, and anything
 * else by its kind, since an object may have no text form at all (`Object.create(null)`).
 */
export const shownValue = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value);
  const hasTextForm = value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol');
  return hasTextForm ? String(value) : withArticle(typeof value);
};
