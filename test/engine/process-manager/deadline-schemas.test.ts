import { MemoryEventStore } from '../../../src/adapters/event-store/memory/memory-event-store';
import { createEngine } from '../../../src/engine/order-engine';
import { deadlineStreamId } from '../../../src/engine/process-manager/deadline-events';
import type { ProcessManagerFailure } from '../../../src/engine/process-manager/process-manager';
import { paymentExpiryDeadlineId } from '../../../src/engine/process-manager/reactions';
import { eventSchemaDefinitions } from '../../../src/engine/schema/current-event-schemas';
import { eventSchemas } from '../../../src/engine/schema/event-schemas';
import { checkOut } from '../../support/checkout-journey';

describe('deadline events under a host’s event schemas', () => {
  it('are written at their current version and read through the upcasters, as every other event is', async () => {
    // The host's older system wrote DeadlineScheduled v1 with `due`; version 2 is the engine's shape, `dueAt`.
    const schemas = eventSchemas({
      ...eventSchemaDefinitions,
      DeadlineScheduled: {
        version: 2,
        upcasters: {
          1: (data) => {
            const { due, ...rest } = data as { readonly due: number };
            return { ...rest, dueAt: due };
          },
        },
      },
    });
    const store = new MemoryEventStore();
    const legacy = { deadlineId: 'legacy-1', due: 0, command: { type: 'ExpireUnpaidOrder', data: { orderId: 'o-legacy' } } };
    const written = { eventId: 'legacy-1', type: 'DeadlineScheduled', schemaVersion: 1, data: legacy, occurredAt: 0, recordedAt: 0, commandId: 'legacy', correlationId: 'legacy', causationId: 'legacy', actor: 'legacy' };
    await store.append(deadlineStreamId('legacy-1'), [written], 'no-stream');
    const failures: ProcessManagerFailure[] = [];
    const engine = createEngine({ eventStore: store, eventSchemas: schemas, onProcessManagerFailure: (failure) => failures.push(failure) });
    await checkOut(engine);
    await engine.settle();

    const [scheduled] = await store.readStream(deadlineStreamId(paymentExpiryDeadlineId('o0')));
    expect(scheduled).toMatchObject({ type: 'DeadlineScheduled', schemaVersion: 2, data: { dueAt: expect.any(Number) } });
    const fired = await engine.runDueDeadlines(Number.MAX_SAFE_INTEGER);
    expect(fired.map((deadline) => deadline.deadlineId).sort()).toEqual(['legacy-1', paymentExpiryDeadlineId('o0')]);
    expect(failures).toEqual([]);
    await engine.close();
  });
});
