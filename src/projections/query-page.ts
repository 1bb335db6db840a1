import * as E from 'fp-ts/Either';
import { UNSTORABLE_CHARACTER } from '../domain/shared/codecs';
import type { CorruptDocument, DocumentCollection } from './document-collection';
import { guarded } from './guarded-call';
import type { IndexQuery, JsonDocument, ProjectionVersion, ReadModelError, ReadModelStore, SortCursor } from './read-model-store';

/** What a query function may answer instead of its result. */
export type QueryError =
  | ReadModelError
  | CorruptDocument
  | { readonly code: 'PROJECTION_NOT_ACTIVE'; readonly message: string; readonly projection: string }
  | { readonly code: 'INVALID_CURSOR'; readonly message: string }
  | { readonly code: 'INVALID_PAGE_SIZE'; readonly message: string }
  | { readonly code: 'NOT_FOUND'; readonly message: string };

/** One page of a query; pass `next` back as `after` for the following one. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly next: string | undefined;
}

export interface PageRequest {
  /** 1 to 1000; each query has its own default. */
  readonly limit?: number;
  /** A page's `next`: opaque to callers. */
  readonly after?: string;
}

export const MAX_PAGE_SIZE = 1000;

/** Cursors leave the process (e.g. in a URL), so they are encoded, and decoded with care when they return. */
export const encodeCursor = (cursor: SortCursor): string => Buffer.from(JSON.stringify([cursor.value, cursor.id]), 'utf8').toString('base64url');

export const decodeCursor = (text: string): E.Either<QueryError, SortCursor> => {
  const invalid = E.left<QueryError, SortCursor>({ code: 'INVALID_CURSOR', message: 'the cursor is not one this query returned' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return invalid;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return invalid;
  const [value, id] = parsed as unknown[];
  if (typeof id !== 'string' || !(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) return invalid;
  return E.right({ value, id });
};

/** The version of `projection` that readers use: every query reads through it. */
export const activeVersionOf = async (store: ReadModelStore, projection: string): Promise<E.Either<QueryError, ProjectionVersion>> => {
  const active = await guarded(() => store.activeVersion(projection));
  if (E.isLeft(active)) return active;
  return active.right === undefined
    ? E.left({ code: 'PROJECTION_NOT_ACTIVE', message: `no version of ${projection} has been activated yet`, projection })
    : E.right({ projection, version: active.right });
};

/** Runs one page of an index query and decodes its documents. */
export const queryPage = async <D extends JsonDocument>(
  store: ReadModelStore,
  version: ProjectionVersion,
  collection: DocumentCollection<D>,
  query: Omit<IndexQuery, 'collection' | 'limit' | 'after'>,
  request: PageRequest,
  defaultLimit: number,
): Promise<E.Either<QueryError, Page<D>>> => {
  // JavaScript callers, and hosts passing parsed input on, may hand anything.
  if (typeof request !== 'object' || request === null) return E.left({ code: 'INVALID_QUERY', message: 'a page request must be an object, {} for the first page' });
  const limit = request.limit === undefined ? defaultLimit : request.limit;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    return E.left({ code: 'INVALID_PAGE_SIZE', message: `a page holds 1 to ${MAX_PAGE_SIZE} items` });
  }
  let after: SortCursor | undefined;
  if (request.after !== undefined) {
    const decoded = decodeCursor(request.after);
    if (E.isLeft(decoded)) return decoded;
    after = decoded.right;
  }
  // No id or key a projection writes holds these (the domain refuses them): one asked for is a bad query on
  // every store, as PostgreSQL, which cannot even send it, says, and not an empty answer on some.
  const unstorable = (value: unknown): boolean => typeof value === 'string' && UNSTORABLE_CHARACTER.test(value);
  if (Object.values(query.equals).some(unstorable)) return E.left({ code: 'INVALID_QUERY', message: 'a key holds U+0000 or a lone surrogate, which no read model holds' });
  if (after !== undefined && (unstorable(after.id) || unstorable(after.value))) return E.left({ code: 'INVALID_CURSOR', message: 'the cursor is not one this query returned' });
  const page = await guarded(() => store.find(version, { ...query, collection: collection.name, limit, ...(after === undefined ? {} : { after }) }));
  if (E.isLeft(page)) return page.left.code === 'INVALID_QUERY' && after !== undefined ? E.left({ code: 'INVALID_CURSOR', message: page.left.message }) : page;
  const items: D[] = [];
  for (const stored of page.right.documents) {
    const decoded = collection.decodeStored(stored);
    if (E.isLeft(decoded)) return decoded;
    items.push(decoded.right);
  }
  return E.right({ items, next: page.right.next === undefined ? undefined : encodeCursor(page.right.next) });
};

/** Every item of an index query, page after page: for lists bounded by the domain (one order's timeline). */
export const queryAll = async <D extends JsonDocument>(
  store: ReadModelStore,
  version: ProjectionVersion,
  collection: DocumentCollection<D>,
  query: Omit<IndexQuery, 'collection' | 'limit' | 'after'>,
): Promise<E.Either<QueryError, readonly D[]>> => {
  const items: D[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await queryPage(store, version, collection, query, after === undefined ? {} : { after }, MAX_PAGE_SIZE);
    if (E.isLeft(page)) return page;
    items.push(...page.right.items);
    if (page.right.next === undefined) return E.right(items);
    after = page.right.next;
  }
};

/** Reads and decodes one document by id. */
export const getDocument = async <D extends JsonDocument>(
  store: ReadModelStore,
  version: ProjectionVersion,
  collection: DocumentCollection<D>,
  id: string,
): Promise<E.Either<QueryError, D | undefined>> => {
  const stored = await guarded(() => store.get(version, collection.name, id));
  if (E.isLeft(stored)) return stored;
  return stored.right === undefined ? E.right(undefined) : collection.decodeStored(stored.right);
};
