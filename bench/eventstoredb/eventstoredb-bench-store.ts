import { EventStoreDBClient } from '@eventstore/db-client';
import { EventStoreDbEventStore } from '../../src/adapters/event-store/eventstoredb/eventstoredb-event-store';
import type { EventStore } from '../../src/engine/event-store/event-store';
import { startProtocolServerChild } from './protocol-server-child';

/** A client connected to a protocol test server that nothing else uses. */
export interface TestServerConnection {
  readonly client: EventStoreDBClient;
  /** Disposes the client, then ends the server. */
  readonly stop: () => Promise<void>;
}

/** Starts a fresh, empty protocol test server in a child process and connects a client to it. */
export const connectToFreshProtocolServer = async (): Promise<TestServerConnection> => {
  const server = await startProtocolServerChild();
  const client = EventStoreDBClient.connectionString(server.connectionString);
  return {
    client,
    stop: async () => {
      await client.dispose();
      await server.stop();
    },
  };
};

/** The adapter over a connection of its own: closing the store ends the connection and its server. */
class EventStoreDbStoreOnTestServer extends EventStoreDbEventStore {
  constructor(private readonly connection: TestServerConnection) {
    super(connection.client);
  }

  override async close(): Promise<void> {
    await super.close();
    await this.connection.stop();
  }
}

/** The EventStoreDB adapter, with its default options, on a fresh protocol test server: one run's store. */
export const openEventStoreDbOnTestServer = async (): Promise<EventStore> => new EventStoreDbStoreOnTestServer(await connectToFreshProtocolServer());
