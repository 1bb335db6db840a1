import * as E from 'fp-ts/Either';
import { timeline, TimelineEntry } from '../../engine/audit/timeline';
import { decodeArgument, decodeOptions, StreamIdArgument, TimelineCommandOptions } from '../cli-arguments';
import { CommandResult, CliContext, printed, withSource } from '../cli-context';
import { EXIT_OK, failureOf } from '../cli-error';
import { eventSchemasOption } from '../event-schemas-module';
import { formatTime, json, renderTable } from '../text-output';

const renderTimeline = (entries: readonly TimelineEntry[]): string =>
  renderTable(
    ['REV', 'RECORDED', 'EVENT', 'ACTOR', 'COMMAND', 'CORRELATION', 'CAUSATION', 'SUMMARY'],
    entries.map((e) => [e.revision, formatTime(e.recordedAt), e.schemaVersion === 1 ? e.type : `${e.type} v${e.schemaVersion}`, e.actor, e.commandId, e.correlationId, e.causationId, e.summary]),
  );

/** `timeline <stream> [--schemas <module>]`: every event of a stream, who caused it, when and why, in a line each. */
export const timelineCommand = async (context: CliContext, streamArgument: unknown, rawOptions: unknown): Promise<CommandResult> => {
  const options = decodeOptions(TimelineCommandOptions, rawOptions);
  if (E.isLeft(options)) return options;
  const streamId = decodeArgument(StreamIdArgument, streamArgument, 'the stream');
  if (E.isLeft(streamId)) return streamId;
  const schemas = await eventSchemasOption(options.right.schemas, context.env, context.cwd);
  if (E.isLeft(schemas)) return schemas;
  const timelineOptions = schemas.right === undefined ? {} : { schemas: schemas.right };
  return withSource(context, options.right, async (store) => {
    const entries = await timeline(store, streamId.right, timelineOptions);
    if (E.isLeft(entries)) return E.left(failureOf(entries.left));
    return printed(context, options.right.json === true ? json({ streamId: streamId.right, events: entries.right }) : renderTimeline(entries.right), EXIT_OK);
  });
};
