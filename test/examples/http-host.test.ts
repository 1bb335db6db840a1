import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import http from 'node:http';
import { Pool } from 'pg';
import { commandRoutes } from '../../examples/http-host/command-routes';
import { buildServer, Host, HostOptions } from '../../examples/http-host/server';
import { manualClock } from '../../src';
import { EventStoreDbEventStore } from '../../src/adapters/event-store/eventstoredb/eventstoredb-event-store';
import { EventStoreDbProtocolServer, startEventStoreDbProtocolServer } from '../support/eventstoredb-protocol-server/protocol-server';
import { describeWithPostgres, dropSchema, postgresUrl, uniqueSchemaName } from '../support/postgres-server';

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

const ADDRESS = { recipient: 'Alice Chen', phone: '+86 138 0000 0000', line1: '88 Century Avenue', city: 'Shanghai', postalCode: '200120', country: 'CN' };
const cny = (amount: number) => ({ amount, currency: 'CNY' });

/** Talks to the host over real HTTP, the way any client would. */
class Client {
  private keys = 0;

  constructor(readonly baseUrl: string) {}

  async raw(method: string, path: string, init: { readonly body?: string; readonly headers?: Record<string, string> } = {}): Promise<Reply> {
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers: init.headers ?? {}, ...(init.body === undefined ? {} : { body: init.body }) });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: response.headers };
  }

  /** A command with a fresh Idempotency-Key unless one is given. */
  command(method: string, path: string, actor: string, body?: unknown, key = `key-${++this.keys}`): Promise<Reply> {
    const headers: Record<string, string> = { 'idempotency-key': key, 'x-actor': actor };
    if (body === undefined) return this.raw(method, path, { headers });
    return this.raw(method, path, { headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  async ok(method: string, path: string, actor: string, body?: unknown): Promise<Reply> {
    const reply = await this.command(method, path, actor, body);
    if (reply.status !== 200) throw new Error(`${method} ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply;
  }

  get(path: string): Promise<Reply> {
    return this.raw('GET', path);
  }
}

const started = async (eventStoreUrl: string, options: HostOptions = {}): Promise<{ host: Host; client: Client }> => {
  const built = await buildServer({ ...options, eventStoreUrl });
  if (E.isLeft(built)) throw new Error(built.left);
  const host = built.right;
  return { host, client: new Client(await host.listen(0)) };
};

const caughtUp = async (host: Host): Promise<void> => {
  await host.engine.settle();
  for (const projection of [host.projections.orderHistory, host.projections.logistics]) {
    const done = await projection.whenCaughtUp();
    if (E.isLeft(done)) throw new Error(done.left.message);
  }
};

const errorCode = (reply: Reply): unknown => (reply.body as { error?: { code?: unknown } } | undefined)?.error?.code;

/** Alice's orders as the order-history query lists them, newest first: [order id, status]. */
const aliceOrders = async (client: Client): Promise<string[][]> =>
  ((await client.get('/customers/alice/orders')).body as { items: { orderId: string; status: string }[] }).items.map((o) => [o.orderId, o.status]);

/** Two carts and orders of Alice: the first paid and shipped, the second left awaiting payment. */
const shopOverHttp = async (host: Host, client: Client, prefix: string): Promise<{ paid: string; unpaid: string; cart: string }> => {
  const cart = `${prefix}-cart`;
  const paid = `${prefix}-order-1`;
  const unpaid = `${prefix}-order-2`;
  await client.ok('POST', '/carts', 'alice', { cartId: cart, customerId: 'alice', currency: 'CNY' });
  await client.ok('POST', `/carts/${cart}/items`, 'alice', { sku: 'tea', name: 'Oolong tea', category: 'tea', unitPrice: cny(6800), quantity: 2 });
  await client.ok('POST', `/carts/${cart}/items`, 'alice', { sku: 'cup', name: 'Celadon cup', category: 'tableware', unitPrice: cny(4500), quantity: 1 });
  await client.ok('POST', `/carts/${cart}/items`, 'alice', { sku: 'kettle', name: 'Iron kettle', category: 'tableware', unitPrice: cny(32000), quantity: 1 });
  await client.ok('POST', `/carts/${cart}/items`, 'alice', { sku: 'spoon', name: 'Tea spoon', category: 'tableware', unitPrice: cny(1200), quantity: 1 });
  await client.ok('PUT', `/carts/${cart}/items/tea/quantity`, 'alice', { quantity: 3 });
  await client.ok('DELETE', `/carts/${cart}/items/spoon`, 'alice');
  await client.ok('POST', `/carts/${cart}/deselected-items`, 'alice', { skus: ['kettle'] });
  await client.ok('PUT', `/carts/${cart}/coupon`, 'alice', { coupon: { code: 'WELCOME5', kind: 'fixed', amountOff: 500, minimumSpend: 0 } });
  await client.ok('DELETE', `/carts/${cart}/coupon`, 'alice');
  await client.ok('PUT', `/carts/${cart}/coupon`, 'alice', { coupon: { code: 'TEA20', kind: 'fixed', amountOff: 2000, minimumSpend: 15000 } });
  await client.ok('POST', `/carts/${cart}/checkout`, 'alice', { orderId: paid, shippingAddress: ADDRESS, paymentMethod: 'alipay', pointsToRedeem: 0 });
  await caughtUp(host);

  const placed = await client.get(`/customers/alice/orders/${paid}`);
  expect(placed.status).toBe(200);
  const total = (placed.body as { amounts: { total: number } }).amounts.total;
  expect(total).toBe(3 * 6800 + 4500 - 2000);
  await client.ok('POST', `/payments/${paid}/provider-callbacks`, 'payment-gateway', { providerTransactionId: `${prefix}-tx-1`, amount: cny(total), status: 'succeeded' });
  await caughtUp(host);
  const awaiting = await client.get('/logistics/awaiting-shipment');
  expect(awaiting.status).toBe(200);
  expect((awaiting.body as { items: { orderId: string }[] }).items.map((o) => o.orderId)).toContain(paid);

  await client.ok('POST', `/orders/${paid}/shipment`, 'warehouse', { carrier: 'SF-Express', trackingNumber: `${prefix}-SF1` });
  await client.ok('POST', `/orders/${paid}/tracking-updates`, 'carrier-feed', { status: 'in-transit', description: 'Left Hangzhou sorting centre', location: 'Hangzhou' });
  await client.ok('POST', `/orders/${paid}/notes`, 'service-desk', { text: 'Customer asked for a gift wrap' });

  await client.ok('POST', `/carts/${cart}/selected-items`, 'alice', { skus: ['kettle'] });
  await client.ok('POST', `/carts/${cart}/checkout`, 'alice', { orderId: unpaid, shippingAddress: ADDRESS, paymentMethod: 'alipay', pointsToRedeem: 0 });
  await caughtUp(host);
  return { paid, unpaid, cart };
};

describe('the HTTP host shutting down', () => {
  it('lets a request in flight finish, and closes its keep-alive connection, rather than wait for the client to', async () => {
    const { host, client } = await started('memory:');
    const url = new URL(client.baseUrl);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const body = JSON.stringify({ cartId: 'closing', customerId: 'alice', currency: 'CNY' });
    let sendRest: () => void = () => undefined;
    const answered = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
      const request = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: '/carts',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'idempotency-key': 'k-closing', 'x-actor': 'alice' },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
        },
      );
      request.on('error', reject);
      // Half the body now, the rest once the shutdown has begun: the request is in flight as it starts.
      request.write(body.slice(0, 5));
      sendRest = () => request.end(body.slice(5));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = host.close();
    sendRest();
    expect(await answered).toEqual({ status: 200, connection: 'close' });
    // Fastify's keep-alive timeout is 72 s: a shutdown that waited for the client would outlast this test.
    await closed;
    agent.destroy();
  }, 20_000);
});

describe('the HTTP host over an in-memory store', () => {
  let host: Host;
  let client: Client;
  let orders: { paid: string; unpaid: string; cart: string };

  beforeAll(async () => {
    ({ host, client } = await started('memory:'));
    orders = await shopOverHttp(host, client, 'mem');
  });
  afterAll(() => host.close());

  it("answers a customer's order history newest first, a page at a time", async () => {
    const first = await client.get('/customers/alice/orders?limit=1');
    expect(first.status).toBe(200);
    const firstPage = first.body as { items: { orderId: string; status: string }[]; next?: string };
    expect(firstPage.items).toEqual([expect.objectContaining({ orderId: orders.unpaid, status: 'awaiting-payment', total: 32000 })]);
    expect(firstPage.next).toEqual(expect.any(String));
    const second = await client.get(`/customers/alice/orders?limit=1&after=${encodeURIComponent(firstPage.next ?? '')}`);
    const secondPage = second.body as { items: { orderId: string }[]; next?: string };
    expect(secondPage.items).toEqual([expect.objectContaining({ orderId: orders.paid, status: 'shipped', total: 22900, paid: 22900 })]);
    expect(secondPage.next).toBeUndefined();
  });

  it("answers one order's detail with its timeline", async () => {
    const detail = await client.get(`/customers/alice/orders/${orders.paid}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      orderId: orders.paid,
      status: 'shipped',
      lines: [expect.objectContaining({ sku: 'tea', quantity: 3 }), expect.objectContaining({ sku: 'cup', quantity: 1 })],
      shipment: expect.objectContaining({ carrier: 'SF-Express', trackingNumber: 'mem-SF1' }),
    });
    const types = (detail.body as { timeline: { type: string }[] }).timeline.map((item) => item.type);
    expect(types).toEqual(expect.arrayContaining(['OrderPlaced', 'OrderPaid', 'OrderShipped', 'OrderTrackingUpdated']));
  });

  it('answers the logistics views: a shipment with its history, carriers in transit, nothing left awaiting shipment', async () => {
    const shipment = await client.get(`/orders/${orders.paid}/shipment`);
    expect(shipment.status).toBe(200);
    expect(shipment.body).toMatchObject({ orderId: orders.paid, carrier: 'SF-Express', status: 'in-transit' });
    expect((shipment.body as { history: { status: string }[] }).history.map((step) => step.status)).toContain('in-transit');
    expect((await client.get('/logistics/in-transit')).body).toEqual({ carriers: [{ carrier: 'SF-Express', inTransit: 1 }] });
    const awaiting = (await client.get('/logistics/awaiting-shipment')).body as { items: { orderId: string }[] };
    expect(awaiting.items.map((o) => o.orderId)).not.toContain(orders.paid);
  });

  describe('refusals', () => {
    it('400 for a command without Idempotency-Key or X-Actor', async () => {
      const body = JSON.stringify({ cartId: 'c-x', customerId: 'x', currency: 'CNY' });
      const noKey = await client.raw('POST', '/carts', { headers: { 'content-type': 'application/json', 'x-actor': 'x' }, body });
      expect([noKey.status, errorCode(noKey)]).toEqual([400, 'IDEMPOTENCY_KEY_REQUIRED']);
      const noActor = await client.raw('POST', '/carts', { headers: { 'content-type': 'application/json', 'idempotency-key': 'k-no-actor' }, body });
      expect([noActor.status, errorCode(noActor)]).toEqual([400, 'ACTOR_REQUIRED']);
    });

    it('400 for data of the wrong shape, a body that is not an object, and malformed JSON', async () => {
      const wrongType = await client.command('PUT', `/carts/${orders.cart}/items/kettle/quantity`, 'alice', { quantity: 'three' });
      expect([wrongType.status, errorCode(wrongType)]).toEqual([400, 'INVALID_COMMAND']);
      const array = await client.command('POST', '/carts', 'alice', [1, 2]);
      expect([array.status, errorCode(array)]).toEqual([400, 'BODY_NOT_AN_OBJECT']);
      const none = await client.raw('POST', '/carts', { headers: { 'content-type': 'application/json', 'idempotency-key': 'k-null', 'x-actor': 'a' }, body: 'null' });
      expect([none.status, errorCode(none)]).toEqual([400, 'BODY_NOT_AN_OBJECT']);
      const malformed = await client.raw('POST', '/carts', { headers: { 'content-type': 'application/json', 'idempotency-key': 'k-bad', 'x-actor': 'a' }, body: '{"cartId": ' });
      expect([malformed.status, errorCode(malformed)]).toEqual([400, 'BODY_NOT_JSON']);
      const empty = await client.raw('POST', '/carts', { headers: { 'content-type': 'application/json', 'idempotency-key': 'k-empty', 'x-actor': 'a' }, body: '' });
      expect([empty.status, errorCode(empty)]).toEqual([400, 'BODY_EMPTY']);
      const xml = await client.raw('POST', '/carts', { headers: { 'content-type': 'application/xml', 'idempotency-key': 'k-xml', 'x-actor': 'a' }, body: '<cart/>' });
      expect([xml.status, errorCode(xml)]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    });

    it('400 for a page size or cursor that is not one', async () => {
      expect((await client.get('/customers/alice/orders?limit=ten')).status).toBe(400);
      expect((await client.get('/customers/alice/orders?limit=0')).status).toBe(400);
      expect((await client.get('/customers/alice/orders?after=not-a-cursor')).status).toBe(400);
    });

    it('404 for a payment, order or cart line that does not exist, and for unknown routes', async () => {
      const payment = await client.command('POST', '/payments/nope/provider-callbacks', 'payment-gateway', { providerTransactionId: 'tx-x', amount: cny(100), status: 'succeeded' });
      expect([payment.status, errorCode(payment)]).toEqual([404, 'PAYMENT_NOT_FOUND']);
      const order = await client.command('POST', '/orders/nope/shipment', 'warehouse', { carrier: 'SF-Express', trackingNumber: 'X' });
      expect([order.status, errorCode(order)]).toEqual([404, 'ORDER_NOT_FOUND']);
      const line = await client.command('PUT', `/carts/${orders.cart}/items/no-such-sku/quantity`, 'alice', { quantity: 2 });
      expect([line.status, errorCode(line)]).toEqual([404, 'LINE_NOT_FOUND']);
      expect((await client.get(`/customers/bob/orders/${orders.paid}`)).status).toBe(404);
      expect((await client.get('/orders/nope/shipment')).status).toBe(404);
      expect((await client.command('POST', '/no/such/route', 'a', { any: 'thing' })).status).toBe(404);
    });

    it('takes ids in paths as long as the engine allows: 128 characters, percent-encoded', async () => {
      const longest = 'é'.repeat(128);
      const shipment = await client.command('POST', `/orders/${encodeURIComponent(longest)}/shipment`, 'warehouse', { carrier: 'SF-Express', trackingNumber: 'X' });
      expect([shipment.status, errorCode(shipment)]).toEqual([404, 'ORDER_NOT_FOUND']);
    });

    it('400 in the error shape of every other answer for a path whose percent-encoding is broken', async () => {
      const broken = await client.command('POST', '/orders/%zz/shipment', 'warehouse', { carrier: 'SF-Express', trackingNumber: 'X' });
      expect([broken.status, errorCode(broken)]).toEqual([400, 'BAD_URL']);
    });

    it('409 for a command the current state refuses, and for a key reused with another command', async () => {
      const shipAgain = await client.command('POST', `/orders/${orders.paid}/shipment`, 'warehouse', { carrier: 'SF-Express', trackingNumber: 'mem-SF2' });
      expect(shipAgain.status).toBe(409);
      expect((shipAgain.body as { error: { kind: string } }).error.kind).toBe('rejected');
      const deliverUnpaid = await client.command('POST', `/orders/${orders.unpaid}/delivery`, 'carrier-feed');
      expect([deliverUnpaid.status, errorCode(deliverUnpaid)]).toEqual([409, 'INVALID_ORDER_STATUS']);
      await client.ok('POST', `/orders/${orders.unpaid}/notes`, 'service-desk', { text: 'first' });
      const reused = await client.command('POST', `/orders/${orders.unpaid}/notes`, 'service-desk', { text: 'second' }, 'key-reused');
      const again = await client.command('POST', `/orders/${orders.unpaid}/notes`, 'service-desk', { text: 'third' }, 'key-reused');
      expect(reused.status).toBe(200);
      expect([again.status, errorCode(again)]).toEqual([409, 'COMMAND_ID_CONFLICT']);
    });
  });

  it('answers a repeated Idempotency-Key with the same response, and acts once', async () => {
    const body = { reason: 'Changed my mind' };
    const first = await client.command('POST', `/orders/${orders.unpaid}/cancellation`, 'alice', body, 'cancel-once');
    const second = await client.command('POST', `/orders/${orders.unpaid}/cancellation`, 'alice', body, 'cancel-once');
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const refused = await client.command('POST', `/orders/${orders.unpaid}/cancellation`, 'alice', body, 'cancel-twice');
    const refusedAgain = await client.command('POST', `/orders/${orders.unpaid}/cancellation`, 'alice', body, 'cancel-twice');
    expect(refused.status).toBe(409);
    expect([refusedAgain.status, refusedAgain.body]).toEqual([refused.status, refused.body]);
  });

  it('never answers 500 to whatever body a client sends to any command route', async () => {
    const routes = [
      ...commandRoutes.map((route) => ({ method: route.method, path: route.url.replace(/:(\w+)/g, (_match, name: string) => `fuzz-${name}`) })),
      { method: 'POST', path: '/no/such/route' },
    ];
    let key = 0;
    const anyBody = fc.oneof(
      fc.anything().map((value) => JSON.stringify(value)),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), anyBody, fc.boolean(), async (route, body, json) => {
        // A fresh key each time, so that every body is judged on its own rather than as a reused key.
        const identity = { 'idempotency-key': `fuzz-${++key}`, 'x-actor': 'fuzzer' };
        const headers = { ...identity, 'content-type': json ? 'application/json' : 'text/plain' };
        const reply = await client.raw(route.method, route.path, body === undefined ? { headers: identity } : { headers, body });
        expect(reply.status).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });
});

describe("the HTTP host's deadline timer", () => {
  const clock = manualClock(Date.parse('2026-11-25T09:00:00Z'));
  let host: Host;
  let client: Client;

  beforeAll(async () => {
    ({ host, client } = await started('memory:', { clock: clock.now, deadlineIntervalMs: 10 }));
  });
  afterAll(() => host.close());

  it('expires an order left unpaid past its payment window, with no request asking for it', async () => {
    await client.ok('POST', '/carts', 'bob', { cartId: 'bob-cart', customerId: 'bob', currency: 'CNY' });
    await client.ok('POST', '/carts/bob-cart/items', 'bob', { sku: 'kettle', name: 'Iron kettle', category: 'tableware', unitPrice: cny(32000), quantity: 1 });
    await client.ok('POST', '/carts/bob-cart/checkout', 'bob', { orderId: 'bob-order', shippingAddress: ADDRESS, paymentMethod: 'alipay', pointsToRedeem: 0 });
    await caughtUp(host);
    const statusOf = async (): Promise<unknown> => ((await client.get('/customers/bob/orders/bob-order')).body as { status?: unknown }).status;
    expect(await statusOf()).toBe('awaiting-payment');
    clock.advance(31 * 60 * 1000);
    // Only the host's timer fires deadlines: wait for its effect (jest's timeout bounds the wait).
    while ((await statusOf()) !== 'expired') {
      await new Promise((resolve) => setTimeout(resolve, 20));
      await caughtUp(host);
    }
    expect(await statusOf()).toBe('expired');
  });
});

describeWithPostgres('the HTTP host over PostgreSQL', () => {
  const schema = uniqueSchemaName('http_host');
  let host: Host;
  let client: Client;

  beforeAll(async () => {
    const url = new URL(postgresUrl);
    url.searchParams.set('schema', schema);
    ({ host, client } = await started(url.toString()));
  });
  afterAll(async () => {
    await host.close();
    const pool = new Pool({ connectionString: postgresUrl });
    await dropSchema(pool, schema);
    await pool.end();
  });

  it('runs the same journey with its events in PostgreSQL', async () => {
    const orders = await shopOverHttp(host, client, 'pg');
    expect(await aliceOrders(client)).toEqual([
      [orders.unpaid, 'awaiting-payment'],
      [orders.paid, 'shipped'],
    ]);
    const pool = new Pool({ connectionString: postgresUrl });
    try {
      const stored = await pool.query(`SELECT count(*)::int AS n FROM "${schema}".events`);
      expect((stored.rows[0] as { n: number }).n).toBeGreaterThan(10);
    } finally {
      await pool.end();
    }
  });

  it('starts again over the same store, its read models rebuilt from the events there', async () => {
    await host.close();
    const url = new URL(postgresUrl);
    url.searchParams.set('schema', schema);
    ({ host, client } = await started(url.toString()));
    expect(await aliceOrders(client)).toEqual([
      ['pg-order-2', 'awaiting-payment'],
      ['pg-order-1', 'shipped'],
    ]);
  });
});

/**
 * `esdb://` opens the EventStoreDB adapter, here on the in-process protocol test server (no real EventStoreDB
 * can run on this machine): what it shows is that the host runs the journey through that adapter.
 */
describe('the HTTP host over esdb:// (protocol test server)', () => {
  let server: EventStoreDbProtocolServer;
  let host: Host;
  let client: Client;

  beforeAll(async () => {
    server = await startEventStoreDbProtocolServer();
    ({ host, client } = await started(server.connectionString));
  });
  afterAll(async () => {
    await host.close();
    await server.close();
  });

  it('runs the same journey with its events on the server', async () => {
    const orders = await shopOverHttp(host, client, 'esdb');
    expect(await aliceOrders(client)).toEqual([
      [orders.unpaid, 'awaiting-payment'],
      [orders.paid, 'shipped'],
    ]);
    const stored = EventStoreDbEventStore.fromConnectionString(server.connectionString);
    if (E.isLeft(stored)) throw new Error(stored.left.message);
    try {
      expect((await stored.right.readStream(`order-${orders.paid}`)).map((event) => event.type)).toContain('OrderShipped');
    } finally {
      await stored.right.close();
    }
  });

  it('starts again over the same store, its read models rebuilt from the events there', async () => {
    await host.close();
    // The store ends with events the projections skip (the unpaid order's payment deadline), which an
    // EventStoreDB subscription passes over without saying how far it got.
    ({ host, client } = await started(server.connectionString));
    expect(await aliceOrders(client)).toEqual([
      ['esdb-order-2', 'awaiting-payment'],
      ['esdb-order-1', 'shipped'],
    ]);
  });
});
