import * as E from 'fp-ts/Either';
import { decodeOptions, RebuildCommandOptions } from '../cli-arguments';
import { CommandResult, CliContext, printed, progressOf, withSource } from '../cli-context';
import { EXIT_OK, failureOf, usageError } from '../cli-error';
import { eventSchemasOption } from '../event-schemas-module';
import type { RebuildSummary } from '../projection-registry';
import { DEFAULT_READ_MODEL, readModelOpenerFor } from '../read-models';
import { json, renderTable } from '../text-output';
import { displayUrl } from '../url-registry';

interface RebuildReport extends RebuildSummary {
  readonly projection: string;
  readonly readModel: string;
  readonly elapsedMs: number;
  /** Events read per second of the whole rebuild; undefined when it took no measurable time. */
  readonly eventsPerSecond: number | undefined;
}

const renderReport = (report: RebuildReport): string => {
  const seconds = `${(report.elapsedMs / 1000).toFixed(3)} s`;
  const rate = report.eventsPerSecond === undefined ? '–' : `${report.eventsPerSecond.toLocaleString('en-US')} events/s`;
  const head = renderTable(
    ['PROJECTION', report.projection],
    [
      ['version', String(report.version)],
      ['read model', report.readModel],
      ['events read', String(report.eventsRead)],
      ['elapsed', seconds],
      ['apply rate', rate],
    ],
  );
  const collections = renderTable(
    ['COLLECTION', 'DOCUMENTS', 'WRITES'],
    Object.entries(report.collections).map(([name, c]) => [name, c.documents, c.writes]),
  );
  return `${head}\n${collections}`;
};

/**
 * `rebuild <projection> [--read-model <url>] [--schemas <module>]`: builds the projection's version from every event into the
 * read-model store, makes it the active one, and says what it read and wrote, how long it took and how fast.
 */
export const rebuildCommand = async (context: CliContext, nameArgument: unknown, rawOptions: unknown): Promise<CommandResult> => {
  const options = decodeOptions(RebuildCommandOptions, rawOptions);
  if (E.isLeft(options)) return options;
  const name = typeof nameArgument === 'string' ? nameArgument : '';
  const projection = context.projections.get(name);
  if (projection === undefined) {
    const known = [...context.projections.keys()];
    return E.left(
      usageError('UNKNOWN_PROJECTION', `unknown projection ${JSON.stringify(name)}: ${known.length === 0 ? 'no projections are registered yet' : `known projections are ${known.join(', ')}`}`),
    );
  }
  const readModelUrl = options.right.readModel ?? DEFAULT_READ_MODEL;
  // A read model no scheme names is bad usage (exit 2), whether or not the source can be read.
  const openReadModel = readModelOpenerFor(context.readModels, readModelUrl);
  if (E.isLeft(openReadModel)) return openReadModel;
  const schemas = await eventSchemasOption(options.right.schemas, context.env, context.cwd);
  if (E.isLeft(schemas)) return schemas;
  const rebuildOptions = schemas.right === undefined ? {} : { eventSchemas: schemas.right };
  // The source is opened first: a source that cannot be read leaves no read-model schema behind.
  return withSource(context, options.right, async (store) => {
    const readModel = await openReadModel.right(readModelUrl, { cwd: context.cwd });
    if (E.isLeft(readModel)) return readModel;
    try {
      const progress = progressOf(context)(`rebuilding ${name}`, 'events');
      const startedAt = performance.now();
      const rebuilt = await projection.rebuild(store, readModel.right.store, progress.update, rebuildOptions);
      const elapsedMs = performance.now() - startedAt;
      progress.stop();
      if (E.isLeft(rebuilt)) return E.left(failureOf(rebuilt.left));
      const eventsPerSecond = elapsedMs > 0 ? Math.round((rebuilt.right.eventsRead * 1000) / elapsedMs) : undefined;
      const report: RebuildReport = { projection: name, readModel: displayUrl(readModelUrl), ...rebuilt.right, elapsedMs: Math.round(elapsedMs), eventsPerSecond };
      const done = `rebuilt ${name} version ${report.version} into ${report.readModel}`;
      // null, not undefined, which JSON.stringify would drop: a machine finds every key in every report.
      const machineReport = { ...report, position: report.position ?? null, eventsPerSecond: report.eventsPerSecond ?? null };
      return await printed(context, options.right.json === true ? json(machineReport) : renderReport(report), EXIT_OK, done);
    } finally {
      await readModel.right.close();
    }
  });
};
