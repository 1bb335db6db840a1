import * as E from 'fp-ts/Either';
import { StreamVerdict, VerificationReport, verifyStore } from '../../engine/audit/verify';
import { decodeArgument, decodeOptions, schemasNotTaken, StreamIdArgument, VerifyCommandOptions } from '../cli-arguments';
import { CommandResult, CliContext, printed, progressOf, withSource } from '../cli-context';
import { EXIT_FAILURE, EXIT_OK, failureOf } from '../cli-error';
import { json, renderTable } from '../text-output';

/** Hashes cut to their first 12 digits in tables, enough to tell them apart by eye; `--json` has them whole. */
const shown = (value: string | number): string => (typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? `${value.slice(0, 12)}…` : String(value));

const problemOf = (verdict: StreamVerdict): string => {
  if (verdict.status === 'ok') return '';
  if (verdict.status === 'not-found') return 'the stream has no events';
  const { finding } = verdict;
  return `${finding.message} (expected ${shown(finding.expected)}, found ${shown(finding.actual)})`;
};

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

const renderReport = (report: VerificationReport): string => {
  const failed = report.streams.filter((s) => s.status !== 'ok').length;
  const verdict = failed === 0 ? 'every chain is intact' : `${failed} of ${count(report.streams.length, 'stream')} failed verification`;
  const table = renderTable(
    ['STREAM', 'EVENTS', 'STATUS', 'FIRST PROBLEM'],
    report.streams.map((s) => [s.streamId, s.eventCount, s.status === 'tampered' ? s.finding.kind : s.status, problemOf(s)]),
  );
  return `${table}\n${count(report.streams.length, 'stream')}, ${count(report.eventCount, 'event')}: ${verdict}\n`;
};

/** `verify [--stream <id>…]`: checks every hash chain (or the named streams'); exits 1 if any is broken. */
export const verifyCommand = async (context: CliContext, rawOptions: unknown): Promise<CommandResult> => {
  const options = decodeOptions(VerifyCommandOptions, rawOptions);
  if (E.isLeft(options)) return options;
  const noSchemas = schemasNotTaken('verify', options.right);
  if (E.isLeft(noSchemas)) return noSchemas;
  const streamIds: string[] = [];
  for (const raw of options.right.stream ?? []) {
    const streamId = decodeArgument(StreamIdArgument, raw, '--stream');
    if (E.isLeft(streamId)) return streamId;
    streamIds.push(streamId.right);
  }
  return withSource(context, options.right, async (store) => {
    const progress = progressOf(context)('verifying', 'events');
    const report = await verifyStore(store, { ...(streamIds.length === 0 ? {} : { streamIds }), onProgress: progress.update });
    progress.stop();
    if (E.isLeft(report)) return E.left(failureOf(report.left));
    return printed(context, options.right.json === true ? json(report.right) : renderReport(report.right), report.right.ok ? EXIT_OK : EXIT_FAILURE);
  });
};
