import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { CartLine, CartState, cartDecider } from '../../src/domain/cart/decider';
import type { CartEvent } from '../../src/domain/cart/events';
import type { Coupon } from '../../src/domain/pricing/pricing-policy';
import { standardPricingPolicy } from '../../src/domain/pricing/pricing-policy';
import { cartCommandArbitrary, catalogueArbitrary } from '../../src/testing';

/**
 * The cart's evolve builds its states with hand-written copy-on-write updates, for replay speed. This
 * reference model keeps the same cart in a different representation — mutable, lines in a `Map` by sku,
 * which keeps insertion order as the cart does — written for obviousness, not speed, so that a slip in
 * the fast one shows up as a difference.
 */
interface ModelCart {
  opened: { cartId: string; customerId: string; currency: string } | null;
  lines: Map<string, CartLine>;
  coupon: Coupon | null;
  orderIds: string[];
}

const applyToModel = (model: ModelCart, event: CartEvent): void => {
  if (model.opened === null) {
    if (event.type === 'CartOpened') model.opened = { ...event.data };
    return;
  }
  switch (event.type) {
    case 'CartOpened':
      return;
    case 'CartItemAdded': {
      const { sku, name, category, unitPrice, quantity } = event.data;
      const held = model.lines.get(sku);
      model.lines.set(sku, { sku, name, category, unitPrice: unitPrice.amount, quantity: (held?.quantity ?? 0) + quantity, selected: held?.selected ?? true });
      return;
    }
    case 'CartItemQuantityChanged': {
      const held = model.lines.get(event.data.sku);
      if (held !== undefined) model.lines.set(event.data.sku, { ...held, quantity: event.data.quantity });
      return;
    }
    case 'CartItemRemoved':
      model.lines.delete(event.data.sku);
      return;
    case 'CartItemsSelected':
    case 'CartItemsDeselected':
      for (const sku of event.data.skus) {
        const held = model.lines.get(sku);
        if (held !== undefined) model.lines.set(sku, { ...held, selected: event.type === 'CartItemsSelected' });
      }
      return;
    case 'CouponApplied':
      model.coupon = event.data.coupon;
      return;
    case 'CouponRemoved':
      model.coupon = null;
      return;
    case 'CartCheckedOut':
      for (const [sku, line] of [...model.lines]) if (line.selected) model.lines.delete(sku);
      model.coupon = null;
      model.orderIds.push(event.data.orderId);
      return;
  }
};

const stateOfModel = (model: ModelCart): CartState =>
  model.opened === null
    ? { status: 'unopened' }
    : { status: 'open', ...model.opened, lines: [...model.lines.values()], coupon: model.coupon, orderIds: [...model.orderIds] };

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const field of Object.values(value)) deepFreeze(field);
  }
  return value;
};

describe('cart evolve against a reference model', () => {
  const decider = cartDecider(standardPricingPolicy());
  const scenario = catalogueArbitrary().chain((catalogue) => fc.array(cartCommandArbitrary('c1', 'CNY', catalogue), { maxLength: 60 }));

  it('folds every accepted event into the state the model holds, never changing a state it was given', () =>
    fc.assert(
      fc.property(scenario, (commands) => {
        const model: ModelCart = { opened: null, lines: new Map(), coupon: null, orderIds: [] };
        let state = deepFreeze(decider.initialState);
        for (const command of commands) {
          const decision = decider.decide(command, state, { now: 0 });
          if (E.isLeft(decision)) continue;
          for (const event of decision.right) {
            // Frozen states make any write to a state evolve was given throw, in strict mode.
            state = deepFreeze(decider.evolve(state, event));
            applyToModel(model, event);
          }
          expect(state).toEqual(stateOfModel(model));
        }
      }),
      { numRuns: 300 },
    ));

  it('ignores events about lines the cart does not hold, as the model does', () => {
    const opened = decider.evolve(decider.initialState, { type: 'CartOpened', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } });
    const strays: readonly CartEvent[] = [
      { type: 'CartItemQuantityChanged', data: { cartId: 'c1', sku: 'ghost', quantity: 2 } },
      { type: 'CartItemRemoved', data: { cartId: 'c1', sku: 'ghost' } },
      { type: 'CartItemsSelected', data: { cartId: 'c1', skus: ['ghost'] } },
    ];
    for (const event of strays) expect(decider.evolve(opened, event)).toEqual(opened);
  });
});
