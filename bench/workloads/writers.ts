/**
 * Runs `task(0)` … `task(count - 1)` in index order with up to `writers` of them in flight, as that many
 * concurrent clients would. A task's failure rejects the whole batch.
 */
export const forEachConcurrently = async (count: number, writers: number, task: (index: number) => Promise<void>): Promise<void> => {
  if (writers <= 1) {
    for (let index = 0; index < count; index += 1) await task(index);
    return;
  }
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(writers, count) }, writer));
};
