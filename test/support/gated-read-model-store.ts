import type { Batch, ProjectionVersion, ReadModelStore } from '../../src/projections/read-model-store';

/** Wraps a store and holds every commit of one projection version until the gate is opened. */
export class GatedReadModelStore implements ReadModelStore {
  private release: () => void = () => undefined;
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  constructor(
    private readonly inner: ReadModelStore,
    private readonly held: ProjectionVersion,
  ) {}

  open(): void {
    this.release();
  }

  prepare: ReadModelStore['prepare'] = (version, collections) => this.inner.prepare(version, collections);
  get: ReadModelStore['get'] = (version, collection, id) => this.inner.get(version, collection, id);
  getMany: ReadModelStore['getMany'] = (version, keys) => this.inner.getMany(version, keys);
  find: ReadModelStore['find'] = (version, query) => this.inner.find(version, query);
  checkpoint: ReadModelStore['checkpoint'] = (version) => this.inner.checkpoint(version);
  activeVersion: ReadModelStore['activeVersion'] = (projection) => this.inner.activeVersion(projection);
  activate: ReadModelStore['activate'] = (projection, version, expected) => this.inner.activate(projection, version, expected);
  drop: ReadModelStore['drop'] = (version) => this.inner.drop(version);
  close: ReadModelStore['close'] = () => this.inner.close();

  async commit(version: ProjectionVersion, batch: Batch): ReturnType<ReadModelStore['commit']> {
    if (version.projection === this.held.projection && version.version === this.held.version) await this.gate;
    return this.inner.commit(version, batch);
  }
}
