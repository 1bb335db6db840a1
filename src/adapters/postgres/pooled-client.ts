import type { Pool, PoolClient } from 'pg';

/** The same failure rejects the client's next query (or the one in flight), where it is handled. */
const ignoreConnectionError = (): void => undefined;

/**
 * A client checked out of `pool` that a dying connection cannot crash the process with. pg emits 'error' on
 * a checked-out client whose connection fails between its queries (a backend terminated, a socket reset,
 * even during a query); the pool listens only to idle clients, and an 'error' nobody hears ends the process.
 */
export const checkOutClient = (pool: Pool): Promise<PoolClient> =>
  new Promise((resolve, reject) => {
    // The callback, not the promise: the pool calls it as it hands the client out, so the listener is on
    // before anything else can happen. After an `await`, a backend's FATAL read in the same socket chunk as
    // its ReadyForQuery was emitted first, on a client nobody listened to.
    pool.connect((error, client) => {
      if (client === undefined) {
        reject(error ?? new Error('the pool gave no client'));
        return;
      }
      client.on('error', ignoreConnectionError);
      resolve(client);
    });
  });

/** Gives a client from `checkOutClient` back, or destroys it (`broken`) if its connection cannot be trusted. */
export const giveBackClient = (client: PoolClient, broken: boolean): void => {
  client.removeListener('error', ignoreConnectionError);
  client.release(broken);
};
