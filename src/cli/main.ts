import { Command, CommanderError, Option } from 'commander';
import * as E from 'fp-ts/Either';
import { CliContext, CommandResult, printed, SOURCE_ENV } from './cli-context';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, ExitCode, oneLine } from './cli-error';
import { auditCommand } from './commands/audit-command';
import { benchCommand } from './commands/bench-command';
import { exportCommand } from './commands/export-command';
import { importCommand } from './commands/import-command';
import { rebuildCommand } from './commands/rebuild-command';
import { timelineCommand } from './commands/timeline-command';
import { verifyCommand } from './commands/verify-command';
import { SCHEMAS_ENV, SCHEMAS_MODULE_EXAMPLE } from './event-schemas-module';
import { defaultEventSources } from './event-sources';
import { DEFAULT_POSTGRES_SCHEMA } from './postgres-locations';
import { defaultImportTargets } from './import-targets';
import { packageRootOf, packageVersion } from './package-version';
import { removeUnfinishedFiles } from './partial-file';
import { builtInProjections } from './projection-registry';
import { DEFAULT_READ_MODEL, defaultReadModels } from './read-models';
import { messageOf } from '../engine/error-message';

/** What each scheme the help lists names; a scheme is listed only when its registry has it. */
const SOURCE_HELP: readonly (readonly [string, string, string])[] = [
  ['file:', 'file:./events.ndjson', 'an NDJSON export (as written by export)'],
  ['postgres:', 'postgres://user@host:5432/db', `a PostgreSQL event store, in the schema ?schema= or --schema names (default ${DEFAULT_POSTGRES_SCHEMA})`],
  ['esdb:', 'esdb://host:2113?tls=false', 'an EventStoreDB node (esdb+discover:// for a cluster)'],
];
const READ_MODEL_HELP: readonly (readonly [string, string, string])[] = [
  ['memory:', 'memory:', 'in memory, for this run only: checks that every event applies (the default)'],
  ['postgres:', 'postgres://user@host:5432/db?schema=name', 'PostgreSQL read models, kept (schema ordersource_read by default)'],
];

const schemeList = (entries: readonly (readonly [string, string, string])[], registry: ReadonlyMap<string, unknown>): string =>
  entries
    .filter(([scheme]) => registry.has(scheme))
    .map(([, example, meaning]) => `  ${example.padEnd(30)}  ${meaning}`)
    .join('\n');

const collect = (value: string, previous: readonly string[] | undefined): readonly string[] => [...(previous ?? []), value];

const sourceOption = (): Option =>
  new Option('--source <url>', `where the events are: file:./events.ndjson, postgres://user@host:5432/db or esdb://host:2113?tls=false (default: $${SOURCE_ENV})`);
const schemaOption = (): Option => new Option('--schema <name>', `the PostgreSQL schema holding the event store, for postgres:// (default: ${DEFAULT_POSTGRES_SCHEMA})`);
const jsonOption = (): Option => new Option('--json', 'print JSON for machines instead of a table');
/** On the commands that read no event's data: hidden, and refused when given (see schemasNotTaken). */
const refusedSchemasOption = (): Option => new Option('--schemas <module>').hideHelp();
const schemasOption = (): Option =>
  new Option(
    '--schemas <module>',
    `a JavaScript module exporting the host's eventSchemas(...) as schemas or as its default export, to read events as the host's engine does (default: $${SCHEMAS_ENV}, else the engine's own schemas)`,
  );

/** What the help says of `--schemas`, after the options of each command that takes it. */
const SCHEMAS_HELP = `
Event schemas (--schemas, or $${SCHEMAS_ENV}; audit, timeline and rebuild): a host whose engine reads
with schemas of its own (createEngine({ eventSchemas })) passes them here too, from a module (a path
relative to the working directory) such as schemas.js:
${SCHEMAS_MODULE_EXAMPLE.map((line) => `  ${line}`).join('\n')}
CommonJS (.js, .cjs), or an ES module (.mjs) without top-level await on Node 20.19 or later. verify,
export and import read no event's data and take no --schemas.`;

const buildProgram = (context: CliContext, run: (command: Promise<CommandResult>) => Promise<void>, writeOut: (text: string) => void): Command => {
  const program = new Command('ordersource')
    .description('Audit an ordersource event store: states at any point, timelines, tamper checks, export, import and projection rebuilds.')
    .version(packageVersion(__dirname))
    .exitOverride()
    .configureOutput({
      writeOut,
      // Commander writes to stderr only errors and the help it shows for a missing command; runCli says
      // both in one line instead.
      writeErr: () => undefined,
      outputError: () => undefined,
    })
    .showHelpAfterError(false)
    .addHelpText(
      'after',
      `\nEvent sources (--source, or $${SOURCE_ENV}):\n${schemeList(SOURCE_HELP, context.sources)}\n\nRead models (rebuild --read-model):\n${schemeList(READ_MODEL_HELP, context.readModels)}\n${SCHEMAS_HELP}`,
    );

  program
    .command('audit')
    .description('the state of a stream now, or at a revision or time (its events up to the first recorded after that time)')
    .argument('<stream>', 'stream id, e.g. order-20261125-0001')
    .option('--at <revision|time>', 'a revision (12) or an ISO time with a zone (2026-11-25T09:05:00Z)')
    .addOption(sourceOption())
    .addOption(schemaOption())
    .addOption(schemasOption())
    .addOption(jsonOption())
    .addHelpText('after', SCHEMAS_HELP)
    .action((stream: unknown, options: unknown) => run(auditCommand(context, stream, options)));

  program
    .command('timeline')
    .description('every event of a stream: when, who, which command, caused by what, and what it means')
    .argument('<stream>', 'stream id')
    .addOption(sourceOption())
    .addOption(schemaOption())
    .addOption(schemasOption())
    .addOption(jsonOption())
    .addHelpText('after', SCHEMAS_HELP)
    .action((stream: unknown, options: unknown) => run(timelineCommand(context, stream, options)));

  program
    .command('verify')
    .description('check the hash chain of every stream (or of the named ones); exits 1 if any event was altered, removed, inserted or reordered')
    .addOption(new Option('--stream <id>', 'verify only this stream (repeatable)').argParser(collect))
    .addOption(sourceOption())
    .addOption(schemaOption())
    .addOption(refusedSchemasOption())
    .addOption(jsonOption())
    .action((options: unknown) => run(verifyCommand(context, options)));

  program
    .command('export')
    .description('write every event as NDJSON, in global order, to stdout or a file')
    .option('--out <file>', 'write to this file instead of stdout')
    .addOption(sourceOption())
    .addOption(schemaOption())
    .addOption(refusedSchemasOption())
    .addOption(new Option('--json', 'with --out: print the summary as JSON for machines instead of a table'))
    .action((options: unknown) => run(exportCommand(context, options)));

  program
    .command('import')
    .description('copy an NDJSON export into a new target, keeping every id, revision, timestamp and hash')
    .argument('<file>', 'the NDJSON export to read')
    .requiredOption('--to <target>', 'where to import: a new file:./copy.ndjson, or an empty store at postgres://user@host:5432/db')
    .addOption(schemaOption())
    .addOption(refusedSchemasOption())
    .addOption(jsonOption())
    .action((file: unknown, options: unknown) => run(importCommand(context, file, options)));

  program
    .command('rebuild')
    .description('build a projection from every event into a read model, make it the active version, and report what it read and wrote')
    .argument('<projection>', `the projection to rebuild: ${[...context.projections.keys()].join(', ') || 'none are registered'}`)
    .addOption(new Option('--read-model <url>', `where to build it: ${[...context.readModels.keys()].join(', ')} (memory: keeps nothing: a dry run)`).default(DEFAULT_READ_MODEL))
    .addOption(sourceOption())
    .addOption(schemaOption())
    .addOption(schemasOption())
    .addOption(jsonOption())
    .addHelpText('after', SCHEMAS_HELP)
    .action((projection: unknown, options: unknown) => run(rebuildCommand(context, projection, options)));

  program
    .command('bench')
    .description('from a clone of the repository: measure the engine on the reference workloads beside their baselines (npm run bench)')
    .option('--smoke', 'tiny scales, one run each: checks every path end to end in seconds')
    .option('--runs <count>', 'fresh-process runs per figure in a full run (at least 3)')
    .option('--workload <names>', 'only these workloads, comma-separated or repeated: w1, w2, w2-hot, replay, projection-apply, guarantees', collect)
    .option('--configuration <names>', 'only on these stores, comma-separated or repeated: memory, memory-bounded-cache, esdb, postgres-1, …', collect)
    .option('--out <dir>', 'write the JSON and the chart here instead of bench/results')
    .action((options: unknown) => run(benchCommand(context, options, packageRootOf(__dirname))));

  return program;
};

const commanderExit = (error: CommanderError, argv: readonly string[], context: CliContext): ExitCode => {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
  if (error.code === 'commander.help') {
    // `help [command]` (exit code 0), `help <unknown>` and a missing command (exit code 1) all end here.
    if (error.exitCode === 0) return EXIT_OK;
    const [first, asked] = argv;
    context.stderr.write(
      first === 'help' && asked !== undefined
        ? `ordersource: unknown command ${oneLine(JSON.stringify(asked))}: run ordersource --help to see them\n`
        : 'ordersource: no command given: run ordersource --help to see them\n',
    );
    return EXIT_USAGE;
  }
  context.stderr.write(`ordersource: ${oneLine(error.message.replace(/^error: /, ''))}\n`);
  return EXIT_USAGE;
};

/** How a command's result ends the process: a failure is told on stderr, in one line. */
const exitOf = (result: CommandResult, context: CliContext): ExitCode => {
  if (E.isRight(result)) return result.right;
  context.stderr.write(`ordersource: ${oneLine(result.left.message)}\n`);
  return result.left.exitCode;
};

/** Runs the CLI on `argv` (the arguments after the program name) and says how the process should exit. */
export const runCli = async (argv: readonly string[], context: CliContext): Promise<ExitCode> => {
  let outcome: CommandResult | { readonly unexpected: unknown } | undefined;
  // Help and the version, written once commander is done, so that a failed write is told like a command's.
  let commanderOutput = '';
  const program = buildProgram(
    context,
    async (command) => {
      try {
        outcome = await command;
      } catch (unexpected) {
        outcome = { unexpected };
      }
    },
    (text) => (commanderOutput += text),
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    const exitCode = commanderExit(error, argv, context);
    return commanderOutput === '' ? exitCode : exitOf(await printed(context, commanderOutput, exitCode), context);
  }
  if (outcome === undefined) return EXIT_OK;
  if ('unexpected' in outcome) {
    // A bug, not an expected failure: still one line, and a failure exit rather than a stack trace.
    const { unexpected } = outcome;
    context.stderr.write(`ordersource: unexpected error: ${oneLine(messageOf(unexpected))}\n`);
    return EXIT_FAILURE;
  }
  return exitOf(outcome, context);
};

/** The sources, import targets and projections a build of the executable knows. */
export type CliRegistries = Partial<Pick<CliContext, 'sources' | 'targets' | 'projections' | 'readModels'>>;

/**
 * The `ordersource` executable on the process's arguments, streams and environment. `registries` adds
 * what this package cannot know by itself, e.g. the read models `rebuild` may rebuild.
 */
export const main = async (registries: CliRegistries = {}): Promise<void> => {
  // Handled, a signal no longer ends the process by itself: once the files being written are gone, it is
  // raised again (the handler runs once) so that the process ends as the signal ends it, 130, 143 or 129
  // in a shell. SIGHUP is what a closed terminal or a dropped ssh session sends.
  const endOnSignal = (signal: NodeJS.Signals): void => {
    removeUnfinishedFiles();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', endOnSignal);
  process.once('SIGTERM', endOnSignal);
  process.once('SIGHUP', endOnSignal);
  // Each write to stdout is waited for by what made it, which says when it failed (and keeps quiet when a
  // reader such as `| head` stopped early); unheard, the stream's 'error' would end the process instead.
  process.stdout.on('error', () => undefined);
  // An error that cannot be told (stderr on a full disk, its reader gone) must still leave the exit code
  // that says what happened, 2 for bad usage, rather than the 1 of a crash.
  process.stderr.on('error', () => undefined);
  try {
    process.exitCode = await runCli(process.argv.slice(2), {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: process.cwd(),
      sources: registries.sources ?? defaultEventSources,
      targets: registries.targets ?? defaultImportTargets,
      projections: registries.projections ?? builtInProjections,
      readModels: registries.readModels ?? defaultReadModels,
    });
  } catch (error) {
    process.stderr.write(`ordersource: unexpected error: ${oneLine(messageOf(error))}\n`);
    process.exitCode = EXIT_FAILURE;
  }
};
