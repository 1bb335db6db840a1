/** The `ordersource` command line, and the registries through which stores and read models plug into it. */
export { main, runCli } from './main';
export type { CliRegistries } from './main';
export type { CliContext, CommandResult } from './cli-context';
export type { CliError, ExitCode } from './cli-error';
export { defaultEventSources, openFileSource } from './event-sources';
export type { EventSourceOpener, EventSourceRegistry, OpenedSource, SourceContext } from './event-sources';
export { defaultImportTargets, openFileTarget } from './import-targets';
export type { ImportTargetOpener, ImportTargetRegistry, OpenedTarget } from './import-targets';
export { noProjections } from './projection-registry';
export type { ProjectionRegistry, RebuildableProjection, RebuildSummary } from './projection-registry';
export type { Progress, ProgressFactory } from './progress';
