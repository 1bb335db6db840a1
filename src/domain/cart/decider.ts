import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { Coupon, declaredPricing, PricedCheckout, PricingInput, PricingPolicy, pricingInconsistency, pricingMismatch, policyInputOf } from '../pricing/pricing-policy';
import { type CurrencyCode, shapeProblem } from '../shared/codecs';
import type { Decider } from '../shared/decider';
import { DomainError, domainError, isDomainError } from '../shared/domain-error';
import { currencyMismatch } from '../shared/money';
import type { CartCommand, CartDecision } from './commands';
import type { CartEvent } from './events';
import { MAX_LINE_QUANTITY } from './quantity';
import { MAX_CART_LINES } from '../shared/limits';
import { appendItem, filterItems, mapItems, removeItem, replaceItem } from '../shared/readonly-arrays';

export interface CartLine {
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly unitPrice: number;
  readonly quantity: number;
  readonly selected: boolean;
}

export type CartState =
  | { readonly status: 'unopened' }
  | {
      readonly status: 'open';
      readonly cartId: string;
      readonly customerId: string;
      readonly currency: CurrencyCode;
      readonly lines: readonly CartLine[];
      readonly coupon: Coupon | null;
      readonly orderIds: readonly string[];
    };

type OpenCartState = Extract<CartState, { status: 'open' }>;


const reject = (code: string, message: string, details?: Record<string, unknown>) => E.left(domainError(code, message, details));
const accept = (...events: CartEvent[]): E.Either<DomainError, readonly CartEvent[]> => E.right(events);

const lineIndexOf = (lines: readonly CartLine[], sku: string): number => {
  for (let index = 0; index < lines.length; index += 1) if ((lines[index] as CartLine).sku === sku) return index;
  return -1;
};

const lineOf = (state: OpenCartState, sku: string): CartLine | undefined => {
  const index = lineIndexOf(state.lines, sku);
  return index < 0 ? undefined : state.lines[index];
};

const missingLines = (state: OpenCartState, skus: readonly string[]): readonly string[] =>
  skus.filter((sku) => lineOf(state, sku) === undefined);

const whenOpen = (
  state: CartState,
  cartId: string,
  decide: (open: OpenCartState) => E.Either<DomainError, readonly CartEvent[]>,
): E.Either<DomainError, readonly CartEvent[]> =>
  state.status === 'open' ? decide(state) : reject('CART_NOT_FOUND', `cart ${cartId} has not been opened`, { cartId });

const decideAdd = (state: OpenCartState, data: Extract<CartCommand, { type: 'AddCartItem' }>['data']) => {
  if (data.unitPrice.currency !== state.currency) return E.left(currencyMismatch(state.currency, data.unitPrice.currency));
  const existing = lineOf(state, data.sku);
  if (existing === undefined && state.lines.length >= MAX_CART_LINES) {
    return reject('CART_FULL', `a cart holds at most ${MAX_CART_LINES} products`, { limit: MAX_CART_LINES });
  }
  if (existing !== undefined && existing.quantity + data.quantity > MAX_LINE_QUANTITY) {
    return reject('QUANTITY_LIMIT_EXCEEDED', `a line holds at most ${MAX_LINE_QUANTITY} units`, { sku: data.sku, limit: MAX_LINE_QUANTITY });
  }
  return accept({ type: 'CartItemAdded', data });
};

/**
 * A pricing policy is the host's to replace, and the order is placed from what it returns: prices that do
 * not add up would be refused only then, after the cart had given up its lines, and figures that are not
 * minor units would make the checkout an event no one could read back.
 */
const checkedPricing =
  (input: PricingInput) =>
  (pricing: PricedCheckout): E.Either<DomainError, PricedCheckout> => {
    const inconsistency = PricedCheckout.is(pricing)
      ? (pricingInconsistency(pricing) ?? pricingMismatch(input, pricing))
      : (shapeProblem(PricedCheckout, pricing, 'the checkout') ?? 'the checkout is not a priced checkout');
    return inconsistency === null
      ? E.right(declaredPricing(pricing))
      : E.left(domainError('PRICING_INCONSISTENT', `the pricing policy's checkout cannot be taken: ${inconsistency}`, { reason: inconsistency }));
  };

/** A host's policy may refuse with anything: what is not a domain error is named as the policy's refusal. */
const asDomainError = (refusal: unknown): DomainError =>
  isDomainError(refusal) ? refusal : domainError('PRICING_REFUSED', `the pricing policy refused the checkout without saying why in a domain error`);

const decideCheckOut = (state: OpenCartState, data: Extract<CartCommand, { type: 'CheckOutCart' }>['data'], price: PricingPolicy) => {
  if (state.orderIds.includes(data.orderId)) {
    return reject('ORDER_ALREADY_CHECKED_OUT', `order ${data.orderId} was already checked out from this cart`, { orderId: data.orderId });
  }
  const selected = state.lines.filter((line) => line.selected);
  if (selected.length === 0) return reject('NOTHING_SELECTED', 'select at least one line before checking out');
  const input: PricingInput = { currency: state.currency, lines: selected, coupon: state.coupon, pointsToRedeem: data.pointsToRedeem };
  return pipe(
    price(policyInputOf(input)),
    E.mapLeft(asDomainError),
    E.chain(checkedPricing(input)),
    E.map((pricing): readonly CartEvent[] => [
      {
        type: 'CartCheckedOut',
        data: {
          cartId: state.cartId,
          orderId: data.orderId,
          customerId: state.customerId,
          shippingAddress: data.shippingAddress,
          paymentMethod: data.paymentMethod,
          pricing,
        },
      },
    ]),
  );
};

/**
 * The lines of a checkout whose order could not be placed, back in the cart as they were added: past the
 * limits on lines and units, which they met when added, since the shopper may have added more meanwhile.
 * Units go back into a line the shopper has added to meanwhile at that line's price, name and category: an
 * addition sets them for the whole line, and a newer price must not give way to the checkout's older one.
 */
const decideReturn = (state: OpenCartState, data: Extract<CartDecision, { type: 'ReturnCheckedOutLines' }>['data']) => {
  if (!state.orderIds.includes(data.orderId)) {
    return reject('ORDER_NOT_CHECKED_OUT', `no order ${data.orderId} was checked out from cart ${state.cartId}`, { orderId: data.orderId });
  }
  const foreign = data.lines.find((line) => line.unitPrice.currency !== state.currency);
  if (foreign !== undefined) return E.left(currencyMismatch(state.currency, foreign.unitPrice.currency));
  // An addition holds at most one line's limit of units: a line that grew past it comes back in parts.
  const additions: CartEvent[] = [];
  for (const { quantity, ...returned } of data.lines) {
    const current = lineOf(state, returned.sku);
    const line =
      current === undefined
        ? returned
        : { sku: current.sku, name: current.name, category: current.category, unitPrice: { amount: current.unitPrice, currency: state.currency } };
    for (let left = quantity; left > 0; left -= MAX_LINE_QUANTITY) {
      additions.push({ type: 'CartItemAdded', data: { cartId: state.cartId, ...line, quantity: Math.min(left, MAX_LINE_QUANTITY) } });
    }
  }
  return accept(...additions);
};

const decideCommand = (command: CartDecision, state: CartState, price: PricingPolicy): E.Either<DomainError, readonly CartEvent[]> => {
  switch (command.type) {
    case 'OpenCart':
      return state.status === 'unopened'
        ? accept({ type: 'CartOpened', data: command.data })
        : reject('CART_ALREADY_OPEN', `cart ${command.data.cartId} is already open`, { cartId: command.data.cartId });
    case 'AddCartItem':
      return whenOpen(state, command.data.cartId, (open) => decideAdd(open, command.data));
    case 'ChangeCartItemQuantity':
      return whenOpen(state, command.data.cartId, (open) =>
        lineOf(open, command.data.sku) === undefined
          ? reject('LINE_NOT_FOUND', `the cart has no line for ${command.data.sku}`, { sku: command.data.sku })
          : accept({ type: 'CartItemQuantityChanged', data: command.data }),
      );
    case 'RemoveCartItem':
      return whenOpen(state, command.data.cartId, (open) =>
        lineOf(open, command.data.sku) === undefined
          ? reject('LINE_NOT_FOUND', `the cart has no line for ${command.data.sku}`, { sku: command.data.sku })
          : accept({ type: 'CartItemRemoved', data: command.data }),
      );
    case 'SelectCartItems':
    case 'DeselectCartItems':
      return whenOpen(state, command.data.cartId, (open) => {
        const missing = missingLines(open, command.data.skus);
        if (missing.length > 0) return reject('LINE_NOT_FOUND', `the cart has no line for ${missing.join(', ')}`, { skus: missing });
        return command.type === 'SelectCartItems'
          ? accept({ type: 'CartItemsSelected', data: command.data })
          : accept({ type: 'CartItemsDeselected', data: command.data });
      });
    case 'ApplyCoupon':
      return whenOpen(state, command.data.cartId, () => accept({ type: 'CouponApplied', data: command.data }));
    case 'RemoveCoupon':
      return whenOpen(state, command.data.cartId, (open) =>
        open.coupon === null
          ? reject('NO_COUPON', 'the cart has no coupon to remove')
          : accept({ type: 'CouponRemoved', data: { cartId: open.cartId, code: open.coupon.code } }),
      );
    case 'CheckOutCart':
      return whenOpen(state, command.data.cartId, (open) => decideCheckOut(open, command.data, price));
    case 'ReturnCheckedOutLines':
      return whenOpen(state, command.data.cartId, (open) => decideReturn(open, command.data));
  }
};

/*
 * evolve runs once per stored event on every replay, so it builds each new state directly: one object
 * literal of a fixed shape and arrays copied at their exact size in plain loops. Spreads and
 * map/filter callbacks made the same states several times slower and left more garbage behind, and a
 * state outlives many others before its cart's next event, so its garbage is costly to collect.
 */

const openState = (
  state: OpenCartState,
  lines: readonly CartLine[],
  coupon: Coupon | null,
  orderIds: readonly string[],
): OpenCartState => ({
  status: 'open',
  cartId: state.cartId,
  customerId: state.customerId,
  currency: state.currency,
  lines,
  coupon,
  orderIds,
});

const withLines = (state: OpenCartState, lines: readonly CartLine[]): OpenCartState => openState(state, lines, state.coupon, state.orderIds);

const setSelected = (state: OpenCartState, skus: readonly string[], selected: boolean): OpenCartState =>
  withLines(
    state,
    mapItems(state.lines, (line) => (line.selected !== selected && skus.includes(line.sku) ? { ...line, selected } : line)),
  );

const evolveOpen = (state: OpenCartState, event: CartEvent): OpenCartState => {
  switch (event.type) {
    case 'CartOpened':
      return state;
    case 'CartItemAdded': {
      const { sku, name, category, unitPrice, quantity } = event.data;
      const index = lineIndexOf(state.lines, sku);
      if (index < 0) return withLines(state, appendItem(state.lines, { sku, name, category, unitPrice: unitPrice.amount, quantity, selected: true }));
      const line = state.lines[index] as CartLine;
      return withLines(
        state,
        replaceItem(state.lines, index, { sku, name, category, unitPrice: unitPrice.amount, quantity: line.quantity + quantity, selected: line.selected }),
      );
    }
    case 'CartItemQuantityChanged': {
      const index = lineIndexOf(state.lines, event.data.sku);
      if (index < 0) return state;
      const line = state.lines[index] as CartLine;
      return withLines(state, replaceItem(state.lines, index, { ...line, quantity: event.data.quantity }));
    }
    case 'CartItemRemoved': {
      const index = lineIndexOf(state.lines, event.data.sku);
      return index < 0 ? state : withLines(state, removeItem(state.lines, index));
    }
    case 'CartItemsSelected':
      return setSelected(state, event.data.skus, true);
    case 'CartItemsDeselected':
      return setSelected(state, event.data.skus, false);
    case 'CouponApplied':
      return openState(state, state.lines, event.data.coupon, state.orderIds);
    case 'CouponRemoved':
      return openState(state, state.lines, null, state.orderIds);
    case 'CartCheckedOut':
      return openState(state, filterItems(state.lines, (line) => !line.selected), null, appendItem(state.orderIds, event.data.orderId));
  }
};

const evolve = (state: CartState, event: CartEvent): CartState => {
  if (state.status === 'open') return evolveOpen(state, event);
  if (event.type !== 'CartOpened') return state;
  const { cartId, customerId, currency } = event.data;
  return { status: 'open', cartId, customerId, currency, lines: [], coupon: null, orderIds: [] };
};

/** The cart decider, pricing checkouts with `price`. */
export const cartDecider = (price: PricingPolicy): Decider<CartDecision, CartEvent, CartState> => ({
  initialState: { status: 'unopened' },
  decide: (command, state) => decideCommand(command, state, price),
  evolve,
});
