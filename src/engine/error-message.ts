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
