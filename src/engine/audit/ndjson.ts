import * as E from 'fp-ts/Either';
import { decodeProblems } from '../schema/decode-problems';
import { EventEnvelope, EventEnvelopeCodec } from '../event-store/envelope';
import { type EventStore, type ReadAllPage, type StoreUnavailable, walkEndsAt } from '../event-store/event-store';
import { InvalidOption, pageSizeProblem, StoreReadFailed, storeReadFailed } from './audit-errors';
import { canonicalJson } from './canonical-json';
import { messageOf } from '../error-message';

/**
 * NDJSON exports: one envelope per line, in global order, each line the canonical JSON of the envelope
 * (keys sorted), so that exporting the same events twice gives the same bytes.
 */
export const ndjsonLineOf = (envelope: EventEnvelope): string => `${canonicalJson(envelope)}\n`;

export interface InvalidNdjsonLine {
  readonly code: 'INVALID_NDJSON_LINE';
  readonly message: string;
  /** 1-based, as editors count. */
  readonly line: number;
  readonly problems: readonly string[];
}

/** The lines could not be read at all (a missing file, a broken pipe). */
export interface NdjsonReadFailed {
  readonly code: 'NDJSON_READ_FAILED';
  readonly message: string;
}

export interface NdjsonWriteFailed {
  readonly code: 'NDJSON_WRITE_FAILED';
  readonly message: string;
}

export type ExportError = StoreReadFailed | NdjsonWriteFailed | InvalidOption;
export type ImportError = InvalidNdjsonLine | NdjsonReadFailed | StoreUnavailable;


const invalidLine = (line: number, problems: readonly string[]): InvalidNdjsonLine => ({
  code: 'INVALID_NDJSON_LINE',
  message: `line ${line} is not a stored event: ${problems.join('; ')}`,
  line,
  problems,
});

/**
 * Decodes one line of an export. The envelope is rebuilt field by field, so a field the format does not
 * know is dropped rather than carried into a store.
 */
export const decodeNdjsonLine = (text: string, line: number): E.Either<InvalidNdjsonLine, EventEnvelope> => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    return E.left(invalidLine(line, [`not JSON (${messageOf(cause)})`]));
  }
  const decoded = EventEnvelopeCodec.decode(parsed);
  if (E.isLeft(decoded)) return E.left(invalidLine(line, decodeProblems(decoded.left)));
  const e = decoded.right;
  return E.right({
    eventId: e.eventId,
    streamId: e.streamId,
    revision: e.revision,
    position: e.position,
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    commandId: e.commandId,
    correlationId: e.correlationId,
    causationId: e.causationId,
    actor: e.actor,
    previousHash: e.previousHash,
    hash: e.hash,
  });
};

/** Where an export goes: resolves once the chunk is accepted, so a slow sink slows the export down. */
export type NdjsonSink = (chunk: string) => Promise<void>;

export interface ExportOptions {
  /** Events per `readAll` page, and per chunk written. */
  readonly pageSize?: number;
  readonly onProgress?: (eventsWritten: number, total: number | undefined) => void;
}

export interface ExportSummary {
  readonly events: number;
}

const DEFAULT_PAGE_SIZE = 4_096;

/** Writes every event of `store`, in global order, one page at a time: the export is never held whole. */
export const exportNdjson = async (store: EventStore, sink: NdjsonSink, options: ExportOptions = {}): Promise<E.Either<ExportError, ExportSummary>> => {
  const invalid = pageSizeProblem(options.pageSize);
  if (invalid !== undefined) return E.left(invalid);
  let total: number | undefined;
  try {
    const head = await store.headPosition();
    total = head === undefined ? 0 : head + 1;
  } catch (cause) {
    return E.left(storeReadFailed(cause));
  }
  let written = 0;
  let after: number | undefined;
  for (;;) {
    let page: ReadAllPage;
    try {
      page = await store.readAll({ maxCount: options.pageSize ?? DEFAULT_PAGE_SIZE, ...(after === undefined ? {} : { after }) });
    } catch (cause) {
      return E.left(storeReadFailed(cause));
    }
    if (page.events.length > 0) {
      try {
        await sink(page.events.map(ndjsonLineOf).join(''));
      } catch (cause) {
        return E.left({ code: 'NDJSON_WRITE_FAILED', message: `the export could not be written: ${messageOf(cause)}` });
      }
      written += page.events.length;
      options.onProgress?.(written, Math.max(total, written));
    }
    if (walkEndsAt(page, after)) return E.right({ events: written });
    after = page.lastPosition;
  }
};

/** A store that takes envelopes as they are, keeping their ids, revisions and hashes. */
export interface EnvelopeRestorer {
  restore(envelopes: readonly EventEnvelope[]): Promise<E.Either<StoreUnavailable, unknown>>;
}

export interface ImportOptions {
  /** Envelopes handed to the target at a time. */
  readonly batchSize?: number;
  /** Called after each batch with the number of events imported so far. */
  readonly onProgress?: (eventsImported: number) => void;
}

export interface ImportSummary {
  readonly events: number;
  readonly lines: number;
}

/**
 * Decodes every line of an export and hands the events to `target` in batches, in the order of the lines.
 * Blank lines are skipped. It stops at the first line that is not a stored event; the batches before it
 * have been restored by then, so import into a fresh target and drop it on failure.
 */
export const importNdjson = async (lines: AsyncIterable<string>, target: EnvelopeRestorer, options: ImportOptions = {}): Promise<E.Either<ImportError, ImportSummary>> => {
  const batchSize = options.batchSize ?? DEFAULT_PAGE_SIZE;
  let batch: EventEnvelope[] = [];
  let events = 0;
  let lineNumber = 0;
  const flush = async (): Promise<E.Either<StoreUnavailable, unknown>> => {
    if (batch.length === 0) return E.right(undefined);
    let restored: E.Either<StoreUnavailable, unknown>;
    try {
      restored = await target.restore(batch);
    } catch (cause) {
      // A target should answer with a value; one that throws (a host's own) has failed, not the export.
      return E.left({ code: 'STORE_UNAVAILABLE', message: `the import target failed: ${messageOf(cause)}` });
    }
    events += batch.length;
    batch = [];
    options.onProgress?.(events);
    return restored;
  };
  try {
    for await (const text of lines) {
      lineNumber += 1;
      if (text.trim() === '') continue;
      const envelope = decodeNdjsonLine(text, lineNumber);
      if (E.isLeft(envelope)) return envelope;
      batch.push(envelope.right);
      if (batch.length >= batchSize) {
        const flushed = await flush();
        if (E.isLeft(flushed)) return flushed;
      }
    }
  } catch (cause) {
    return E.left({ code: 'NDJSON_READ_FAILED', message: `the export could not be read: ${messageOf(cause)}` });
  }
  const flushed = await flush();
  return E.isLeft(flushed) ? flushed : E.right({ events, lines: lineNumber });
};
