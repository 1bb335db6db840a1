import * as E from 'fp-ts/Either';
import { UNSTORABLE_CHARACTER } from '../domain/shared/codecs';
import { setOwnField } from '../engine/frozen-copy';
import {
  Batch,
  CollectionDefinition,
  IndexDefinition,
  IndexQuery,
  JsonDocument,
  JsonValue,
  MAX_QUERY_LIMIT,
  ReadModelError,
  SortCursor,
  SortType,
  SortValue,
} from './read-model-store';

/*
 * The rules of the read-model port that every adapter applies the same way: what names, ids, documents,
 * batches and queries are acceptable, and how sort values are ordered.
 */

/** Projection, collection and index names: short, lower case, safe as (part of) a table or collection name. */
const NAME = /^[a-z_][a-z0-9_-]{0,62}$/;
/** Indexed fields: top-level, safe in a jsonb expression or a MongoDB key. */
const FIELD = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
export const MAX_DOCUMENT_ID_LENGTH = 512;

export const isValidName = (name: string): boolean => NAME.test(name);

export const versionProblem = (projection: string, version: number): string | undefined => {
  if (!isValidName(projection)) return `projection name ${JSON.stringify(projection)} is not lower-case letters, digits, - and _ (at most 63)`;
  if (!Number.isSafeInteger(version) || version < 1) return `projection version ${version} is not a positive integer`;
  return undefined;
};

/**
 * An id every store keeps as sent: PostgreSQL refuses U+0000, and a lone surrogate reaches a database as
 * U+FFFD (so two ids would name one document); the in-memory store refuses them too, so that a projection
 * does the same over every store (its event parked, say, not stored in one and refused by another).
 */
export const idProblem = (id: string): string | undefined => {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_DOCUMENT_ID_LENGTH) return `document id must be 1 to ${MAX_DOCUMENT_ID_LENGTH} characters`;
  return UNSTORABLE_CHARACTER.test(id) ? 'a document id may not hold U+0000 or a lone UTF-16 surrogate' : undefined;
};

const indexProblem = (collection: string, index: IndexDefinition): string | undefined => {
  if (!isValidName(index.name)) return `index name ${JSON.stringify(index.name)} of ${collection} is not valid`;
  const fields = [...index.equals, index.sortBy.field];
  const bad = fields.find((field) => !FIELD.test(field));
  if (bad !== undefined) return `index ${index.name} of ${collection} names field ${JSON.stringify(bad)}, which is not a top-level field name`;
  if (new Set(fields).size !== fields.length) return `index ${index.name} of ${collection} names a field twice`;
  if (index.sortBy.type !== 'number' && index.sortBy.type !== 'string') return `index ${index.name} of ${collection} sorts by an unknown type`;
  return undefined;
};

export const definitionProblem = (collections: readonly CollectionDefinition[]): string | undefined => {
  const names = new Set<string>();
  for (const collection of collections) {
    if (!isValidName(collection.name)) return `collection name ${JSON.stringify(collection.name)} is not lower-case letters, digits, - and _ (at most 63)`;
    if (names.has(collection.name)) return `collection ${collection.name} is declared twice`;
    names.add(collection.name);
    const indexNames = new Set<string>();
    for (const index of collection.indexes) {
      const problem = indexProblem(collection.name, index);
      if (problem !== undefined) return problem;
      if (indexNames.has(index.name)) return `index ${index.name} of ${collection.name} is declared twice`;
      indexNames.add(index.name);
    }
  }
  return undefined;
};

const sameIndex = (a: IndexDefinition, b: IndexDefinition): boolean =>
  a.name === b.name &&
  a.sortBy.field === b.sortBy.field &&
  a.sortBy.type === b.sortBy.type &&
  a.equals.length === b.equals.length &&
  a.equals.every((field, i) => b.equals[i] === field);

/** Whether two declarations of a collection ask for the same indexes (in any order). */
export const sameCollectionDefinition = (a: CollectionDefinition, b: CollectionDefinition): boolean =>
  a.name === b.name && a.indexes.length === b.indexes.length && a.indexes.every((index) => b.indexes.some((other) => sameIndex(index, other)));

const MAX_JSON_DEPTH = 64;

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** Where in a document a walk is, as problems name it: `document.lines[2].sku`. */
const placeIn = (path: readonly (string | number)[]): string => `document${path.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('')}`;

/**
 * `value`, `depth` levels into a document, as the document walks see it: `true` for a JSON leaf (null, a
 * string, a boolean, a finite number), `false` for an object or array to walk into, or what is wrong with it.
 */
const leafCheck = (value: unknown, depth: number): boolean | string => {
  if (depth > MAX_JSON_DEPTH) return `is nested more than ${MAX_JSON_DEPTH} levels deep`;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) || `is ${value}, which JSON cannot hold`;
  if (typeof value !== 'object') return `is ${value === undefined ? 'undefined' : `a ${typeof value}`}, which JSON cannot hold`;
  return false;
};

/** Whether an object found in a document is a plain one, the only kind JSON holds. */
const isPlainRecord = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
};

/**
 * What in the parts of `document` that are not frozen no store could hold (a number that is not finite, an
 * `undefined`, an object that is not plain), if anything. Frozen parts are passed over: what a projection
 * builds on came from a store or the batch, frozen once checked, and only what it changed is new. A frozen
 * part that is no JSON is still refused by the store's commit. Checked as an event's changes are taken, so
 * that such a document is that event's failure (parked, or stopped at, by name) rather than the batch's.
 */
export const unfrozenJsonProblem = (document: unknown): string | undefined => {
  const path: (string | number)[] = [];
  const problem = unfrozenProblemAt(document, path);
  return problem === undefined ? undefined : `${placeIn(path)} ${problem}`;
};

/** What is wrong at `value`, if anything, with `path` left leading to it; it runs on every change, so no path is spelled out until then. */
const unfrozenProblemAt = (value: unknown, path: (string | number)[]): string | undefined => {
  const leaf = leafCheck(value, path.length);
  if (leaf !== false) return leaf === true ? undefined : leaf;
  if (Object.isFrozen(value)) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      path.push(i);
      const problem = unfrozenProblemAt(value[i], path);
      if (problem !== undefined) return problem;
      path.pop();
    }
    return undefined;
  }
  // Not a leaf, so an object (see `leafCheck`).
  const record = value as Record<string, unknown>;
  if (!isPlainRecord(record)) return 'is not a plain object';
  for (const key in record) {
    if (!hasOwnProperty.call(record, key)) continue;
    path.push(key);
    const problem = unfrozenProblemAt(record[key], path);
    if (problem !== undefined) return problem;
    path.pop();
  }
  return undefined;
};

/**
 * A deep, frozen copy of `value` if it is a JSON document (plain objects, arrays, strings, finite numbers,
 * booleans, null), or what is wrong with it. The copy keeps the caller from changing a stored document
 * behind the store's back. It runs on every document a store writes, so the path of a problem is only
 * spelled out once there is one.
 *
 * `previous` must be a document this function made, i.e. frozen all the way down and checked: an object or
 * array of `value` that is the very one `previous` holds at the same place is kept as it is rather than
 * copied. A projection mostly writes the document it read with a few fields changed, so a store that hands
 * in the document it holds under the same id copies only what changed.
 */
export const copyJsonDocument = (value: unknown, previous?: JsonDocument): E.Either<string, JsonDocument> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return E.left('a document must be a JSON object');
  const path: (string | number)[] = [];
  let problem: string | undefined;
  const fail = (what: string): null => {
    problem ??= `${placeIn(path)} ${what}`;
    return null;
  };
  // `before` is what `previous` holds at the same path, if anything; only an own field counts, or a
  // "__proto__" field would be compared with Object.prototype.
  const copy = (v: unknown, depth: number, before: JsonValue | undefined): JsonValue => {
    const leaf = leafCheck(v, depth);
    if (leaf === true) return v as JsonValue;
    if (leaf !== false) return fail(leaf);
    if (v === before && before !== undefined) return before;
    if (Array.isArray(v)) {
      const earlier = Array.isArray(before) ? (before as readonly JsonValue[]) : undefined;
      const items = new Array<JsonValue>(v.length);
      for (let i = 0; i < v.length; i += 1) {
        path.push(i);
        items[i] = copy(v[i], depth + 1, earlier?.[i]);
        path.pop();
      }
      return Object.freeze(items);
    }
    // Not a leaf, so an object (see `leafCheck`).
    const record = v as Record<string, unknown>;
    if (!isPlainRecord(record)) return fail('is not a plain object');
    const earlier = typeof before === 'object' && before !== null && !Array.isArray(before) ? (before as JsonDocument) : undefined;
    const out: Record<string, JsonValue> = {};
    // for…in rather than Object.keys, which would allocate an array per object; the prototype is
    // Object.prototype or null, and an enumerable field someone added to Object.prototype is not own.
    for (const key in record) {
      if (!hasOwnProperty.call(record, key)) continue;
      path.push(key);
      const item = copy(record[key], depth + 1, earlier !== undefined && hasOwnProperty.call(earlier, key) ? earlier[key] : undefined);
      path.pop();
      setOwnField(out, key, item);
    }
    return Object.freeze(out);
  };
  const copied = copy(value, 0, previous) as JsonDocument;
  return problem === undefined ? E.right(copied) : E.left(problem);
};

/** Why a version at checkpoint `actual` may not be activated as built through `builtThrough`, if it may not. */
export const unbuiltVersionError = (projection: string, version: number, builtThrough: number | undefined, actual: number | undefined): ReadModelError | undefined =>
  builtThrough === undefined || (actual ?? -1) >= builtThrough
    ? undefined
    : {
        code: 'CHECKPOINT_MOVED',
        message: `${projection} v${version} is at checkpoint ${actual ?? 'none'}, though it was built through ${builtThrough}: it was dropped and started again meanwhile`,
        expected: builtThrough,
        actual,
      };

export const batchProblem = (batch: Batch): string | undefined => {
  if (!Number.isSafeInteger(batch.checkpoint) || batch.checkpoint < -1) return `checkpoint ${batch.checkpoint} is not an integer ≥ -1`;
  if (batch.expectedCheckpoint !== undefined && batch.expectedCheckpoint > batch.checkpoint) {
    return `checkpoint ${batch.checkpoint} would move back from ${batch.expectedCheckpoint}`;
  }
  const bad = batch.writes.find((write) => !Number.isSafeInteger(write.position) || write.position < 0);
  return bad === undefined ? undefined : `write to ${bad.collection}/${bad.id} has position ${bad.position}, not an integer ≥ 0`;
};

/**
 * Compares strings by Unicode code point, which is how PostgreSQL (`COLLATE "C"` on UTF-8) and MongoDB (the
 * simple collation) order them; plain `<` on UTF-16 code units differs for characters above U+FFFF.
 */
export const compareCodePoints = (a: string, b: string): number => {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
};

/** Surrogates (D800–DFFF) encode code points above FFFF, so they must sort after E000–FFFF. */
const codePointRank = (unit: number): number => (unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit);

/** Orders two sort values of one index (so of one type). */
export const compareSortValues = (a: SortValue, b: SortValue): number =>
  typeof a === 'number' && typeof b === 'number' ? a - b : compareCodePoints(String(a), String(b));

/** Orders index entries by sort value, then id: the order every page follows. */
export const compareSortKeys = (a: SortCursor, b: SortCursor): number => compareSortValues(a.value, b.value) || compareCodePoints(a.id, b.id);

export const isSortValueOf = (type: SortType, value: unknown): value is SortValue =>
  type === 'number' ? typeof value === 'number' && Number.isFinite(value) : typeof value === 'string';

/** Where a document sits in an index, or undefined when it lacks one of the index's fields. */
export const indexKeyOf = (index: IndexDefinition, document: JsonDocument): { readonly group: readonly string[]; readonly value: SortValue } | undefined => {
  const group: string[] = [];
  for (const field of index.equals) {
    const value = document[field];
    if (typeof value !== 'string') return undefined;
    group.push(value);
  }
  const value = document[index.sortBy.field];
  return isSortValueOf(index.sortBy.type, value) ? { group, value } : undefined;
};

/** The declared index a query uses, or what is wrong with the query. */
export const indexForQuery = (collection: CollectionDefinition, query: IndexQuery): E.Either<string, IndexDefinition> => {
  const index = collection.indexes.find((candidate) => candidate.name === query.index);
  if (index === undefined) return E.left(`collection ${collection.name} has no index ${query.index}`);
  const given = Object.keys(query.equals);
  if (given.length !== index.equals.length || !index.equals.every((field) => typeof query.equals[field] === 'string')) {
    return E.left(`index ${index.name} needs a string for each of [${index.equals.join(', ')}] and nothing else; got [${given.join(', ')}]`);
  }
  if (!Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > MAX_QUERY_LIMIT) return E.left(`limit must be 1 to ${MAX_QUERY_LIMIT}`);
  if (query.order !== 'ascending' && query.order !== 'descending') return E.left('order must be ascending or descending');
  const { type } = index.sortBy;
  if (query.after !== undefined && (!isSortValueOf(type, query.after.value) || typeof query.after.id !== 'string')) {
    return E.left(`the cursor does not fit index ${index.name}, which sorts by a ${type}`);
  }
  const { range } = query;
  if (range !== undefined && [range.atLeast, range.below].some((bound) => bound !== undefined && !isSortValueOf(type, bound))) {
    return E.left(`the range does not fit index ${index.name}, which sorts by a ${type}`);
  }
  return E.right(index);
};
