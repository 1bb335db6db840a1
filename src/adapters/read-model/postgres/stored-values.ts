import * as E from 'fp-ts/Either';
import { UNSTORABLE_CHARACTER } from '../../../domain/shared/codecs';
import type { JsonDocument, StoredDocument } from '../../../projections/read-model-store';

/*
 * What PostgreSQL text and jsonb cannot hold, and how rows are read back.
 *
 * Text cannot hold U+0000, and a lone UTF-16 surrogate has no UTF-8 form at all: the driver would quietly
 * send U+FFFD instead, so an id or value would come back changed. Both are refused before they are sent
 * (`UNSTORABLE_CHARACTER`, the domain's own rule for ids and text).
 */

/**
 * The same characters as `JSON.stringify` writes them: `\u0000` and `\udXXX` escapes (it writes paired
 * surrogates as they are, so any surrogate escape is a lone one) after an even number of backslashes, since
 * `\\` is an escaped backslash rather than the start of an escape.
 */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/;

const UNSTORABLE = 'holds U+0000 or a lone surrogate, which PostgreSQL text cannot store';

export const textProblem = (text: string): string | undefined => (UNSTORABLE_CHARACTER.test(text) ? UNSTORABLE : undefined);

export const serializedTextProblem = (json: string): string | undefined => (UNSTORABLE_ESCAPE.test(json) ? UNSTORABLE : undefined);

/** PostgreSQL sends bigint as a string; positions and checkpoints fit a JavaScript number by the port's rules. */
export const decodeBigint = (value: unknown): E.Either<string, number> => {
  const parsed = typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  return Number.isSafeInteger(parsed) ? E.right(parsed) : E.left(`${JSON.stringify(value)} is not a safe integer`);
};

/** Freezes, in place, a value the driver has just parsed from JSON, which nothing else holds yet. */
const frozenInPlace = (value: unknown): void => {
  if (typeof value !== 'object' || value === null) return;
  for (const key in value) frozenInPlace((value as Record<string, unknown>)[key]);
  Object.freeze(value);
};

export const decodeDocumentRow = (row: Record<string, unknown>): E.Either<string, StoredDocument> => {
  const { id, position, document } = row;
  if (typeof id !== 'string') return E.left('a document row has no id');
  const decodedPosition = decodeBigint(position);
  if (E.isLeft(decodedPosition)) return E.left(`document ${id} has position ${decodedPosition.left}`);
  // The driver parsed the jsonb text, so the value is JSON; only its outer shape can be wrong.
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return E.left(`document ${id} is not a JSON object`);
  // Frozen, as every store hands documents out: a projection's event that changed what it read in place and
  // was then refused (parked) would otherwise leave its change for the next event of the batch to build on.
  frozenInPlace(document);
  return E.right({ id, position: decodedPosition.right, document: document as JsonDocument });
};
