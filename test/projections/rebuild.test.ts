import * as E from 'fp-ts/Either';
import { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import { orderHistoryProjection } from '../../src/projections/order-history/projection';
import { customerOrders } from '../../src/projections/order-history/queries';
import { buildAndActivate, retireVersion } from '../../src/projections/rebuild';
import { GatedReadModelStore } from '../support/gated-read-model-store';
import { expectLeft, expectRight } from '../support/run-projection';
import { Shop } from '../support/shop';

const v1 = orderHistoryProjection;
const v2 = { ...orderHistoryProjection, version: orderHistoryProjection.version + 1 };
const V1 = { projection: v1.name, version: v1.version };
const V2 = { projection: v2.name, version: v2.version };

const placeOrder = async (shop: Shop, orderId: string): Promise<void> => {
  await shop.openCart('alice', `cart-${orderId}`);
  await shop.add('alice', `cart-${orderId}`, 'tea', 6800);
  await shop.checkOut('alice', `cart-${orderId}`, orderId);
};

describe('rebuilding a projection beside the live one', () => {
  it('keeps serving the old version until the new one has caught up, then switches readers at once', async () => {
    const shop = new Shop();
    const memory = new MemoryReadModelStore();
    const readModels = new GatedReadModelStore(memory, V2);
    const aliceOrders = async (): Promise<string[]> => expectRight(await customerOrders(readModels, 'alice', { limit: 100 })).items.map((o) => o.orderId);

    await placeOrder(shop, 'o1');
    const live = expectRight(await buildAndActivate({ eventStore: shop.eventStore, readModels, projection: v1 }));
    expect(expectRight(await readModels.activeVersion('order-history'))).toBe(v1.version);

    // The new version builds from the first event, but cannot store anything until the gate opens.
    const rebuilding = buildAndActivate({ eventStore: shop.eventStore, readModels, projection: v2 });
    await placeOrder(shop, 'o2');
    expectRight(await live.whenCaughtUp());
    expect(await aliceOrders()).toEqual(['o2', 'o1']);
    expect(expectRight(await readModels.activeVersion('order-history'))).toBe(v1.version);
    expect(Object.values(memory.contents(V2)).flat()).toEqual([]);

    readModels.open();
    const rebuilt = expectRight(await rebuilding);
    expect(expectRight(await readModels.activeVersion('order-history'))).toBe(v2.version);
    expectRight(await live.whenCaughtUp());
    expect(memory.contents(V2)).toEqual(memory.contents(V1));

    // Readers now see only what the new version holds: an order the stopped old one never saw.
    await live.stop();
    await placeOrder(shop, 'o3');
    expectRight(await rebuilt.whenCaughtUp());
    expect(await aliceOrders()).toEqual(['o3', 'o2', 'o1']);
    expect((memory.contents(V1)['orders'] ?? []).map((d) => d.id)).toEqual(['o1', 'o2']);

    expect(expectLeft(await retireVersion(readModels, V2)).code).toBe('VERSION_IS_ACTIVE');
    expectRight(await retireVersion(readModels, V1));
    expect(memory.contents(V1)).toEqual({});
    expect(await aliceOrders()).toEqual(['o3', 'o2', 'o1']);
    await rebuilt.stop();
    await shop.engine.close();
  });

  it('leaves the active version alone when the new version cannot be built', async () => {
    const shop = new Shop();
    const readModels = new MemoryReadModelStore();
    await placeOrder(shop, 'o1');
    const live = expectRight(await buildAndActivate({ eventStore: shop.eventStore, readModels, projection: v1 }));
    const broken = { ...v2, apply: () => Promise.resolve(E.left({ code: 'BROKEN', message: 'this version has a bug' })) };
    const failure = expectLeft(await buildAndActivate({ eventStore: shop.eventStore, readModels, projection: broken }));
    expect(failure).toMatchObject({ code: 'PROJECTION_EVENT_FAILED', version: v2.version, reason: { code: 'BROKEN' } });
    expect(expectRight(await readModels.activeVersion('order-history'))).toBe(v1.version);
    expect(expectRight(await customerOrders(readModels, 'alice')).items.map((o) => o.orderId)).toEqual(['o1']);
    await live.stop();
    await shop.engine.close();
  });

  it('does not switch readers to a version another rebuild dropped and started again meanwhile', async () => {
    const shop = new Shop();
    await placeOrder(shop, 'o1');
    await placeOrder(shop, 'o2');
    const memory = new MemoryReadModelStore();
    let rebuiltMeanwhile = false;
    // The other rebuild drops the version and prepares it again just as this one looks at the active version.
    const readModels = Object.assign(Object.create(memory) as MemoryReadModelStore, {
      activeVersion: async (projection: string) => {
        if (!rebuiltMeanwhile) {
          rebuiltMeanwhile = true;
          expectRight(await memory.drop(V1));
          expectRight(await memory.prepare(V1, v1.collections));
        }
        return memory.activeVersion(projection);
      },
    });
    const failure = expectLeft(await buildAndActivate({ eventStore: shop.eventStore, readModels, projection: v1 }));
    expect(failure).toMatchObject({ code: 'ACTIVATION_FAILED', error: { code: 'CHECKPOINT_MOVED', actual: undefined } });
    expect(expectRight(await memory.activeVersion('order-history'))).toBeUndefined();
    await shop.engine.close();
  });
});
