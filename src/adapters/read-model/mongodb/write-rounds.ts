/**
 * Splits a batch's writes into rounds, each with at most one write per document, to be sent round after
 * round. Within a round the writes touch different documents, so an unordered bulk write (which the driver
 * regroups by kind and the server may run in any order) has the effect of running them in batch order.
 *
 * Before that, a write followed by a write to the same document at a later position is left out: it cannot
 * change the outcome (whatever the stored position, either both apply and the later one decides, or the
 * later one is the first to apply, or neither does). Events are applied in order, so a document's writes
 * in a batch normally have increasing positions and the batch fits in one round; writes at equal or
 * falling positions — allowed, and ignored or not by the same rules — take more.
 */
export const writeRounds = <W extends { readonly collection: string; readonly id: string; readonly position: number }>(writes: readonly W[]): W[][] => {
  const byDocument = new Map<string, W[]>();
  for (const write of writes) {
    const key = JSON.stringify([write.collection, write.id]);
    const kept = byDocument.get(key) ?? [];
    while (kept.length > 0 && (kept[kept.length - 1] as W).position < write.position) kept.pop();
    kept.push(write);
    byDocument.set(key, kept);
  }
  const rounds: W[][] = [];
  for (const kept of byDocument.values()) {
    kept.forEach((write, i) => {
      (rounds[i] ??= []).push(write);
    });
  }
  return rounds;
};
