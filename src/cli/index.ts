/** The `ordersource` command line, and the registries through which stores and read models plug into it. */
export { main, runCli } from './main';
export type { CliRegistries } from './main';
export type { CliContext, CommandResult } from './cli-context';
export type { CliError, ExitCode } from './cli-error';
export { defaultEventSources, openFileSource } from './event-sources';
export type { EventSourceOpener, EventSourceRegistry, OpenedSource, SourceContext } from './event-sources';
export { defaultImportTargets, openFileTarget } from './import-targets';
export type { ImportTargetOpener, ImportTargetRegistry, OpenedTarget, TargetContext } from './import-targets';
export { builtInProjections, noProjections } from './projection-registry';
export type { CollectionSummary, ProjectionRegistry, RebuildableProjection, RebuildOptions, RebuildSummary } from './projection-registry';
export { rebuildableProjection } from './projection-rebuild';
export { DEFAULT_READ_MODEL, defaultReadModels, openMemoryReadModel } from './read-models';
export type { OpenedReadModel, ReadModelContext, ReadModelOpener, ReadModelRegistry } from './read-models';
export { DEFAULT_POSTGRES_SCHEMA, openPostgresSource, openPostgresTarget } from './postgres-locations';
export { openEventStoreDbSource } from './eventstoredb-source';
export type { Progress, ProgressFactory } from './progress';
