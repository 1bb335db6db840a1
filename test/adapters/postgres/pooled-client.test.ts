import { EventEmitter } from 'node:events';
import type { Pool, PoolClient } from 'pg';
import { checkOutClient, giveBackClient } from '../../../src/adapters/postgres/pooled-client';

/**
 * A pool that hands a client out the way pg-pool does, then at once emits on it the 'error' of a backend
 * terminated in the same socket chunk: whatever listens at that moment is all that stands between the
 * failure and the end of the process.
 */
const poolFailingAtHandover = () => {
  const client = Object.assign(new EventEmitter(), { release: jest.fn() }) as unknown as PoolClient & EventEmitter;
  const seen: { listeners?: number } = {};
  const handOver = () => {
    seen.listeners = client.listenerCount('error');
  };
  const connect = (callback?: (error: Error | undefined, client: PoolClient | undefined) => void) => {
    if (callback === undefined) {
      const handedOut = Promise.resolve(client);
      handOver();
      return handedOut;
    }
    callback(undefined, client);
    handOver();
    return undefined;
  };
  return { pool: { connect } as unknown as Pool, client, seen };
};

describe('checkOutClient', () => {
  it('listens for a dying connection from the moment the pool hands the client out', async () => {
    const { pool, client, seen } = poolFailingAtHandover();
    expect(await checkOutClient(pool)).toBe(client);
    expect(seen.listeners).toBe(1);
    expect(() => client.emit('error', new Error('terminating connection due to administrator command'))).not.toThrow();
    giveBackClient(client, true);
    expect(client.listenerCount('error')).toBe(0);
    expect(client.release).toHaveBeenCalledWith(true);
  });

  it('rejects with the error of a pool that cannot connect', async () => {
    const pool = { connect: (callback: (error: Error) => void) => callback(new Error('ECONNREFUSED')) } as unknown as Pool;
    await expect(checkOutClient(pool)).rejects.toThrow('ECONNREFUSED');
  });
});
