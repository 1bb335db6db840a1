import * as E from 'fp-ts/Either';
import type { Batch, ProjectionVersion, ReadModelError, ReadModelStore } from '../../src/projections/read-model-store';
import { CommitInterceptingReadModelStore } from './commit-intercepting-read-model-store';

/**
 * How a commit fails: `refuse` answers an error and writes nothing (a transaction rolled back); `throw` throws
 * (a driver breaking the port's promise); `partial` writes the first `keep` writes but not the checkpoint and
 * then answers an error, as a store without transactions does when it dies in the middle of a batch.
 */
export type CommitFault = { readonly atCommit: number } & ({ readonly mode: 'refuse' | 'throw' } | { readonly mode: 'partial'; readonly keep: number });

/** Wraps a store and makes chosen commits (counted from 1 over the wrapper's life) fail. */
export class FaultyReadModelStore extends CommitInterceptingReadModelStore {
  private commits = 0;
  injected = 0;
  /** The batches the inner store accepted whole, in order. */
  readonly committed: Batch[] = [];

  constructor(
    inner: ReadModelStore,
    private readonly faults: readonly CommitFault[],
  ) {
    super(inner);
  }

  async commit(version: ProjectionVersion, batch: Batch): Promise<E.Either<ReadModelError, void>> {
    this.commits += 1;
    const fault = this.faults.find((f) => f.atCommit === this.commits);
    if (fault === undefined) {
      const result = await this.inner.commit(version, batch);
      if (E.isRight(result)) this.committed.push(batch);
      return result;
    }
    this.injected += 1;
    const failure: ReadModelError = { code: 'READ_MODEL_UNAVAILABLE', message: `injected fault at commit ${this.commits}` };
    if (fault.mode === 'throw') throw new Error(failure.message);
    if (fault.mode === 'partial') {
      const unchanged = batch.expectedCheckpoint ?? -1;
      const written = await this.inner.commit(version, { writes: batch.writes.slice(0, fault.keep), checkpoint: unchanged, expectedCheckpoint: batch.expectedCheckpoint });
      if (E.isLeft(written)) return written;
    }
    return E.left(failure);
  }
}
