import type { CartCommand } from '../../src/domain/cart/commands';
import type { ShippingAddress } from '../../src/domain/shared/shipping-address';

/** Every bench cart and price is in this currency. */
export const BENCH_CURRENCY = 'CNY';

const BENCH_ADDRESS: ShippingAddress = {
  recipient: 'Bench Shopper',
  phone: '+86 138 0000 0000',
  line1: '1 Benchmark Road',
  city: 'Shanghai',
  postalCode: '200120',
  country: 'CN',
};

/** `sI` of bench-workload.md: quantity `1 + (I mod 3)`, unit price `100 + I` minor units. */
export const itemQuantity = (item: number): number => 1 + (item % 3);
export const itemUnitPrice = (item: number): number => 100 + item;
export const itemSku = (item: number): string => `s${item}`;

export const openCart = (cartId: string, customerId: string): CartCommand => ({
  type: 'OpenCart',
  data: { cartId, customerId, currency: BENCH_CURRENCY },
});

export const addItem = (cartId: string, item: number): CartCommand => ({
  type: 'AddCartItem',
  data: {
    cartId,
    sku: itemSku(item),
    name: `Item ${item}`,
    category: 'bench',
    unitPrice: { amount: itemUnitPrice(item), currency: BENCH_CURRENCY },
    quantity: itemQuantity(item),
  },
});

export const removeItem = (cartId: string, item: number): CartCommand => ({ type: 'RemoveCartItem', data: { cartId, sku: itemSku(item) } });

export const selectItems = (cartId: string, items: readonly number[]): CartCommand => ({
  type: 'SelectCartItems',
  data: { cartId, skus: items.map(itemSku) },
});

export const checkOut = (cartId: string, orderId: string): CartCommand => ({
  type: 'CheckOutCart',
  data: { cartId, orderId, shippingAddress: BENCH_ADDRESS, paymentMethod: 'alipay', pointsToRedeem: 0 },
});
