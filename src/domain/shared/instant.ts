/**
 * An instant as `show` writes it, or as its number when no `Date` holds it: a time stored before such times
 * were refused, or an event altered in its store, must still be shown (to a host reading a refusal, to an
 * auditor looking for the alteration) rather than fail what shows it.
 */
export const showInstant = (epochMs: number, show: (date: Date) => string): string => {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? `${epochMs} (out of range)` : show(date);
};

/** An instant in ISO 8601, or as its number when no `Date` holds it. */
export const isoInstant = (epochMs: number): string => showInstant(epochMs, (date) => date.toISOString());
