/**
 * What a job must undo if it is interrupted (Ctrl-C, a signal, its parent gone): the schemas it made on a
 * shared PostgreSQL server, which its own `finally` blocks would drop had it run to the end.
 */
const undoOnInterruption = new Set<() => Promise<void>>();

/** Registers `undo` until the returned function is called, once the job has undone it itself. */
export const undoIfInterrupted = (undo: () => Promise<void>): (() => void) => {
  undoOnInterruption.add(undo);
  return () => {
    undoOnInterruption.delete(undo);
  };
};

/** Runs every registered undo, each once, whatever the others do. */
export const undoInterruptedWork = async (): Promise<void> => {
  const pending = [...undoOnInterruption];
  undoOnInterruption.clear();
  await Promise.allSettled(pending.map((undo) => undo()));
};
