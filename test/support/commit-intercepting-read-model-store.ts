import type { Batch, ProjectionVersion, ReadModelStore } from '../../src/projections/read-model-store';

/**
 * A store that passes everything to `inner` except commits, which a subclass intercepts: the test doubles
 * that fail or hold commits differ only there.
 */
export abstract class CommitInterceptingReadModelStore implements ReadModelStore {
  constructor(protected readonly inner: ReadModelStore) {}

  prepare: ReadModelStore['prepare'] = (version, collections) => this.inner.prepare(version, collections);
  get: ReadModelStore['get'] = (version, collection, id) => this.inner.get(version, collection, id);
  getMany: ReadModelStore['getMany'] = (version, keys) => this.inner.getMany(version, keys);
  find: ReadModelStore['find'] = (version, query) => this.inner.find(version, query);
  checkpoint: ReadModelStore['checkpoint'] = (version) => this.inner.checkpoint(version);
  activeVersion: ReadModelStore['activeVersion'] = (projection) => this.inner.activeVersion(projection);
  activate: ReadModelStore['activate'] = (projection, version, expected, builtThrough) => this.inner.activate(projection, version, expected, builtThrough);
  drop: ReadModelStore['drop'] = (version) => this.inner.drop(version);
  close: ReadModelStore['close'] = () => this.inner.close();

  abstract commit(version: ProjectionVersion, batch: Batch): ReturnType<ReadModelStore['commit']>;
}
