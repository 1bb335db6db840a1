import { Command, CommanderError, Option } from 'commander';
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliContext, CommandResult, SOURCE_ENV } from './cli-context';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, ExitCode, oneLine } from './cli-error';
import { auditCommand } from './commands/audit-command';
import { exportCommand } from './commands/export-command';
import { importCommand } from './commands/import-command';
import { rebuildCommand } from './commands/rebuild-command';
import { timelineCommand } from './commands/timeline-command';
import { verifyCommand } from './commands/verify-command';
import { defaultEventSources } from './event-sources';
import { defaultImportTargets } from './import-targets';
import { noProjections } from './projection-registry';

const PackageVersion = t.type({ version: t.string });

/** The package's version; src/cli and dist/cli both sit two levels below package.json. */
const packageVersion = (): string => {
  try {
    const decoded = PackageVersion.decode(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')));
    return E.isRight(decoded) ? decoded.right.version : 'unknown';
  } catch {
    return 'unknown';
  }
};

const collect = (value: string, previous: readonly string[] | undefined): readonly string[] => [...(previous ?? []), value];

const sourceOption = (): Option => new Option('--source <url>', `where the events are, e.g. file:./events.ndjson (default: $${SOURCE_ENV})`);
const jsonOption = (): Option => new Option('--json', 'print JSON for machines instead of a table');

const buildProgram = (context: CliContext, run: (command: Promise<CommandResult>) => Promise<void>): Command => {
  const program = new Command('ordersource')
    .description('Audit an ordersource event store: states at any point, timelines, tamper checks, export and import.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      // Commander writes to stderr only errors and the help it shows for a missing command; runCli says
      // both in one line instead.
      writeErr: () => undefined,
      outputError: () => undefined,
    })
    .showHelpAfterError(false);

  program
    .command('audit')
    .description('the state of a stream now, or at a revision or time (recordedAt ≤ time)')
    .argument('<stream>', 'stream id, e.g. order-20261125-0001')
    .option('--at <revision|time>', 'a revision (12) or an ISO time with a zone (2026-11-25T09:05:00Z)')
    .addOption(sourceOption())
    .addOption(jsonOption())
    .action((stream: unknown, options: unknown) => run(auditCommand(context, stream, options)));

  program
    .command('timeline')
    .description('every event of a stream: when, who, which command, caused by what, and what it means')
    .argument('<stream>', 'stream id')
    .addOption(sourceOption())
    .addOption(jsonOption())
    .action((stream: unknown, options: unknown) => run(timelineCommand(context, stream, options)));

  program
    .command('verify')
    .description('check the hash chain of every stream (or of the named ones); exits 1 if any event was altered, removed, inserted or reordered')
    .addOption(new Option('--stream <id>', 'verify only this stream (repeatable)').argParser(collect))
    .addOption(sourceOption())
    .addOption(jsonOption())
    .action((options: unknown) => run(verifyCommand(context, options)));

  program
    .command('export')
    .description('write every event as NDJSON, in global order, to stdout or a file')
    .option('--out <file>', 'write to this file instead of stdout')
    .addOption(sourceOption())
    .addOption(jsonOption())
    .action((options: unknown) => run(exportCommand(context, options)));

  program
    .command('import')
    .description('copy an NDJSON export into a new target, keeping every id, revision, timestamp and hash')
    .argument('<file>', 'the NDJSON export to read')
    .requiredOption('--to <target>', 'where to import, e.g. file:./copy.ndjson')
    .addOption(jsonOption())
    .action((file: unknown, options: unknown) => run(importCommand(context, file, options)));

  program
    .command('rebuild')
    .description('drop a read model and rebuild it from the events')
    .argument('<projection>', 'the projection to rebuild')
    .addOption(sourceOption())
    .addOption(jsonOption())
    .action((projection: unknown, options: unknown) => run(rebuildCommand(context, projection, options)));

  return program;
};

const commanderExit = (error: CommanderError, context: CliContext): ExitCode => {
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
  if (error.code === 'commander.help') {
    context.stderr.write('ordersource: no command given: run ordersource --help to see them\n');
    return EXIT_USAGE;
  }
  context.stderr.write(`ordersource: ${oneLine(error.message.replace(/^error: /, ''))}\n`);
  return EXIT_USAGE;
};

/** Runs the CLI on `argv` (the arguments after the program name) and says how the process should exit. */
export const runCli = async (argv: readonly string[], context: CliContext): Promise<ExitCode> => {
  let outcome: CommandResult | { readonly unexpected: unknown } | undefined;
  const program = buildProgram(context, async (command) => {
    try {
      outcome = await command;
    } catch (unexpected) {
      outcome = { unexpected };
    }
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error, context);
    throw error;
  }
  if (outcome === undefined) return EXIT_OK;
  if ('unexpected' in outcome) {
    // A bug, not an expected failure: still one line, and a failure exit rather than a stack trace.
    const { unexpected } = outcome;
    context.stderr.write(`ordersource: unexpected error: ${oneLine(unexpected instanceof Error ? unexpected.message : String(unexpected))}\n`);
    return EXIT_FAILURE;
  }
  if (E.isRight(outcome)) return outcome.right;
  context.stderr.write(`ordersource: ${oneLine(outcome.left.message)}\n`);
  return outcome.left.exitCode;
};

/** The sources, import targets and projections a build of the executable knows. */
export type CliRegistries = Partial<Pick<CliContext, 'sources' | 'targets' | 'projections'>>;

/**
 * The `ordersource` executable on the process's arguments, streams and environment. `registries` adds
 * what this package cannot know by itself, e.g. the read models `rebuild` may rebuild.
 */
export const main = async (registries: CliRegistries = {}): Promise<void> => {
  // A reader that stops early (`| head`) closes the pipe; the command in progress sees its writes fail.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') process.stderr.write(`ordersource: cannot write the output: ${error.message}\n`);
  });
  try {
    process.exitCode = await runCli(process.argv.slice(2), {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      cwd: process.cwd(),
      sources: registries.sources ?? defaultEventSources,
      targets: registries.targets ?? defaultImportTargets,
      projections: registries.projections ?? noProjections,
    });
  } catch (error) {
    process.stderr.write(`ordersource: unexpected error: ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    process.exitCode = EXIT_FAILURE;
  }
};
