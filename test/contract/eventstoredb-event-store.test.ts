import * as E from 'fp-ts/Either';
import { EventStoreDbEventStore } from '../../src/adapters/event-store/eventstoredb/eventstoredb-event-store';
import { startEventStoreDbProtocolServer, type EventStoreDbProtocolServer } from '../support/eventstoredb-protocol-server/protocol-server';
import { describeEventStoreContract } from './event-store-contract';

let server: EventStoreDbProtocolServer;
beforeAll(async () => {
  server = await startEventStoreDbProtocolServer();
});
afterAll(() => server.close());

const harness = (connectionString: string) => {
  const store = EventStoreDbEventStore.fromConnectionString(connectionString);
  if (E.isLeft(store)) throw new Error(store.left.message);
  return Promise.resolve({ store: store.right, dispose: () => store.right.close() });
};

describeEventStoreContract('EventStoreDB adapter (protocol test server)', () => harness(server.connectionString));
