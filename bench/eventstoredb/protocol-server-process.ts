/**
 * The EventStoreDB protocol test server in a process of its own, forked by `protocol-server-child.ts`: it
 * tells its parent the connection string, then serves until the parent disconnects. Apart, the server's
 * work stays out of the measuring process's CPU time, so that figure is the client side's alone, and the
 * two share no event loop, as a client and a real node do not.
 */
import { startEventStoreDbProtocolServer } from '../../test/support/eventstoredb-protocol-server/protocol-server';

export interface ServerReady {
  readonly connectionString: string;
}

const main = async (): Promise<void> => {
  const server = await startEventStoreDbProtocolServer();
  process.once('disconnect', () => {
    void server.close().then(() => process.exit(0));
  });
  const ready: ServerReady = { connectionString: server.connectionString };
  process.send?.(ready);
};

main().catch((error: unknown) => {
  process.stderr.write(`the EventStoreDB protocol test server did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
