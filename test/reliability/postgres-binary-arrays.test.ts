import { Pool } from 'pg';
import { int4Array, int8Array, textArray } from '../../src/adapters/postgres/binary-arrays';
import { describeWithPostgres, postgresUrl } from '../support/postgres-server';

describeWithPostgres('PostgreSQL binary array parameters', () => {
  let pool: Pool;
  /** What the server makes of the parameter, as text it writes itself, element by element. */
  const serverSees = async (parameter: Buffer, type: string): Promise<string[]> => {
    const result = await pool.query<{ element: string }>(`SELECT element::text FROM unnest($1::${type}) WITH ORDINALITY AS a(element, n) ORDER BY n`, [parameter]);
    return result.rows.map((row) => row.element);
  };

  beforeAll(() => {
    pool = new Pool({ connectionString: postgresUrl, max: 1 });
  });
  afterAll(async () => {
    await pool.end();
  });

  it('passes text elements byte for byte, whatever a text literal would have to quote or escape', async () => {
    const values = ['plain', '', 'NULL', 'a,b', '{braces}', '"quoted"', 'back\\slash', ' spaced ', 'tab\tand\nnewline', 'zürich ✓ 𝄞', 'x'.repeat(70_000)];

    await expect(serverSees(textArray(values), 'text[]')).resolves.toEqual(values);
  });

  it('passes int8 elements exactly, across the 32-bit halves and to the ends of the safe integers', async () => {
    const values = [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, -(2 ** 32), 2 ** 32 + 1, 1_700_000_000_123, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];

    await expect(serverSees(int8Array(values), 'int8[]')).resolves.toEqual(values.map(String));
  });

  it('passes int4 elements exactly, to the ends of int4', async () => {
    const values = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31)];

    await expect(serverSees(int4Array(values), 'int4[]')).resolves.toEqual(values.map(String));
  });

  it('passes empty arrays', async () => {
    await expect(serverSees(textArray([]), 'text[]')).resolves.toEqual([]);
    await expect(serverSees(int8Array([]), 'int8[]')).resolves.toEqual([]);
    await expect(serverSees(int4Array([]), 'int4[]')).resolves.toEqual([]);
  });

  it('refuses numbers the column types cannot hold exactly, rather than sending something else', () => {
    expect(() => int8Array([1.5])).toThrow(RangeError);
    expect(() => int8Array([2 ** 53])).toThrow(RangeError);
    expect(() => int8Array([Number.NaN])).toThrow(RangeError);
    expect(() => int4Array([2 ** 31])).toThrow(RangeError);
    expect(() => int4Array([-(2 ** 31) - 1])).toThrow(RangeError);
    expect(() => int4Array([0.5])).toThrow(RangeError);
  });

  it('is refused by the server when cast to another element type', async () => {
    await expect(pool.query('SELECT $1::int8[]', [textArray(['1'])])).rejects.toThrow(/element type 25 \(text\) instead of expected 20/);
  });
});
