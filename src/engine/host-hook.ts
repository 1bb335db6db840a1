/**
 * A host's callback that only tells (a metric, an alert), made so that nothing it does reaches the engine: a
 * throw, or a promise it returns that rejects, is dropped. Else a failing alert would fail the command it
 * was told of, or, thrown inside the process manager, end the host's process as an unhandled rejection.
 */
export const toldSafely =
  <A extends readonly unknown[]>(hook: (...args: A) => unknown) =>
  (...args: A): void => {
    try {
      const returned = hook(...args);
      if (typeof (returned as PromiseLike<unknown> | undefined)?.then === 'function') (returned as PromiseLike<unknown>).then(undefined, () => undefined);
    } catch {
      // Dropped: see above.
    }
  };
