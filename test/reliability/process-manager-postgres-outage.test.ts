import * as E from 'fp-ts/Either';
import { Pool } from 'pg';
import { PostgresEventStore } from '../../src/adapters/event-store/postgres/postgres-event-store';
import { storeSchema } from '../../src/adapters/event-store/postgres/store-schema';
import { orderStreamId, paymentStreamId } from '../../src/engine/aggregates';
import { createEngine, OrderEngine } from '../../src/engine/order-engine';
import type { ProcessManagerFailure } from '../../src/engine/process-manager/process-manager';
import { checkOut, failuresSeen } from '../support/checkout-journey';
import { describeWithPostgres, dropSchema, postgresUrl, uniqueSchemaName } from '../support/postgres-server';

describeWithPostgres('the process manager over PostgreSQL when the server refuses its writes', () => {
  let admin: Pool;
  let schema: string;
  let store: PostgresEventStore;
  let engine: OrderEngine | undefined;

  beforeAll(() => {
    admin = new Pool({ connectionString: postgresUrl, max: 2 });
  });
  beforeEach(() => {
    schema = uniqueSchemaName('pm_outage');
    store = new PostgresEventStore(postgresUrl, { schema });
  });
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    await store.close();
    await dropSchema(admin, schema);
  });
  afterAll(async () => {
    await admin.end();
  });

  it('keeps trying to initiate the payment of a placed order until the server takes it, then carries the journey on', async () => {
    const failures: ProcessManagerFailure[] = [];
    engine = createEngine({ eventStore: store, processManagerRetry: { firstDelayMs: 5, maxDelayMs: 20 }, onProcessManagerFailure: (failure) => failures.push(failure) });
    // The store creates its tables on first use; the trigger below needs them.
    await store.headPosition();
    const quoted = storeSchema(schema).quotedName;
    // While the switch holds a row, the server refuses every event of a payment stream, as a full disk or a
    // failing-over server would: the append rolls back whole.
    await admin.query(`CREATE TABLE ${quoted}.refuse_payments (on_purpose boolean)`);
    await admin.query(`INSERT INTO ${quoted}.refuse_payments VALUES (true)`);
    await admin.query(`CREATE FUNCTION ${quoted}.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.stream_id LIKE 'payment-%' AND EXISTS (SELECT 1 FROM ${quoted}.refuse_payments) THEN RAISE EXCEPTION 'payments are refused'; END IF;
        RETURN NEW;
      END $$`);
    await admin.query(`CREATE TRIGGER refuse BEFORE INSERT ON ${quoted}.events FOR EACH ROW EXECUTE FUNCTION ${quoted}.refuse()`);

    await checkOut(engine);
    await failuresSeen(failures, 3);
    const [placed] = await store.readStream(orderStreamId('o0'));
    expect(failures.every((failure) => failure.eventId === placed!.eventId && failure.error.code === 'STORE_UNAVAILABLE' && failure.retryInMs !== undefined)).toBe(true);
    expect(engine.processManagerPosition).toBeLessThan(placed!.position);
    expect(await store.readStream(paymentStreamId('o0'))).toEqual([]);

    await admin.query(`DELETE FROM ${quoted}.refuse_payments`);
    await engine.settle();
    expect((await store.readStream(paymentStreamId('o0'))).map((event) => event.type)).toEqual(['PaymentInitiated']);
    const order = await engine.orderState('o0');
    expect(E.isRight(order) && order.right.state.status).toBe('awaiting-payment');
    expect(engine.processManagerPosition).toBe(await store.headPosition());
  });
});
