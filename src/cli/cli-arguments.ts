import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { DerivedIdentifier } from '../domain/shared/codecs';
import type { PointInTime } from '../engine/audit/point-in-time';
import { decodeProblems } from '../engine/schema/decode-problems';
import { CliError, usageError } from './cli-error';

const REVISION = /^\d{1,15}$/;
/** A full ISO 8601 time with its zone: a time without one would mean something else on every machine. */
const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The instant an ISO time names, or NaN. `Date.parse` rolls a day or an hour that does not exist over
 * (2026-11-31 to 1 December, T24:00 to the next day), so the date and time must read back as written.
 */
const parseIsoTime = (text: string): number => {
  const dateAndTime = ISO_TIME.exec(text)?.[1];
  if (dateAndTime === undefined) return Number.NaN;
  const asWritten = Date.parse(`${dateAndTime}Z`);
  if (Number.isNaN(asWritten) || new Date(asWritten).toISOString().slice(0, dateAndTime.length) !== dateAndTime) return Number.NaN;
  return Date.parse(text);
};

/** `--at`: a revision (`12`) or an ISO time with a zone (`2026-11-25T09:05:00Z`). */
export const PointInTimeArgument = new t.Type<PointInTime, string, unknown>(
  'a revision or an ISO time with a zone, e.g. 12 or 2026-11-25T09:05:00Z',
  (u): u is PointInTime => typeof u === 'object' && u !== null && 'kind' in u,
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c);
    if (REVISION.test(u)) return t.success({ kind: 'revision', revision: Number(u) });
    const time = parseIsoTime(u);
    return Number.isNaN(time) ? t.failure(u, c) : t.success({ kind: 'time', recordedAt: time });
  },
  (point) => (point.kind === 'revision' ? String(point.revision) : new Date(point.recordedAt).toISOString()),
);

/** Options every command takes; commander gives them as an untyped record. */
export const CommonCommandOptions = t.partial({ source: t.string, schema: t.string, json: t.boolean });

/** `--schemas`: the host's event schemas module, for the commands that decode events' data. */
const SchemasOption = t.partial({ schemas: t.string });

export const AuditCommandOptions = t.intersection([CommonCommandOptions, SchemasOption, t.partial({ at: t.string })]);
export const TimelineCommandOptions = t.intersection([CommonCommandOptions, SchemasOption]);
export const VerifyCommandOptions = t.intersection([CommonCommandOptions, SchemasOption, t.partial({ stream: t.readonlyArray(t.string) })]);
export const ExportCommandOptions = t.intersection([CommonCommandOptions, SchemasOption, t.partial({ out: t.string })]);
export const RebuildCommandOptions = t.intersection([CommonCommandOptions, SchemasOption, t.partial({ readModel: t.string })]);
export const ImportCommandOptions = t.intersection([CommonCommandOptions, SchemasOption, t.type({ to: t.string })]);
/** Passed on to the bench harness as they are: it checks them and says what it accepts. */
export const BenchCommandOptions = t.partial({ smoke: t.boolean, runs: t.string, workload: t.array(t.string), configuration: t.array(t.string), out: t.string });
export type BenchCommandOptions = t.TypeOf<typeof BenchCommandOptions>;

/** Decodes one argument or option, or says in one line what was wrong with it. */
export const decodeArgument = <A>(codec: t.Decoder<unknown, A>, value: unknown, what: string): E.Either<CliError, A> => {
  const decoded = codec.decode(value);
  if (E.isRight(decoded)) return decoded;
  const shown = typeof value === 'string' ? `${JSON.stringify(value.slice(0, 80))}` : 'this value';
  return E.left(usageError('INVALID_ARGUMENT', `${what} cannot be ${shown}: expected ${codec.name}`));
};

export const decodeOptions = <A>(codec: t.Decoder<unknown, A>, options: unknown): E.Either<CliError, A> =>
  E.mapLeft((errors: t.Errors) => usageError('INVALID_ARGUMENT', `invalid options: ${decodeProblems(errors).join('; ')}`))(codec.decode(options));

/**
 * `--schemas` given to a command that reads no event's data (verify, export, import): refused, as `--schema`
 * is for a file, rather than seem to obey it. Commander would refuse it as unknown too, but suggest
 * `--schema`, a PostgreSQL schema's name.
 */
export const schemasNotTaken = (command: string, options: { readonly schemas?: string }): E.Either<CliError, void> =>
  options.schemas === undefined
    ? E.right(undefined)
    : E.left(usageError('INVALID_ARGUMENT', `${command} reads no event's data, so it takes no --schemas: only audit, timeline and rebuild read with the host's event schemas`));

/** A stream id as the stores take it. */
export const StreamIdArgument = new t.Type<string, string, unknown>('a stream id (1–256 characters, no whitespace)', DerivedIdentifier.is, DerivedIdentifier.validate, t.identity);
