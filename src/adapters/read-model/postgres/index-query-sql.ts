import type { IndexDefinition, IndexQuery, SortValue } from '../../../projections/read-model-store';
import { indexKeysOf } from './collection-tables';
import type { SqlStatement } from './sql-statement';

/**
 * The one statement that answers a page of `query` (already checked against `index`), shaped so that the
 * index's btree serves it alone: equality on the leading columns, the index's own predicate, bounds on the
 * sort key, the cursor as a row comparison on (sort key, id) — keyset pagination, which costs the same on
 * the thousandth page as on the first — and the index's order, read backwards when descending. One row more
 * than the limit is asked for, to know whether another page follows.
 */
export const indexQueryStatement = (table: string, index: IndexDefinition, query: IndexQuery): SqlStatement => {
  const keys = indexKeysOf(index);
  const values: unknown[] = [];
  const sortType = index.sortBy.type === 'number' ? 'numeric' : 'text';
  const parameter = (value: unknown, type: string): string => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  const conditions = index.equals.map((field, i) => `${keys.equals[i] as string} = ${parameter(query.equals[field], 'text')}`);
  conditions.push(keys.predicate);
  const bound = (operator: string, value: SortValue | undefined): void => {
    if (value !== undefined) conditions.push(`${keys.sort} ${operator} ${parameter(value, sortType)}`);
  };
  bound('>=', query.range?.atLeast);
  bound('<', query.range?.below);
  const ascending = query.order === 'ascending';
  if (query.after !== undefined) {
    conditions.push(`(${keys.sort}, id) ${ascending ? '>' : '<'} (${parameter(query.after.value, sortType)}, ${parameter(query.after.id, 'text')})`);
  }
  const direction = ascending ? 'ASC' : 'DESC';
  return {
    text: `SELECT id, position, document FROM ${table}
           WHERE ${conditions.join(' AND ')}
           ORDER BY ${keys.sort} ${direction}, id ${direction}
           LIMIT ${parameter(query.limit + 1, 'integer')}`,
    values,
  };
};
