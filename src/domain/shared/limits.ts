/** A cart holds at most this many distinct products, so an order placed from one holds as many at most. */
export const MAX_CART_LINES = 200;
