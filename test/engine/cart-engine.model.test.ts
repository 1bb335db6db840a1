import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { MemoryEventStore } from '../../src/adapters/event-store/memory/memory-event-store';
import type { CartCommand } from '../../src/domain/cart/commands';
import type { Coupon } from '../../src/domain/pricing/pricing-policy';
import { cartStreamId } from '../../src/engine/aggregates';
import type { CommandOutcome, OrderEngine } from '../../src/engine/order-engine';
import { address } from '../support/fixtures';
import { engineDriver } from '../support/engine-driver';

/**
 * Model-based test: random command sequences, including concurrent ones on the same cart, repeats of a
 * command id and engine restarts, are run against the engine and against a deliberately simple model of
 * a cart; after every step they must agree on what was accepted and on the cart's contents.
 */
const RUNS = 100;
// Up to six concurrent commands race on the cart and each round of a race has one winner.
const CATALOGUE: Readonly<Record<string, number>> = { tea: 5000, cup: 3000, tray: 1200, kettle: 32000 };
const SKUS = Object.keys(CATALOGUE);

interface Model {
  opened: boolean;
  lines: Map<string, { quantity: number; selected: boolean }>;
  coupon: Coupon | null;
  orderIds: string[];
  last: { request: unknown; outcome: CommandOutcome } | null;
}

interface Real {
  engine: OrderEngine;
  readonly store: MemoryEventStore;
  counter: number;
}

const add = (sku: string, quantity: number): CartCommand => ({
  type: 'AddCartItem',
  data: { cartId: 'c1', sku, name: sku, category: 'goods', unitPrice: { amount: CATALOGUE[sku]!, currency: 'CNY' }, quantity },
});

const send = async (real: Real, model: Model, command: CartCommand): Promise<CommandOutcome> => {
  real.counter += 1;
  const request = { commandId: `m-${real.counter}`, actor: 'model', command };
  const outcome = await real.engine.execute(request);
  model.last = { request, outcome };
  return outcome;
};

const subtotalOfSelection = (model: Model): number =>
  [...model.lines].filter(([, l]) => l.selected).reduce((sum, [sku, l]) => sum + CATALOGUE[sku]! * l.quantity, 0);

/** Whether the model accepts `command`, and its effect on the model if so. */
const decideInModel = (model: Model, command: CartCommand): (() => void) | null => {
  switch (command.type) {
    case 'OpenCart':
      return model.opened ? null : () => (model.opened = true);
    case 'AddCartItem': {
      if (!model.opened) return null;
      const line = model.lines.get(command.data.sku);
      return () => model.lines.set(command.data.sku, { quantity: (line?.quantity ?? 0) + command.data.quantity, selected: line?.selected ?? true });
    }
    case 'ChangeCartItemQuantity': {
      const line = model.lines.get(command.data.sku);
      if (!model.opened || line === undefined) return null;
      return () => model.lines.set(command.data.sku, { ...line, quantity: command.data.quantity });
    }
    case 'RemoveCartItem':
      return model.opened && model.lines.has(command.data.sku) ? () => model.lines.delete(command.data.sku) : null;
    case 'SelectCartItems':
    case 'DeselectCartItems': {
      if (!model.opened || !command.data.skus.every((s) => model.lines.has(s))) return null;
      return () => command.data.skus.forEach((s) => model.lines.set(s, { ...model.lines.get(s)!, selected: command.type === 'SelectCartItems' }));
    }
    case 'ApplyCoupon':
      return model.opened ? () => (model.coupon = command.data.coupon) : null;
    case 'RemoveCoupon':
      return model.opened && model.coupon !== null ? () => (model.coupon = null) : null;
    case 'CheckOutCart': {
      const subtotal = subtotalOfSelection(model);
      if (!model.opened || ![...model.lines.values()].some((l) => l.selected)) return null;
      if (model.orderIds.includes(command.data.orderId)) return null;
      if (model.coupon !== null && subtotal < model.coupon.minimumSpend) return null;
      return () => {
        for (const [sku, line] of [...model.lines]) if (line.selected) model.lines.delete(sku);
        model.coupon = null;
        model.orderIds.push(command.data.orderId);
      };
    }
  }
};

const agree = async (real: Real, model: Model): Promise<void> => {
  const loaded = await real.engine.cartState('c1');
  if (E.isLeft(loaded)) throw new Error(loaded.left.message);
  const { state } = loaded.right;
  if (!model.opened) {
    expect(state.status).toBe('unopened');
    return;
  }
  if (state.status !== 'open') throw new Error('the engine has no open cart');
  expect(Object.fromEntries(state.lines.map((l) => [l.sku, { quantity: l.quantity, selected: l.selected }]))).toEqual(Object.fromEntries(model.lines));
  expect(state.coupon).toEqual(model.coupon);
  expect(state.orderIds).toEqual(model.orderIds);
};

class Send implements fc.AsyncCommand<Model, Real> {
  constructor(readonly command: CartCommand) {}
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    const effect = decideInModel(model, this.command);
    const outcome = await send(real, model, this.command);
    expect({ type: this.command.type, accepted: E.isRight(outcome) }).toEqual({ type: this.command.type, accepted: effect !== null });
    effect?.();
    await agree(real, model);
  }
  toString = () => `send ${JSON.stringify(this.command)}`;
}

class ConcurrentAdds implements fc.AsyncCommand<Model, Real> {
  constructor(readonly adds: readonly { sku: string; quantity: number }[]) {}
  check = (model: Readonly<Model>) => model.opened;
  async run(model: Model, real: Real): Promise<void> {
    const outcomes = await Promise.all(this.adds.map(({ sku, quantity }) => send(real, model, add(sku, quantity))));
    expect(outcomes.map(E.isRight)).toEqual(this.adds.map(() => true));
    for (const { sku, quantity } of this.adds) decideInModel(model, add(sku, quantity))?.();
    await agree(real, model);
  }
  toString = () => `concurrently add ${JSON.stringify(this.adds)}`;
}

class RepeatLast implements fc.AsyncCommand<Model, Real> {
  check = (model: Readonly<Model>) => model.last !== null;
  async run(model: Model, real: Real): Promise<void> {
    const { request, outcome } = model.last!;
    const revisionBefore = (await real.store.readStream(cartStreamId('c1'))).length;
    const repeated = await real.engine.execute(request);
    expect(E.isRight(repeated)).toBe(E.isRight(outcome));
    if (E.isRight(repeated) && E.isRight(outcome)) expect(repeated.right.events).toEqual(outcome.right.events);
    expect((await real.store.readStream(cartStreamId('c1'))).length).toBe(revisionBefore);
  }
  toString = () => 'repeat the last command id';
}

class Restart implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(model: Model, real: Real): Promise<void> {
    await real.engine.close();
    real.engine = engineDriver({ eventStore: real.store, runProcessManager: false, maxAttempts: 8 }).engine;
    await agree(real, model);
  }
  toString = () => 'restart the engine on the same store';
}

const sku = fc.constantFrom(...SKUS);
const skus = fc.uniqueArray(sku, { minLength: 1, maxLength: 3 });
const commands = [
  fc.constant(new Send({ type: 'OpenCart', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } })),
  fc.tuple(sku, fc.integer({ min: 1, max: 4 })).map(([s, q]) => new Send(add(s, q))),
  fc.tuple(sku, fc.integer({ min: 1, max: 9 })).map(([s, q]) => new Send({ type: 'ChangeCartItemQuantity', data: { cartId: 'c1', sku: s, quantity: q } })),
  sku.map((s) => new Send({ type: 'RemoveCartItem', data: { cartId: 'c1', sku: s } })),
  skus.map((s) => new Send({ type: 'SelectCartItems', data: { cartId: 'c1', skus: s } })),
  skus.map((s) => new Send({ type: 'DeselectCartItems', data: { cartId: 'c1', skus: s } })),
  fc
    .record({ amountOff: fc.integer({ min: 1, max: 5000 }), minimumSpend: fc.integer({ min: 0, max: 40000 }) })
    .map((c) => new Send({ type: 'ApplyCoupon', data: { cartId: 'c1', coupon: { code: 'C', kind: 'fixed', ...c } } })),
  fc.constant(new Send({ type: 'RemoveCoupon', data: { cartId: 'c1' } })),
  fc
    .constantFrom('o1', 'o2', 'o3')
    .map((orderId) => new Send({ type: 'CheckOutCart', data: { cartId: 'c1', orderId, shippingAddress: address, paymentMethod: 'card', pointsToRedeem: 0 } })),
  fc.array(fc.record({ sku, quantity: fc.integer({ min: 1, max: 3 }) }), { minLength: 2, maxLength: 6 }).map((adds) => new ConcurrentAdds(adds)),
  fc.constant(new RepeatLast()),
  fc.constant(new Restart()),
];

describe(`the engine against a model of the cart (${RUNS} runs)`, () => {
  it('agrees on every step, including concurrent commands, repeats and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), async (cmds) => {
        const store = new MemoryEventStore();
        const real: Real = { engine: engineDriver({ eventStore: store, runProcessManager: false, stateCacheSize: 2, maxAttempts: 8 }).engine, store, counter: 0 };
        const model: Model = { opened: false, lines: new Map(), coupon: null, orderIds: [], last: null };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        await real.engine.close();
      }),
      { numRuns: RUNS },
    );
  }, 180_000);
});
