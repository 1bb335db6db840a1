import type { Batch, ProjectionVersion, ReadModelStore } from '../../src/projections/read-model-store';
import { CommitInterceptingReadModelStore } from './commit-intercepting-read-model-store';

/** Wraps a store and holds every commit of one projection version until the gate is opened. */
export class GatedReadModelStore extends CommitInterceptingReadModelStore {
  private release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  constructor(
    inner: ReadModelStore,
    private readonly held: ProjectionVersion,
  ) {
    super(inner);
  }

  open(): void {
    this.release();
  }

  async commit(version: ProjectionVersion, batch: Batch): ReturnType<ReadModelStore['commit']> {
    if (version.projection === this.held.projection && version.version === this.held.version) await this.gate;
    return this.inner.commit(version, batch);
  }
}
