import * as E from 'fp-ts/Either';
import type { HostCommand } from '../../src/engine/aggregates';
import type { OrderEngine } from '../../src/engine/order-engine';
import type { ProcessManagerFailure } from '../../src/engine/process-manager/process-manager';
import { address, cny } from './fixtures';

/** Shopper n's cart `c${n}` of one tea (50.00), checked out as order `o${n}`: the commands, in order. */
export const checkOutCommands = (n: number): readonly HostCommand[] => [
  { type: 'OpenCart', data: { cartId: `c${n}`, customerId: `shopper-${n}`, currency: 'CNY' } },
  { type: 'AddCartItem', data: { cartId: `c${n}`, sku: 'tea', name: 'Tea', category: 'tea', unitPrice: cny(5000), quantity: 1 } },
  { type: 'CheckOutCart', data: { cartId: `c${n}`, orderId: `o${n}`, shippingAddress: address, paymentMethod: 'card', pointsToRedeem: 0 } },
];

/** Sends `command` as the shopper and fails the test if the engine refuses it. */
export const accepted = async (engine: OrderEngine, commandId: string, command: HostCommand): Promise<void> => {
  const outcome = await engine.execute({ commandId, actor: 'shopper', command });
  if (E.isLeft(outcome)) throw new Error(`${command.type} refused: ${outcome.left.message}`);
};

/** Sends shopper n's checkout, without waiting for what the process manager does next. */
export const checkOut = async (engine: OrderEngine, n = 0): Promise<void> => {
  for (const [step, command] of checkOutCommands(n).entries()) await accepted(engine, `checkout-${n}-${step}`, command);
};

/** Polls until `count` process-manager failures have been reported; the limit only turns a hang into a failure. */
export const failuresSeen = async (failures: readonly ProcessManagerFailure[], count: number): Promise<void> => {
  const deadline = Date.now() + 15_000;
  while (failures.length < count) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${count} failures, saw ${failures.length}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
};
