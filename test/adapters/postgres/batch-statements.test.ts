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

/** The elements of a one-dimensional binary array parameter (see binary-arrays.ts), each as a Buffer. */
const elementsOf = (parameter: unknown): Buffer[] => {
  const buffer = parameter as Buffer;
  if (buffer.readInt32BE(0) === 0) return [];
  const elements: Buffer[] = [];
  let offset = 20;
  for (let i = 0; i < buffer.readInt32BE(12); i += 1) {
    const length = buffer.readInt32BE(offset);
    elements.push(buffer.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return elements;
};

/** The rows each write of a statement carries, as id@position, write by write in the order of the SQL. */
const rowsOf = (statement: { readonly text: string; readonly values: readonly unknown[] }): string[][] =>
  [...statement.text.matchAll(/unnest\(\$(\d+)::text\[\], \$(\d+)::int8\[\]/g)].map(([, ids, positions]) => {
    const positionsOfRows = elementsOf(statement.values[Number(positions) - 1]).map((element) => Number(element.readBigInt64BE()));
    return elementsOf(statement.values[Number(ids) - 1]).map((id, row) => `${id.toString('utf8')}@${positionsOfRows[row]}`);
  });

/** The documents an upsert carries, parsed back from the JSON text it sends. */
const documentsOf = (statement: { readonly text: string; readonly values: readonly unknown[] }): unknown[] => {
  const [, , , documents] = /unnest\(\$(\d+)::text\[\], \$(\d+)::int8\[\], \$(\d+)::text\[\]/.exec(statement.text) ?? [];
  return elementsOf(statement.values[Number(documents) - 1]).map((element) => JSON.parse(element.toString('utf8')) as unknown);
};

describe('PostgreSQL batch statements', () => {
  it('writes puts and deletes of several collections in one statement, each write reading its own parameters', () => {
    const statements = statementsOf([put('orders', 'o1', 1, { n: 1 }), remove('orders', 'o2', 2), put('counters', 'c', 3, { n: 2 }), remove('carts', 'k', 4)]);
    expect(statements).toHaveLength(1);
    const [statement] = statements;
    expect(rowsOf(statement!)).toEqual([['o1@1'], ['o2@2'], ['c@3'], ['k@4']]);
    const text = statement?.text ?? '';
    expect(text.match(/INSERT INTO "s"\."shop_1_orders"[\s\S]*?unnest\(\$1::text\[\], \$2::int8\[\], \$3::text\[\]\)/)).not.toBeNull();
    expect(text.match(/DELETE FROM "s"\."shop_1_orders"[\s\S]*?unnest\(\$4::text\[\], \$5::int8\[\]\)/)).not.toBeNull();
    expect(text.match(/INSERT INTO "s"\."shop_1_counters"[\s\S]*?unnest\(\$6::text\[\], \$7::int8\[\], \$8::text\[\]\)/)).not.toBeNull();
    expect(text.match(/DELETE FROM "s"\."shop_1_carts"[\s\S]*?unnest\(\$9::text\[\], \$10::int8\[\]\)/)).not.toBeNull();
    expect(statement?.values).toHaveLength(10);
  });

  it('keeps a lone write a plain statement', () => {
    const statements = statementsOf([put('orders', 'o1', 1, { n: 1 }), put('orders', 'o2', 1, { n: 2 })]);
    expect(statements).toHaveLength(1);
    expect(statements[0]?.text.startsWith('INSERT INTO')).toBe(true);
    expect(rowsOf(statements[0]!)).toEqual([['o1@1', 'o2@1']]);
    expect(documentsOf(statements[0]!)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('writes a document whose positions do not rise in later statements, one write per round, in order', () => {
    const statements = statementsOf([put('orders', 'a', 6, { n: 1 }), remove('orders', 'a', 7), put('orders', 'a', 6, { n: 2 }), put('counters', 'c', 3, { n: 3 })]);
    expect(statements.map(rowsOf)).toEqual([[['a@6'], ['c@3']], [['a@7']], [['a@6']]]);
  });

  it('has nothing to send for a batch without writes', () => {
    expect(statementsOf([])).toEqual([]);
  });
});
