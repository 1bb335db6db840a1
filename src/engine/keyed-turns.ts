/**
 * Turns per key (a stream id, a payment id): work on one key runs one at a time, in the order it came,
 * while work on different keys runs freely. It holds only the keys in use, so it stays as small as the
 * work in flight, and a key nobody holds is taken without a promise.
 */
export class KeyedTurns {
  /** The keys in use, each with the work waiting for its turn (undefined while none waits). */
  private readonly turns = new Map<string, (() => void)[] | undefined>();

  /** Takes the key's turn: at once (undefined) when it is free, else a promise of the turn. */
  take(key: string): Promise<void> | undefined {
    if (!this.turns.has(key)) {
      this.turns.set(key, undefined);
      return undefined;
    }
    return new Promise((resolve) => {
      const waiting = this.turns.get(key);
      if (waiting === undefined) this.turns.set(key, [resolve]);
      else waiting.push(resolve);
    });
  }

  /** Hands the key to the next work waiting for it, or frees it. */
  pass(key: string): void {
    const next = this.turns.get(key)?.shift();
    if (next === undefined) this.turns.delete(key);
    else next();
  }

  /** Runs `work` in the key's turn. */
  async run<A>(key: string, work: () => Promise<A>): Promise<A> {
    const turn = this.take(key);
    if (turn !== undefined) await turn;
    try {
      return await work();
    } finally {
      this.pass(key);
    }
  }
}
