import * as E from 'fp-ts/Either';
import { batchStatements } from '../../../src/adapters/read-model/postgres/batch-statements';
import type { CollectionTable } from '../../../src/adapters/read-model/postgres/collection-tables';
import type { DocumentWrite, JsonDocument } from '../../../src/projections/read-model-store';

/*
 * How a batch becomes statements: one per round of writes, whatever its collections and kinds of write, so
 * that a batch costs one round trip to PostgreSQL however many collections it touches. What the statements
 * do to the documents is the contract suites' business; here, only how the writes are grouped and what each
 * statement is handed.
 */

const version = { projection: 'shop', version: 1 };

const table = (name: string): CollectionTable => ({ definition: { name, indexes: [] }, tableName: `shop_1_${name}`, table: `"s"."shop_1_${name}"` });
const tables = new Map(['orders', 'counters', 'carts'].map((name) => [name, table(name)]));

const put = (collection: string, id: string, position: number, document: JsonDocument): DocumentWrite => ({ kind: 'put', collection, id, position, document });
const remove = (collection: string, id: string, position: number): DocumentWrite => ({ kind: 'delete', collection, id, position });

const statementsOf = (writes: readonly DocumentWrite[]) => {
  const statements = batchStatements(version, tables, { writes, checkpoint: 9, expectedCheckpoint: 0 });
  if (E.isLeft(statements)) throw new Error(statements.left.message);
  return statements.right;
};

/** The rows each parameter of a statement carries, as id@position. */
const rowsOf = (values: readonly unknown[]): string[][] =>
  values.map((value) => (JSON.parse(value as string) as { id: string; position: number }[]).map((row) => `${row.id}@${row.position}`));

describe('PostgreSQL batch statements', () => {
  it('writes puts and deletes of several collections in one statement, each write reading its own parameter', () => {
    const statements = statementsOf([put('orders', 'o1', 1, { n: 1 }), remove('orders', 'o2', 2), put('counters', 'c', 3, { n: 2 }), remove('carts', 'k', 4)]);
    expect(statements).toHaveLength(1);
    const [statement] = statements;
    expect(rowsOf(statement?.values ?? [])).toEqual([['o1@1'], ['o2@2'], ['c@3'], ['k@4']]);
    const text = statement?.text ?? '';
    expect(text.match(/INSERT INTO "s"\."shop_1_orders"[\s\S]*?\$1::json/)).not.toBeNull();
    expect(text.match(/DELETE FROM "s"\."shop_1_orders"[\s\S]*?\$2::json/)).not.toBeNull();
    expect(text.match(/INSERT INTO "s"\."shop_1_counters"[\s\S]*?\$3::json/)).not.toBeNull();
    expect(text.match(/DELETE FROM "s"\."shop_1_carts"[\s\S]*?\$4::json/)).not.toBeNull();
  });

  it('keeps a lone write a plain statement', () => {
    const statements = statementsOf([put('orders', 'o1', 1, { n: 1 }), put('orders', 'o2', 1, { n: 2 })]);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.text.startsWith('INSERT INTO')).toBe(true);
    expect(rowsOf(statements[0]?.values ?? [])).toEqual([['o1@1', 'o2@1']]);
  });

  it('writes a document whose positions do not rise in later statements, one write per round, in order', () => {
    const statements = statementsOf([put('orders', 'a', 6, { n: 1 }), remove('orders', 'a', 7), put('orders', 'a', 6, { n: 2 }), put('counters', 'c', 3, { n: 3 })]);
    expect(statements.map((statement) => rowsOf(statement.values))).toEqual([[['a@6'], ['c@3']], [['a@7']], [['a@6']]]);
  });

  it('has nothing to send for a batch without writes', () => {
    expect(statementsOf([])).toEqual([]);
  });
});
