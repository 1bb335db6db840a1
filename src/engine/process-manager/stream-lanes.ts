/**
 * Runs work that touches named streams so that, stream by stream, it happens in the order it was handed in:
 * a piece of work starts once every earlier piece sharing a stream with it has finished (or failed), and
 * work on streams of its own runs at once, alongside the rest.
 */
export class StreamLanes {
  /** Per stream, the last work handed in for it, settled either way so that a failure does not block the lane. */
  private readonly tails = new Map<string, Promise<void>>();

  get busyStreams(): number {
    return this.tails.size;
  }

  run<T>(streams: readonly string[], work: () => Promise<T>): Promise<T> {
    const earlier = new Set<Promise<void>>();
    for (const stream of streams) {
      const tail = this.tails.get(stream);
      if (tail !== undefined) earlier.add(tail);
    }
    const running = earlier.size === 0 ? work() : Promise.all(earlier).then(work);
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    for (const stream of streams) this.tails.set(stream, settled);
    void settled.then(() => {
      for (const stream of streams) if (this.tails.get(stream) === settled) this.tails.delete(stream);
    });
    return running;
  }
}
