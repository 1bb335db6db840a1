import * as E from 'fp-ts/Either';
import { EventStoreDbEventStore } from '../../src/adapters/event-store/eventstoredb/eventstoredb-event-store';
import { EventStoreDbProtocolServer, startEventStoreDbProtocolServer } from '../support/eventstoredb-protocol-server/protocol-server';
import { proposedEvents } from '../../src/testing/contract/proposed-events';
import { runBin } from './cli-fixtures';

/**
 * The real executable reading `esdb://` — from the in-process EventStoreDB protocol test server, not a real
 * EventStoreDB (none can run here): what it shows is that the CLI opens the adapter on the URL and reads
 * through it.
 */
describe('the ordersource executable over esdb:// (protocol test server)', () => {
  let server: EventStoreDbProtocolServer;

  beforeAll(async () => {
    server = await startEventStoreDbProtocolServer();
    const store = EventStoreDbEventStore.fromConnectionString(server.connectionString);
    if (E.isLeft(store)) throw new Error(store.left.message);
    expect(E.isRight(await store.right.append('order-1', proposedEvents(3), 'no-stream'))).toBe(true);
    expect(E.isRight(await store.right.append('cart-1', proposedEvents(2), 'no-stream'))).toBe(true);
    await store.right.close();
  });

  afterAll(async () => {
    await server.close();
  });

  it(`verifies the server's streams through --source esdb://127.0.0.1:<port>?tls=false`, async () => {
    expect(server.connectionString).toBe(`esdb://127.0.0.1:${server.port}?tls=false`);
    const result = await runBin(['verify', '--json', '--source', server.connectionString], { cwd: __dirname });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      eventCount: 5,
      streams: expect.arrayContaining([expect.objectContaining({ streamId: 'order-1', status: 'ok', headRevision: 2 }), expect.objectContaining({ streamId: 'cart-1', status: 'ok', headRevision: 1 })]),
    });
  }, 120_000);

  it('rebuilds a projection from the server, though every event there is one the projection skips', async () => {
    // The catch-up ends on events logistics does not read: the rebuild is done once the server says so.
    const result = await runBin(['rebuild', 'logistics', '--json', '--source', server.connectionString], { cwd: __dirname });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({ projection: 'logistics', eventsRead: 0 });
  }, 120_000);

  it('refuses a URL that is not an EventStoreDB connection string, exit 2', async () => {
    const result = await runBin(['verify', '--source', 'esdb://'], { cwd: __dirname });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ordersource: the source esdb:\/\/ is not an EventStoreDB connection string: [^\n]+\n$/);
  }, 120_000);
});
