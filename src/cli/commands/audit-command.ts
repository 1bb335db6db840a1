import * as E from 'fp-ts/Either';
import { StateAtPoint, stateAt } from '../../engine/audit/point-in-time';
import { streamReplayers } from '../../engine/audit/stream-replayers';
import { AuditCommandOptions, decodeArgument, decodeOptions, PointInTimeArgument, StreamIdArgument } from '../cli-arguments';
import { CommandResult, CliContext, printed, withSource } from '../cli-context';
import { EXIT_OK, failureOf } from '../cli-error';
import { eventSchemasOption } from '../event-schemas-module';
import { flattenJson, formatTime, json, renderTable } from '../text-output';

const describePoint = (replayed: StateAtPoint): string =>
  replayed.revision === -1
    ? `before its first event (its last revision is ${replayed.headRevision})`
    : `revision ${replayed.revision} of ${replayed.headRevision}, recorded ${formatTime(replayed.recordedAt ?? 0)}`;

const renderState = (replayed: StateAtPoint): string =>
  `${renderTable(
    ['STREAM', replayed.streamId],
    [
      ['aggregate', replayed.aggregate],
      ['as of', describePoint(replayed)],
    ],
  )}\n${renderTable(['FIELD', 'VALUE'], flattenJson(replayed.state))}`;

/** `audit <stream> [--at <revision|time>] [--schemas <module>]`: the state of a stream, now or at a point of its past. */
export const auditCommand = async (context: CliContext, streamArgument: unknown, rawOptions: unknown): Promise<CommandResult> => {
  const options = decodeOptions(AuditCommandOptions, rawOptions);
  if (E.isLeft(options)) return options;
  const streamId = decodeArgument(StreamIdArgument, streamArgument, 'the stream');
  if (E.isLeft(streamId)) return streamId;
  const { at } = options.right;
  const point = at === undefined ? E.right(undefined) : decodeArgument(PointInTimeArgument, at, '--at');
  if (E.isLeft(point)) return point;
  // Loaded before the source is opened: a module that cannot be used leaves nothing opened or created.
  const schemas = await eventSchemasOption(options.right.schemas, context.env, context.cwd);
  if (E.isLeft(schemas)) return schemas;
  const replayOptions = schemas.right === undefined ? {} : { replayers: streamReplayers({ schemas: schemas.right }) };
  return withSource(context, options.right, async (store) => {
    const replayed = await stateAt(store, streamId.right, point.right, replayOptions);
    if (E.isLeft(replayed)) return E.left(failureOf(replayed.left));
    return printed(context, options.right.json === true ? json(replayed.right) : renderState(replayed.right), EXIT_OK);
  });
};
