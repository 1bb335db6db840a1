import * as E from 'fp-ts/Either';
import type { Pool, PoolClient } from 'pg';
import { checkOutClient, giveBackClient } from '../../postgres/pooled-client';

/**
 * Runs `work` in one transaction on one pooled connection: COMMIT when it returns a right, ROLLBACK when it
 * returns a left or throws (a thrown error is re-thrown). A connection that cannot even roll back (the server
 * killed it, the network dropped) is destroyed instead of going back to the pool. `begin` may set the
 * transaction up in the same round trip (`BEGIN; SET LOCAL …`).
 */
export const withTransaction = async <L, A>(
  pool: Pool,
  work: (client: PoolClient) => Promise<E.Either<L, A>>,
  begin = 'BEGIN',
): Promise<E.Either<L, A>> => {
  const client = await checkOutClient(pool);
  let broken = false;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query(E.isRight(result) ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw error;
  } finally {
    giveBackClient(client, broken);
  }
};
