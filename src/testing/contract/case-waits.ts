import { AsyncLocalStorage } from 'node:async_hooks';

/** What a running case is waiting for, so that a case that runs out of time can say what it waited for. */
export class PendingWaits {
  private readonly pending: { readonly what: string }[] = [];

  /** Notes that the case waits for `what`; the function returned says the wait is over. */
  begin(what: string): () => void {
    const wait = { what };
    this.pending.push(wait);
    return () => {
      const index = this.pending.indexOf(wait);
      if (index >= 0) this.pending.splice(index, 1);
    };
  }

  get descriptions(): readonly string[] {
    return this.pending.map((wait) => wait.what);
  }
}

// Found through the async context rather than passed: cases keep the signature run(harness), and cases
// running at the same time, as some runners run them, each note their waits in their own PendingWaits.
const runningCase = new AsyncLocalStorage<PendingWaits>();

/** Runs `body`, noting in `waits` what `waitingFor`, called anywhere within it, waits for. */
export const notingWaitsIn = <T>(waits: PendingWaits, body: () => Promise<T>): Promise<T> => runningCase.run(waits, body);

/**
 * `promise`, noted as what the running case waits for until it settles. Outside a case run by the suites
 * (a host calling a case's `run` itself) it is `promise` as it is.
 */
export const waitingFor = <T>(what: string, promise: Promise<T>): Promise<T> => {
  const waits = runningCase.getStore();
  return waits === undefined ? promise : promise.finally(waits.begin(what));
};
