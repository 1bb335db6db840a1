import * as E from 'fp-ts/Either';
import { CommonCommandOptions, decodeOptions } from '../cli-arguments';
import { CommandResult, CliContext, progressOf, withSource } from '../cli-context';
import { EXIT_OK, failureOf, usageError } from '../cli-error';
import { json, renderTable } from '../text-output';

/** `rebuild <projection>`: drops a read model and replays every event into it. */
export const rebuildCommand = async (context: CliContext, nameArgument: unknown, rawOptions: unknown): Promise<CommandResult> => {
  const options = decodeOptions(CommonCommandOptions, rawOptions);
  if (E.isLeft(options)) return options;
  const name = typeof nameArgument === 'string' ? nameArgument : '';
  const projection = context.projections.get(name);
  if (projection === undefined) {
    const known = [...context.projections.keys()];
    return E.left(
      usageError('UNKNOWN_PROJECTION', `unknown projection ${JSON.stringify(name)}: ${known.length === 0 ? 'no projections are registered yet' : `known projections are ${known.join(', ')}`}`),
    );
  }
  return withSource(context, options.right.source, async (store) => {
    const progress = progressOf(context)(`rebuilding ${name}`, 'events');
    const rebuilt = await projection.rebuild(store, progress.update);
    progress.stop();
    if (E.isLeft(rebuilt)) return E.left(failureOf(rebuilt.left));
    const summary = { projection: name, ...rebuilt.right };
    context.stdout.write(
      options.right.json === true
        ? json(summary)
        : renderTable(['PROJECTION', 'EVENTS READ', 'DOCUMENTS'], [[name, rebuilt.right.eventsRead, rebuilt.right.documents === undefined ? '' : String(rebuilt.right.documents)]]),
    );
    return E.right(EXIT_OK);
  });
};
