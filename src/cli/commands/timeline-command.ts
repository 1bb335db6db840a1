import * as E from 'fp-ts/Either';
import { timeline, TimelineEntry } from '../../engine/audit/timeline';
import { CommonCommandOptions, decodeArgument, decodeOptions, StreamIdArgument } from '../cli-arguments';
import { CommandResult, CliContext, printed, withSource } from '../cli-context';
import { EXIT_OK, failureOf } from '../cli-error';
import { formatTime, json, renderTable } from '../text-output';

const renderTimeline = (entries: readonly TimelineEntry[]): string =>
  renderTable(
    ['REV', 'RECORDED', 'EVENT', 'ACTOR', 'COMMAND', 'CORRELATION', 'CAUSATION', 'SUMMARY'],
    entries.map((e) => [e.revision, formatTime(e.recordedAt), e.schemaVersion === 1 ? e.type : `${e.type} v${e.schemaVersion}`, e.actor, e.commandId, e.correlationId, e.causationId, e.summary]),
  );

/** `timeline <stream>`: every event of a stream, who caused it, when and why, in a line each. */
export const timelineCommand = async (context: CliContext, streamArgument: unknown, rawOptions: unknown): Promise<CommandResult> => {
  const options = decodeOptions(CommonCommandOptions, rawOptions);
  if (E.isLeft(options)) return options;
  const streamId = decodeArgument(StreamIdArgument, streamArgument, 'the stream');
  if (E.isLeft(streamId)) return streamId;
  return withSource(context, options.right, async (store) => {
    const entries = await timeline(store, streamId.right);
    if (E.isLeft(entries)) return E.left(failureOf(entries.left));
    return printed(context, options.right.json === true ? json({ streamId: streamId.right, events: entries.right }) : renderTimeline(entries.right), EXIT_OK);
  });
};
