import * as E from 'fp-ts/Either';
import { Pool } from 'pg';
import { PostgresReadModelStore } from '../../src/adapters/read-model/postgres/postgres-read-model-store';
import { describeWithPostgres, scratchSchemaName } from '../support/postgres-read-model-database';
import { describeReadModelStoreContract } from '../../src/testing';

describeWithPostgres('PostgreSQL read-model store', (url) => {
  // One pool for every test, to spare a connection set-up per test; the stores do not own it.
  const pool = new Pool({ connectionString: url, max: 10 });
  pool.on('error', () => undefined);
  afterAll(() => pool.end());

  // Each test gets a schema of its own, created by the store's migration and dropped afterwards.
  describeReadModelStoreContract('PostgreSQL', async () => {
    const schema = scratchSchemaName();
    const opened = await PostgresReadModelStore.open({ connection: { pool }, schema });
    if (E.isLeft(opened)) throw new Error(opened.left.message);
    const store = opened.right;
    return {
      store,
      dispose: async () => {
        await store.close();
        await pool.query(`DROP SCHEMA "${schema}" CASCADE`);
      },
    };
  });
});
