import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { decodeProblems } from '../../../engine/schema/decode-problems';
import { definitionProblem } from '../../../projections/read-model-rules';
import type { CollectionDefinition, IndexDefinition, ProjectionVersion, SortType } from '../../../projections/read-model-store';
import { derivedName, qualifiedName, quoteIdentifier } from './sql-names';

/*
 * How a collection is stored: one table `(id, position, document jsonb)` per collection of each projection
 * version, and per declared index one btree over SQL expressions that extract the index's fields from the
 * document.
 *
 * Why expression indexes rather than generated typed columns: the table keeps one shape whatever the
 * indexes, a document is stored once (a stored generated column would copy each indexed value into the
 * row), and the extraction costs the same either way since PostgreSQL computes it on every write.
 *
 * Each extraction is null unless the field holds the index's type — `jsonb_typeof` is tested in a CASE
 * before any cast, so a document holding "abc" where a number is indexed can never make a cast fail — and
 * each index is partial, `WHERE` every extraction `IS NOT NULL`: a document lacking a field, or holding
 * another type in it, is not in the index at all, as the port says. Queries repeat that predicate word for
 * word, which is how the planner knows the partial index answers them.
 *
 * PostgreSQL keeps no statistics of a partial index's expressions, and without them it guesses that an
 * equality matches 0.5% of the rows: for a customer with many orders it would then fetch them all and sort
 * rather than read the first page off the index. So each index also gets a statistics object on its
 * extractions (expression statistics: PostgreSQL 14 or later), which ANALYZE fills.
 *
 * Strings compare with `COLLATE "C"`, which on a UTF-8 database orders by code point, as the port requires;
 * numbers as `numeric`, which holds every finite JavaScript number exactly.
 */

export interface CollectionTable {
  readonly definition: CollectionDefinition;
  readonly tableName: string;
  /** The table's schema-qualified, quoted name, ready for SQL. */
  readonly table: string;
}

/**
 * The table of a collection. Its name depends on the indexes too: a version dropped and prepared again with
 * other indexes gets another table, so a store still holding the old definition fails to find the old table
 * and looks again, instead of querying the new one with the old indexes in mind.
 */
export const tableNameOf = (version: ProjectionVersion, definition: CollectionDefinition): string =>
  derivedName(
    [version.projection, `v${version.version}`, definition.name],
    JSON.stringify(['table', version.projection, version.version, definition.name, storedIndexesOf(definition)]),
  );

const indexObjectName = (kind: 'index' | 'statistics', version: ProjectionVersion, collection: string, index: string): string =>
  derivedName([version.projection, `v${version.version}`, collection, index], JSON.stringify([kind, version.projection, version.version, collection, index]));

/** Field names passed `definitionProblem` (letters, digits, _), so they are safe inside a SQL string literal. */
const extraction = (field: string, type: SortType): string =>
  type === 'string'
    ? `((CASE WHEN jsonb_typeof(document -> '${field}') = 'string' THEN document ->> '${field}' END) COLLATE "C")`
    : `(CASE WHEN jsonb_typeof(document -> '${field}') = 'number' THEN (document -> '${field}')::numeric END)`;

export interface IndexKeys {
  /** One extraction per equality field, in the index's order. */
  readonly equals: readonly string[];
  readonly sort: string;
  /** Which documents are in the index; a query must include it verbatim. */
  readonly predicate: string;
}

export const indexKeysOf = (index: IndexDefinition): IndexKeys => {
  const equals = index.equals.map((field) => extraction(field, 'string'));
  const sort = extraction(index.sortBy.field, index.sortBy.type);
  const predicate = [...equals, sort].map((key) => `${key} IS NOT NULL`).join(' AND ');
  return { equals, sort, predicate };
};

/** The DDL that creates a collection's table and indexes. */
export const createCollectionStatements = (schema: string, version: ProjectionVersion, definition: CollectionDefinition): readonly string[] => {
  const table = qualifiedName(schema, tableNameOf(version, definition));
  return [
    `CREATE TABLE ${table} (id text COLLATE "C" PRIMARY KEY, position bigint NOT NULL, document jsonb NOT NULL)`,
    ...definition.indexes.flatMap((index) => {
      const keys = indexKeysOf(index);
      const extractions = [...keys.equals, keys.sort].map((key) => `(${key})`).join(', ');
      // An index goes to its table's schema; a statistics object, unless qualified, to the search path's.
      return [
        `CREATE INDEX ${quoteIdentifier(indexObjectName('index', version, definition.name, index.name))} ON ${table} (${extractions}, id) WHERE ${keys.predicate}`,
        `CREATE STATISTICS ${qualifiedName(schema, indexObjectName('statistics', version, definition.name, index.name))} ON ${extractions} FROM ${table}`,
      ];
    }),
  ];
};

const StoredIndexes = t.readonlyArray(
  t.type({
    name: t.string,
    equals: t.readonlyArray(t.string),
    sortBy: t.type({ field: t.string, type: t.keyof({ number: null, string: null }) }),
  }),
);

/**
 * What the `collections` table keeps of a definition: its indexes (the name is a column of its own), by
 * name, since their order does not matter.
 */
export const storedIndexesOf = (definition: CollectionDefinition): string =>
  JSON.stringify(
    [...definition.indexes]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((index) => ({ name: index.name, equals: index.equals, sortBy: { field: index.sortBy.field, type: index.sortBy.type } })),
  );

/** A row of the `collections` table, decoded and checked by the same rules as a fresh declaration. */
export const decodeCollectionRow = (schema: string, row: Record<string, unknown>): E.Either<string, CollectionTable> => {
  const { collection, table_name: tableName, definition } = row;
  if (typeof collection !== 'string' || typeof tableName !== 'string') return E.left('a collections row lacks its collection or table name');
  const indexes = StoredIndexes.decode(definition);
  if (E.isLeft(indexes)) return E.left(`the indexes stored for ${collection} are unreadable: ${decodeProblems(indexes.left).join('; ')}`);
  const decoded: CollectionDefinition = { name: collection, indexes: indexes.right };
  const problem = definitionProblem([decoded]);
  if (problem !== undefined) return E.left(`the definition stored for ${collection} is not valid: ${problem}`);
  return E.right({ definition: decoded, tableName, table: qualifiedName(schema, tableName) });
};
