import { Pool } from 'pg';
import { PostgresEventStore, PostgresEventStoreOptions } from '../../src/adapters/event-store/postgres/postgres-event-store';
import { describeWithPostgres, dropSchema, postgresUrl, uniqueSchemaName } from '../support/postgres-server';
import { describeEventStoreContract, EventStoreHarness } from '../../src/testing';

describeWithPostgres('PostgreSQL event store', () => {
  let admin: Pool;
  beforeAll(() => {
    admin = new Pool({ connectionString: postgresUrl, max: 2 });
  });
  afterAll(async () => {
    await admin.end();
  });

  /** Each test gets its own schema, dropped afterwards, so tests and runs never see each other's events. */
  const harness =
    (connection: () => Pool | string, options: PostgresEventStoreOptions) =>
    (): Promise<EventStoreHarness> => {
      const schema = uniqueSchemaName('contract');
      const store = new PostgresEventStore(connection(), { ...options, schema });
      return Promise.resolve({
        store,
        dispose: async () => {
          await store.close();
          await dropSchema(admin, schema);
        },
      });
    };

  describeEventStoreContract('postgres, pool given', harness(() => admin, {}));
  describeEventStoreContract('postgres, connection string, group commit', harness(() => postgresUrl, { groupCommit: true }));
});
