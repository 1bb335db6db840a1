import * as t from 'io-ts';
import { Coupon } from '../pricing/pricing-policy';
import { CurrencyCode, distinctNonEmptyArray, Identifier, NonNegativeInteger, PositiveInteger, Text } from '../shared/codecs';
import { message } from '../shared/message';
import { Money } from '../shared/money';
import { ShippingAddress } from '../shared/shipping-address';
import { MAX_CART_LINES } from '../shared/limits';
import { Quantity } from './quantity';

export const OpenCart = message('OpenCart', { cartId: Identifier, customerId: Identifier, currency: CurrencyCode });
export const AddCartItem = message('AddCartItem', {
  cartId: Identifier,
  sku: Identifier,
  name: Text,
  category: Identifier,
  unitPrice: Money,
  quantity: Quantity,
});
export const ChangeCartItemQuantity = message('ChangeCartItemQuantity', { cartId: Identifier, sku: Identifier, quantity: Quantity });
export const RemoveCartItem = message('RemoveCartItem', { cartId: Identifier, sku: Identifier });
export const SelectCartItems = message('SelectCartItems', { cartId: Identifier, skus: distinctNonEmptyArray(Identifier, 'Skus', MAX_CART_LINES) });
export const DeselectCartItems = message('DeselectCartItems', { cartId: Identifier, skus: distinctNonEmptyArray(Identifier, 'Skus', MAX_CART_LINES) });
export const ApplyCoupon = message('ApplyCoupon', { cartId: Identifier, coupon: Coupon });
export const RemoveCoupon = message('RemoveCoupon', { cartId: Identifier });
export const CheckOutCart = message('CheckOutCart', {
  cartId: Identifier,
  /** Chosen by the host (or the engine's id generator) so that a retried checkout places the same order. */
  orderId: Identifier,
  shippingAddress: ShippingAddress,
  paymentMethod: Identifier,
  pointsToRedeem: NonNegativeInteger,
});

export const CartCommand = t.union(
  [OpenCart, AddCartItem, ChangeCartItemQuantity, RemoveCartItem, SelectCartItems, DeselectCartItems, ApplyCoupon, RemoveCoupon, CheckOutCart],
  'CartCommand',
);
export type CartCommand = t.TypeOf<typeof CartCommand>;

/**
 * What the process manager sends when the order a checkout was for cannot be placed (its id already taken):
 * the checked-out lines go back to the cart as they were. No host sends it: it adds lines past the
 * shopper's limits, which the lines came under when first added, and must not be refused by them now.
 */
export const ReturnCheckedOutLines = message('ReturnCheckedOutLines', {
  cartId: Identifier,
  orderId: Identifier,
  // Not `Quantity`: a line put back once may have grown past one line's limit, and be checked out so.
  lines: t.readonlyArray(t.type({ sku: Identifier, name: Text, category: Identifier, unitPrice: Money, quantity: PositiveInteger })),
});
export type ReturnCheckedOutLines = t.TypeOf<typeof ReturnCheckedOutLines>;

/** What the cart decides: a host's commands, and the process manager's own. */
export type CartDecision = CartCommand | ReturnCheckedOutLines;
