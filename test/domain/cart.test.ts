import * as E from 'fp-ts/Either';
import { cartDecider } from '../../src/domain/cart/decider';
import { PricedCheckout, PricingPolicy, standardPricingPolicy } from '../../src/domain/pricing/pricing-policy';
import { deciderSpecification } from '../../src/testing';
import { address, cartOpened, cny, itemAdded } from '../support/fixtures';

// The default rules: shipping 8.00, free from 99.00, points worth 0.01 each, paying at most half.
const spec = deciderSpecification(cartDecider(standardPricingPolicy()));

describe('cart', () => {
  describe('given no cart', () => {
    it('opening it opens it', () =>
      spec.given([]).when({ type: 'OpenCart', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } }).then([cartOpened]));

    it('adding an item is refused: the cart is not open', () =>
      spec
        .given([])
        .when({ type: 'AddCartItem', data: { cartId: 'c1', sku: 'tea', name: 'Tea', category: 'tea', unitPrice: cny(100), quantity: 1 } })
        .thenRejects('CART_NOT_FOUND'));
  });

  describe('given an open cart', () => {
    it('cannot be opened twice', () =>
      spec.given([cartOpened]).when({ type: 'OpenCart', data: { cartId: 'c1', customerId: 'alice', currency: 'CNY' } }).thenRejects('CART_ALREADY_OPEN'));

    it('adds an item', () =>
      spec
        .given([cartOpened])
        .when({ type: 'AddCartItem', data: { cartId: 'c1', sku: 'tea', name: 'Product tea', category: 'tea', unitPrice: cny(5000), quantity: 2 } })
        .then([itemAdded('tea', 5000, 2)]));

    it('refuses a price in another currency', () =>
      spec
        .given([cartOpened])
        .when({ type: 'AddCartItem', data: { cartId: 'c1', sku: 'tea', name: 'Tea', category: 'tea', unitPrice: { amount: 5000, currency: 'EUR' }, quantity: 2 } })
        .thenRejects('CURRENCY_MISMATCH'));

    it('adding a product it holds adds to its line, selected by default', () => {
      const { state } = spec.given([cartOpened, itemAdded('tea', 5000, 2), itemAdded('tea', 5000, 3)]).when({ type: 'RemoveCoupon', data: { cartId: 'c1' } });
      expect(state).toMatchObject({ lines: [{ sku: 'tea', quantity: 5, selected: true }] });
    });

    it('refuses to change, remove or select a line it does not hold', () => {
      spec.given([cartOpened]).when({ type: 'ChangeCartItemQuantity', data: { cartId: 'c1', sku: 'tea', quantity: 2 } }).thenRejects('LINE_NOT_FOUND');
      spec.given([cartOpened]).when({ type: 'RemoveCartItem', data: { cartId: 'c1', sku: 'tea' } }).thenRejects('LINE_NOT_FOUND');
      spec.given([cartOpened, itemAdded('cup', 1, 1)]).when({ type: 'SelectCartItems', data: { cartId: 'c1', skus: ['cup', 'tea'] } }).thenRejects('LINE_NOT_FOUND');
    });

    it('changes a quantity, removes a line, deselects and reselects', () => {
      const given = [cartOpened, itemAdded('tea', 5000, 2), itemAdded('cup', 3000, 1)];
      spec.given(given).when({ type: 'ChangeCartItemQuantity', data: { cartId: 'c1', sku: 'tea', quantity: 4 } }).then([
        { type: 'CartItemQuantityChanged', data: { cartId: 'c1', sku: 'tea', quantity: 4 } },
      ]);
      spec.given(given).when({ type: 'RemoveCartItem', data: { cartId: 'c1', sku: 'cup' } }).then([{ type: 'CartItemRemoved', data: { cartId: 'c1', sku: 'cup' } }]);
      const deselected = spec
        .given([...given, { type: 'CartItemsDeselected', data: { cartId: 'c1', skus: ['cup'] } }])
        .when({ type: 'SelectCartItems', data: { cartId: 'c1', skus: ['cup'] } });
      expect(deselected.state).toMatchObject({ lines: [{ sku: 'tea', selected: true }, { sku: 'cup', selected: false }] });
      deselected.then([{ type: 'CartItemsSelected', data: { cartId: 'c1', skus: ['cup'] } }]);
    });

    it('applies and removes a coupon; removing none is refused', () => {
      const coupon = { code: 'TEA20', kind: 'fixed' as const, amountOff: 2000, minimumSpend: 10000 };
      spec.given([cartOpened]).when({ type: 'ApplyCoupon', data: { cartId: 'c1', coupon } }).then([{ type: 'CouponApplied', data: { cartId: 'c1', coupon } }]);
      spec
        .given([cartOpened, { type: 'CouponApplied', data: { cartId: 'c1', coupon } }])
        .when({ type: 'RemoveCoupon', data: { cartId: 'c1' } })
        .then([{ type: 'CouponRemoved', data: { cartId: 'c1', code: 'TEA20' } }]);
      spec.given([cartOpened]).when({ type: 'RemoveCoupon', data: { cartId: 'c1' } }).thenRejects('NO_COUPON');
    });
  });

  describe('checkout', () => {
    const checkout = (orderId = 'o1', pointsToRedeem = 0) =>
      ({ type: 'CheckOutCart', data: { cartId: 'c1', orderId, shippingAddress: address, paymentMethod: 'card', pointsToRedeem } }) as const;

    it('prices the selected lines; unselected lines stay in the cart', () => {
      const given = [
        cartOpened,
        itemAdded('tea', 5000, 2),
        itemAdded('cup', 3000, 1, 'tableware'),
        { type: 'CartItemsDeselected' as const, data: { cartId: 'c1', skus: ['cup'] } },
      ];
      const result = spec.given(given).when(checkout());
      result.then([
        {
          type: 'CartCheckedOut',
          data: {
            cartId: 'c1',
            orderId: 'o1',
            customerId: 'alice',
            shippingAddress: address,
            paymentMethod: 'card',
            pricing: {
              currency: 'CNY',
              lines: [{ sku: 'tea', name: 'Product tea', category: 'tea', unitPrice: 5000, quantity: 2, lineTotal: 10000, paidAmount: 10000 }],
              subtotal: 10000,
              couponCode: null,
              couponDiscount: 0,
              rebateDiscount: 0,
              shippingFee: 0,
              shippingPaid: 0,
              gifts: [],
              pointsRedeemed: 0,
              pointsDiscount: 0,
              total: 10000,
            },
          },
        },
      ]);
      const after = spec.given([...given, ...(result.decision._tag === 'Right' ? result.decision.right : [])]).when(checkout('o2'));
      expect(after.state).toMatchObject({ lines: [{ sku: 'cup', selected: false }], coupon: null, orderIds: ['o1'] });
      after.thenRejects('NOTHING_SELECTED');
    });

    it('refuses an empty selection and a reused order id', () => {
      spec.given([cartOpened]).when(checkout()).thenRejects('NOTHING_SELECTED');
      const checkedOut = spec.given([cartOpened, itemAdded('tea', 5000, 1)]).when(checkout()).decision;
      const events = checkedOut._tag === 'Right' ? checkedOut.right : [];
      spec.given([cartOpened, itemAdded('tea', 5000, 1), ...events, itemAdded('cup', 100, 1)]).when(checkout('o1')).thenRejects('ORDER_ALREADY_CHECKED_OUT');
    });

    it("takes back the lines of a checkout whose order could not be placed, past the line's unit limit, and only for an order it checked out", () => {
      const checkedOut = spec.given([cartOpened, itemAdded('tea', 5000, 5)]).when(checkout()).decision;
      const events = checkedOut._tag === 'Right' ? checkedOut.right : [];
      const given = [cartOpened, itemAdded('tea', 5000, 5), ...events, itemAdded('tea', 5000, 9995)];
      const lines = [{ sku: 'tea', name: 'Product tea', category: 'tea', unitPrice: cny(5000), quantity: 5 }];
      const returned = spec.given(given).when({ type: 'ReturnCheckedOutLines', data: { cartId: 'c1', orderId: 'o1', lines } });
      returned.then([itemAdded('tea', 5000, 5)]);
      expect(spec.given([...given, itemAdded('tea', 5000, 5)]).when(checkout('o2')).state).toMatchObject({ lines: [{ sku: 'tea', quantity: 10_000 }] });
      spec.given(given).when({ type: 'ReturnCheckedOutLines', data: { cartId: 'c1', orderId: 'o9', lines } }).thenRejects('ORDER_NOT_CHECKED_OUT');
      // A line grown past one line's limit by an earlier return comes back in parts, each an addition events can hold.
      spec
        .given(given)
        .when({ type: 'ReturnCheckedOutLines', data: { cartId: 'c1', orderId: 'o1', lines: [{ ...lines[0]!, quantity: 19_999 }] } })
        .then([itemAdded('tea', 5000, 9999), itemAdded('tea', 5000, 9999), itemAdded('tea', 5000, 1)]);
      spec.given(given).when({ type: 'ReturnCheckedOutLines', data: { cartId: 'c1', orderId: 'o1', lines: [{ ...lines[0]!, unitPrice: { amount: 5000, currency: 'USD' } }] } }).thenRejects('CURRENCY_MISMATCH');
    });

    it("puts units back into a line added to since at that line's price: the checkout's older price does not come back over it", () => {
      const checkedOut = spec.given([cartOpened, itemAdded('tea', 300, 2)]).when(checkout()).decision;
      const events = checkedOut._tag === 'Right' ? checkedOut.right : [];
      const repriced = [cartOpened, itemAdded('tea', 300, 2), ...events, itemAdded('tea', 200, 3)];
      const lines = [{ sku: 'tea', name: 'Product tea', category: 'tea', unitPrice: cny(300), quantity: 2 }];
      const returned = spec.given(repriced).when({ type: 'ReturnCheckedOutLines', data: { cartId: 'c1', orderId: 'o1', lines } });
      returned.then([itemAdded('tea', 200, 2)]);
      expect(spec.given([...repriced, itemAdded('tea', 200, 2)]).when(checkout('o2')).state).toMatchObject({ lines: [{ sku: 'tea', unitPrice: 200, quantity: 5 }] });
      // A line the shopper has not added to again comes back as it was checked out.
      spec.given([cartOpened, itemAdded('tea', 300, 2), ...events]).when({ type: 'ReturnCheckedOutLines', data: { cartId: 'c1', orderId: 'o1', lines } }).then([itemAdded('tea', 300, 2)]);
    });

    it('prices a whole line at its latest addition, as the shop prices it now', () =>
      expect(spec.given([cartOpened, itemAdded('tea', 10000, 9), itemAdded('tea', 1, 1)]).when(checkout()).state).toMatchObject({ lines: [{ sku: 'tea', unitPrice: 1, quantity: 10 }] }));

    it('refuses a coupon whose minimum spend the selection does not reach', () => {
      const coupon = { code: 'BIG', kind: 'percentage' as const, percentOff: 10, minimumSpend: 50000 };
      spec.given([cartOpened, itemAdded('tea', 5000, 1), { type: 'CouponApplied', data: { cartId: 'c1', coupon } }]).when(checkout()).thenRejects('COUPON_MINIMUM_SPEND_NOT_MET');
    });

    it('refuses an amount past the largest exact one, and keeps its lines', () => {
      const result = spec.given([cartOpened, itemAdded('gold', Number.MAX_SAFE_INTEGER, 2)]).when(checkout());
      result.thenRejects('AMOUNT_TOO_LARGE');
      expect(result.state).toMatchObject({ lines: [{ sku: 'gold', quantity: 2 }], orderIds: [] });
    });

    it("refuses a host pricing policy's figures that do not add up or are not minor units", () => {
      const given = [cartOpened, itemAdded('tea', 5000, 1)];
      const standard = standardPricingPolicy();
      const altered = (change: (pricing: PricedCheckout) => PricedCheckout): PricingPolicy => (input) => E.map(change)(standard(input));
      for (const policy of [altered((p) => ({ ...p, total: p.total + 1 })), altered((p) => ({ ...p, total: p.total + 0.5, shippingPaid: p.shippingPaid + 0.5 }))]) {
        deciderSpecification(cartDecider(policy)).given(given).when(checkout()).thenRejects('PRICING_INCONSISTENT');
      }
      const badGift = altered((p) => ({ ...p, gifts: [{ sku: 'tote bag', name: 'Tote', category: 'bags', quantity: 1 }] }));
      expect(deciderSpecification(cartDecider(badGift)).given(given).when(checkout()).decision).toMatchObject({
        left: { code: 'PRICING_INCONSISTENT', message: "the pricing policy's checkout cannot be taken: gifts.0.sku is not Identifier" },
      });
    });

    it("refuses a host pricing policy's checkout that is not of this cart: another currency, lines or prices, a coupon it does not hold, points not asked for", () => {
      const given = [cartOpened, itemAdded('tea', 5000, 1), itemAdded('cup', 3000, 1)];
      const standard = standardPricingPolicy();
      const altered = (change: (pricing: PricedCheckout) => PricedCheckout): PricingPolicy => (input) => E.map(change)(standard(input));
      const [tea, cup] = [0, 1];
      const changes: ((p: PricedCheckout) => PricedCheckout)[] = [
        (p) => ({ ...p, currency: 'USD' }),
        (p) => ({ ...p, lines: p.lines.map((l, i) => (i === cup ? { ...l, sku: 'mug' } : l)) }),
        (p) => ({ ...p, lines: p.lines.map((l, i) => (i === tea ? { ...l, name: 'Gold' } : l)) }),
        (p) => ({ ...p, couponCode: 'FREE' }),
        (p) => ({ ...p, pointsRedeemed: 100 }),
      ];
      for (const change of changes) deciderSpecification(cartDecider(altered(change))).given(given).when(checkout()).thenRejects('PRICING_INCONSISTENT');
      const dropped = altered((p) => {
        const [kept] = p.lines;
        return { ...p, lines: [{ ...kept!, paidAmount: kept!.paidAmount }], subtotal: kept!.lineTotal, total: kept!.paidAmount + p.shippingPaid };
      });
      deciderSpecification(cartDecider(dropped)).given(given).when(checkout()).thenRejects('PRICING_INCONSISTENT');
      // The same lines in another order are the cart's all the same.
      expect(E.isRight(deciderSpecification(cartDecider(altered((p) => ({ ...p, lines: [...p.lines].reverse() })))).given(given).when(checkout()).decision)).toBe(true);
    });

    it("keeps only the declared fields of a host policy's checkout, and names a refusal that is no domain error", () => {
      const given = [cartOpened, itemAdded('tea', 5000, 1)];
      const standard = standardPricingPolicy();
      const padded: PricingPolicy = (input) => E.map((p: PricedCheckout) => ({ ...p, note: 'x'.repeat(1000), lines: p.lines.map((l) => ({ ...l, cost: 1 })) }))(standard(input));
      const decision = deciderSpecification(cartDecider(padded)).given(given).when(checkout()).decision;
      expect(decision).toEqual(E.right([expect.objectContaining({ type: 'CartCheckedOut', data: expect.objectContaining({ pricing: E.getOrElseW(() => undefined)(standard({ currency: 'CNY', lines: [{ sku: 'tea', name: 'Product tea', category: 'tea', unitPrice: 5000, quantity: 1 }], coupon: null, pointsToRedeem: 0 })) }) })]));
      deciderSpecification(cartDecider(() => E.left('sold out' as never))).given(given).when(checkout()).thenRejects('PRICING_REFUSED');
    });

    it('refuses more points than may pay', () =>
      spec.given([cartOpened, itemAdded('tea', 5000, 1)]).when(checkout('o1', 5000)).thenRejects('POINTS_LIMIT_EXCEEDED'));
  });
});
