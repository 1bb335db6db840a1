import * as E from 'fp-ts/Either';
import type { HostCommand } from '../../src/engine/aggregates';
import { manualClock } from '../../src/engine/clock';
import { sequentialIds } from '../../src/engine/ids';
import { CommandOutcome, createEngine, EngineOptions, OrderEngine } from '../../src/engine/order-engine';
import { address, cny } from './fixtures';

export const START = Date.UTC(2026, 10, 25, 9);

/** An engine on a manual clock with deterministic ids, and a `send` that numbers command ids. */
/** Each driver's ids under a seed of its own: drivers that share a store (a restarted host) must not repeat event ids. */
let drivers = 0;

export const engineDriver = (options: EngineOptions = {}) => {
  const clock = manualClock(START);
  drivers += 1;
  const engine: OrderEngine = createEngine({ clock: clock.now, newId: sequentialIds(drivers), ...options });
  let counter = 0;
  const send = async (command: HostCommand, actor = 'alice', commandId?: string): Promise<CommandOutcome> => {
    counter += 1;
    return engine.execute({ commandId: commandId ?? `cmd-${counter}`, actor, command });
  };
  const accept = async (command: HostCommand, actor = 'alice'): Promise<void> => {
    const outcome = await send(command, actor);
    if (E.isLeft(outcome)) throw new Error(`${command.type} refused: ${outcome.left.code} ${outcome.left.message}`);
    await engine.settle();
  };
  return { engine, clock, send, accept };
};

/** Opens a cart with 2 × tea (50.00) and 1 × cup (30.00) and checks it out as `orderId`: 130.00 due. */
export const checkedOutOrder = async (driver: ReturnType<typeof engineDriver>, orderId = 'o1', cartId = 'c1'): Promise<void> => {
  const { accept } = driver;
  await accept({ type: 'OpenCart', data: { cartId, customerId: 'alice', currency: 'CNY' } });
  await accept({ type: 'AddCartItem', data: { cartId, sku: 'tea', name: 'Tea', category: 'tea', unitPrice: cny(5000), quantity: 2 } });
  await accept({ type: 'AddCartItem', data: { cartId, sku: 'cup', name: 'Cup', category: 'tableware', unitPrice: cny(3000), quantity: 1 } });
  await accept({ type: 'CheckOutCart', data: { cartId, orderId, shippingAddress: address, paymentMethod: 'card', pointsToRedeem: 0 } });
};

export const ORDER_TOTAL = 13000;
