import * as t from 'io-ts';
import { Coupon, PricedCheckout } from '../pricing/pricing-policy';
import { CurrencyCode, Identifier, Text } from '../shared/codecs';
import { message } from '../shared/message';
import { Money } from '../shared/money';
import { ShippingAddress } from '../shared/shipping-address';
import { Quantity } from './quantity';

export const CartOpened = message('CartOpened', { cartId: Identifier, customerId: Identifier, currency: CurrencyCode });
/**
 * `quantity` is what was added; adding a product already in the cart adds to its line, and its price, name
 * and category become the line's, for all its units: a cart shows what the shop charges now.
 */
export const CartItemAdded = message('CartItemAdded', {
  cartId: Identifier,
  sku: Identifier,
  name: Text,
  category: Identifier,
  unitPrice: Money,
  quantity: Quantity,
});
export const CartItemQuantityChanged = message('CartItemQuantityChanged', { cartId: Identifier, sku: Identifier, quantity: Quantity });
export const CartItemRemoved = message('CartItemRemoved', { cartId: Identifier, sku: Identifier });
export const CartItemsSelected = message('CartItemsSelected', { cartId: Identifier, skus: t.readonlyArray(Identifier) });
export const CartItemsDeselected = message('CartItemsDeselected', { cartId: Identifier, skus: t.readonlyArray(Identifier) });
export const CouponApplied = message('CouponApplied', { cartId: Identifier, coupon: Coupon });
export const CouponRemoved = message('CouponRemoved', { cartId: Identifier, code: Identifier });
/** The selected lines, priced, leave the cart for order `orderId`; unselected lines stay. */
export const CartCheckedOut = message('CartCheckedOut', {
  cartId: Identifier,
  orderId: Identifier,
  customerId: Identifier,
  shippingAddress: ShippingAddress,
  paymentMethod: Identifier,
  pricing: PricedCheckout,
});

export const CartEvent = t.union(
  [CartOpened, CartItemAdded, CartItemQuantityChanged, CartItemRemoved, CartItemsSelected, CartItemsDeselected, CouponApplied, CouponRemoved, CartCheckedOut],
  'CartEvent',
);
export type CartEvent = t.TypeOf<typeof CartEvent>;
