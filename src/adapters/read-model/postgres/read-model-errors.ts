import { DatabaseError } from 'pg';
import type { ProjectionVersion, ReadModelError } from '../../../projections/read-model-store';

export const unknownCollection = (version: ProjectionVersion, collection: string): ReadModelError => ({
  code: 'UNKNOWN_COLLECTION',
  message: `${version.projection} v${version.version} has no collection ${collection}: prepare it first`,
  collection,
});

export const invalidDocument = (collection: string, id: string, problem: string): ReadModelError => ({
  code: 'INVALID_DOCUMENT',
  message: `${collection}/${id}: ${problem}`,
  collection,
  id,
});

const describeCause = (cause: unknown): string => {
  if (typeof cause !== 'object' || cause === null) return String(cause);
  const { message, code } = cause as { readonly message?: unknown; readonly code?: unknown };
  const text = typeof message === 'string' && message !== '' ? message : String(cause);
  return typeof code === 'string' ? `${text} (${code})` : text;
};

export const unavailable = (doing: string, cause?: unknown): ReadModelError => ({
  code: 'READ_MODEL_UNAVAILABLE',
  message: cause === undefined ? `PostgreSQL read-model store: ${doing}` : `PostgreSQL read-model store could not ${doing}: ${describeCause(cause)}`,
  ...(cause === undefined ? {} : { cause }),
});

/** The SQLSTATE of an error the server answered with; undefined for any other failure (network, pool). */
export const sqlStateOf = (cause: unknown): string | undefined => (cause instanceof DatabaseError ? cause.code : undefined);
