import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { PricedCheckout, pricingInconsistency, PricingInput, standardPricingPolicy, StandardPricingRules } from '../../src/domain/pricing/pricing-policy';
import { couponArbitrary } from '../../src/testing';

const rules: StandardPricingRules = {
  shippingFee: 800,
  freeShippingThreshold: 9900,
  gifts: [{ minimumSpend: 20000, gift: { sku: 'gift-tin', name: 'Tea tin', category: 'gifts', quantity: 1 } }],
  rebates: [
    { threshold: 30000, amountOff: 3000 },
    { threshold: 50000, amountOff: 6000 },
  ],
  pointValue: 1,
  maxPointsPercent: 50,
};
const price = standardPricingPolicy(rules);

const line = (sku: string, unitPrice: number, quantity: number) => ({ sku, name: sku, category: 'tea', unitPrice, quantity });
const priced = (input: Partial<PricingInput>): PricedCheckout => {
  const result = price({ currency: 'CNY', lines: [line('tea', 5000, 1)], coupon: null, pointsToRedeem: 0, ...input });
  if (E.isLeft(result)) throw new Error(result.left.message);
  return result.right;
};

describe('standard pricing', () => {
  it('charges shipping below the free-shipping threshold and not above it', () => {
    expect(priced({ lines: [line('tea', 5000, 1)] })).toMatchObject({ subtotal: 5000, shippingFee: 800, total: 5800 });
    expect(priced({ lines: [line('tea', 5000, 2)] })).toMatchObject({ subtotal: 10000, shippingFee: 0, total: 10000 });
  });

  it('takes a fixed coupon off the subtotal, never more than the subtotal', () => {
    expect(priced({ coupon: { code: 'F', kind: 'fixed', amountOff: 1000, minimumSpend: 0 } })).toMatchObject({ couponDiscount: 1000, total: 4800 });
    expect(priced({ coupon: { code: 'F', kind: 'fixed', amountOff: 99999, minimumSpend: 0 } })).toMatchObject({ couponDiscount: 5000, shippingFee: 800, total: 800 });
  });

  it('takes a percentage coupon off, rounding down', () => {
    expect(priced({ lines: [line('tea', 3333, 1)], coupon: { code: 'P', kind: 'percentage', percentOff: 10, minimumSpend: 0 } })).toMatchObject({
      couponDiscount: 333,
    });
  });

  it('applies the best rebate the merchandise reaches, and adds gifts from their minimum spend', () => {
    const result = priced({ lines: [line('tea', 10000, 6)] });
    expect(result).toMatchObject({ subtotal: 60000, rebateDiscount: 6000, shippingFee: 0, total: 54000 });
    expect(result.gifts).toEqual([{ sku: 'gift-tin', name: 'Tea tin', category: 'gifts', quantity: 1 }]);
    expect(priced({ lines: [line('tea', 10000, 1)] }).gifts).toEqual([]);
  });

  it('lets points pay up to half of what is due', () => {
    expect(priced({ pointsToRedeem: 2900 })).toMatchObject({ pointsDiscount: 2900, total: 2900 });
    expect(price({ currency: 'CNY', lines: [line('tea', 5000, 1)], coupon: null, pointsToRedeem: 2901 })).toEqual(
      E.left(expect.objectContaining({ code: 'POINTS_LIMIT_EXCEEDED' })),
    );
  });

  it('takes no points where a shop values them at nothing: the shopper would lose them for nothing off', () => {
    const worthless = standardPricingPolicy({ ...rules, pointValue: 0 });
    expect(worthless({ currency: 'CNY', lines: [line('tea', 5000, 1)], coupon: null, pointsToRedeem: 10 })).toEqual(E.left(expect.objectContaining({ code: 'POINTS_NOT_ACCEPTED' })));
    expect(worthless({ currency: 'CNY', lines: [line('tea', 5000, 1)], coupon: null, pointsToRedeem: 0 })).toMatchObject(E.right({ pointsRedeemed: 0, total: 5800 }));
  });

  it('takes the coupon and the rebate off the goods alone: shipping keeps its fee, and a line its goods’ cost', () => {
    const couponed = priced({ lines: [line('tea', 10000, 1)], coupon: { code: 'F', kind: 'fixed', amountOff: 9000, minimumSpend: 0 } });
    expect(couponed).toMatchObject({ total: 1800, shippingFee: 800, shippingPaid: 800, lines: [{ paidAmount: 1000 }] });
    // Points pay for goods and shipping alike: here the coupon paid for every good, so the cash paid for shipping.
    const withPoints = priced({ lines: [line('tea', 10000, 1)], coupon: { code: 'F', kind: 'fixed', amountOff: 10000, minimumSpend: 0 }, pointsToRedeem: 400 });
    expect(withPoints).toMatchObject({ total: 400, shippingPaid: 400, lines: [{ paidAmount: 0 }] });
  });

  it('splits what is paid over the lines and shipping exactly', () => {
    const result = priced({ lines: [line('a', 3333, 1), line('b', 3333, 1), line('c', 1, 1)], coupon: { code: 'P', kind: 'percentage', percentOff: 33, minimumSpend: 0 } });
    expect(result.lines.reduce((sum, l) => sum + l.paidAmount, result.shippingPaid)).toBe(result.total);
  });

  describe('properties (500 runs each)', () => {
    const input = fc.record({
      lines: fc.array(fc.record({ unitPrice: fc.integer({ min: 0, max: 100_000 }), quantity: fc.integer({ min: 1, max: 99 }) }), { minLength: 1, maxLength: 8 }),
      coupon: fc.option(couponArbitrary, { nil: null }),
      pointsToRedeem: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 1_000_000 })),
    });
    const run = (fn: (result: PricedCheckout) => void) =>
      fc.assert(
        fc.property(input, ({ lines, coupon, pointsToRedeem }) => {
          const result = price({ currency: 'CNY', lines: lines.map((l, i) => line(`s${i}`, l.unitPrice, l.quantity)), coupon, pointsToRedeem });
          if (E.isRight(result)) fn(result.right);
        }),
        { numRuns: 500 },
      );

    it('no amount is ever negative', () =>
      run((r) => {
        for (const amount of [r.subtotal, r.couponDiscount, r.rebateDiscount, r.shippingFee, r.pointsDiscount, r.total, ...r.lines.map((l) => l.paidAmount)]) {
          expect(Number.isSafeInteger(amount) && amount >= 0).toBe(true);
        }
      }));

    it('no discount exceeds what it discounts', () =>
      run((r) => {
        expect(r.couponDiscount).toBeLessThanOrEqual(r.subtotal);
        expect(r.rebateDiscount).toBeLessThanOrEqual(r.subtotal - r.couponDiscount);
        expect(r.pointsDiscount).toBeLessThanOrEqual(r.subtotal - r.couponDiscount - r.rebateDiscount + r.shippingFee);
        for (const l of r.lines) expect(l.paidAmount).toBeLessThanOrEqual(l.lineTotal);
      }));

    it('every priced checkout adds up', () => run((r) => expect(pricingInconsistency(r)).toBeNull()));

    it('without points, shipping is paid its whole fee and the lines the rest', () =>
      run((r) => {
        if (r.pointsDiscount === 0) expect(r.shippingPaid).toBe(r.shippingFee);
      }));
  });
});

describe('standard pricing near the largest exact amount', () => {
  it('refuses a subtotal or an amount payable past Number.MAX_SAFE_INTEGER', () => {
    const refused = (input: Partial<PricingInput>) => price({ currency: 'CNY', lines: [line('tea', 5000, 1)], coupon: null, pointsToRedeem: 0, ...input });
    expect(refused({ lines: [line('a', Number.MAX_SAFE_INTEGER, 2)] })).toEqual(E.left(expect.objectContaining({ code: 'AMOUNT_TOO_LARGE' })));
    expect(refused({ lines: [line('a', 5e15, 1), line('b', 5e15, 1)] })).toEqual(E.left(expect.objectContaining({ code: 'AMOUNT_TOO_LARGE' })));
    // With no rebate and no free shipping, the shipping fee pushes the amount payable over.
    const paidShipping = standardPricingPolicy({ ...rules, rebates: [], freeShippingThreshold: Number.MAX_SAFE_INTEGER });
    expect(paidShipping({ currency: 'CNY', lines: [line('a', Number.MAX_SAFE_INTEGER - 100, 1)], coupon: null, pointsToRedeem: 0 })).toEqual(
      E.left(expect.objectContaining({ code: 'AMOUNT_TOO_LARGE', details: { amount: '9007199254741691' } })),
    );
  });

  it('says exactly what the figure would be, which a number would round', () => {
    const refused = price({ currency: 'CNY', lines: [line('a', Number.MAX_SAFE_INTEGER, 9999)], coupon: null, pointsToRedeem: 0 });
    expect(refused).toEqual(
      E.left({
        code: 'AMOUNT_TOO_LARGE',
        message: 'the subtotal would be 90062985348155169009, more than the 9007199254740991 minor units an amount can be',
        details: { amount: '90062985348155169009' },
      }),
    );
  });

  it('every priced checkout of large amounts adds up, in integers (500 runs)', () =>
    fc.assert(
      fc.property(
        fc.array(fc.record({ unitPrice: fc.integer({ min: 0, max: 1e12 }), quantity: fc.integer({ min: 1, max: 9999 }) }), { minLength: 1, maxLength: 8 }),
        fc.option(couponArbitrary, { nil: null }),
        fc.nat(),
        (lines, coupon, pointsToRedeem) => {
          const result = price({ currency: 'CNY', lines: lines.map((l, i) => line(`s${i}`, l.unitPrice, l.quantity)), coupon, pointsToRedeem });
          if (E.isLeft(result)) {
            expect(['AMOUNT_TOO_LARGE', 'COUPON_MINIMUM_SPEND_NOT_MET', 'POINTS_LIMIT_EXCEEDED']).toContain(result.left.code);
            return;
          }
          expect(PricedCheckout.is(result.right)).toBe(true);
          expect(pricingInconsistency(result.right)).toBeNull();
        },
      ),
      { numRuns: 500 },
    ));
  it('checks figures past 2^53 exactly: a total one minor unit short is caught, though floating point cannot see it', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const half = 2 ** 52;
    const checkout = {
      currency: 'CNY',
      lines: [{ sku: 's', name: 'n', category: 'c', unitPrice: max, quantity: 1, lineTotal: max, paidAmount: half - 2 }],
      subtotal: max,
      couponCode: null,
      couponDiscount: 0,
      rebateDiscount: 0,
      shippingFee: 2,
      shippingPaid: 2,
      gifts: [],
      pointsRedeemed: half,
      pointsDiscount: half,
      total: half,
    };
    expect(pricingInconsistency(checkout)).toBe('the total is not subtotal − discounts + shipping − points');
    expect(pricingInconsistency({ ...checkout, total: half + 1, lines: [{ ...checkout.lines[0]!, paidAmount: half - 1 }] })).toBeNull();
  });
  it('refuses every checkout priced with rules that are not whole, non-negative amounts, naming the rule', () => {
    const input: PricingInput = { currency: 'CNY', lines: [{ sku: 'tea', name: 'Tea', category: 'tea', unitPrice: 5000, quantity: 1 }], coupon: null, pointsToRedeem: 0 };
    const rules = { shippingFee: 800, freeShippingThreshold: 9900, gifts: [], rebates: [], pointValue: 1, maxPointsPercent: 50 };
    const refusals = [
      [{ ...rules, maxPointsPercent: 150 }, 'maxPointsPercent is not a whole percentage, 0 to 100'],
      [{ ...rules, shippingFee: 7.5 }, 'shippingFee is not NonNegativeInteger'],
      [{ ...rules, gifts: [{ minimumSpend: 0, gift: { sku: 'tote bag', name: 'Tote', category: 'bags', quantity: 1 } }] }, 'gifts.0.gift.sku is not Identifier'],
    ] as const;
    for (const [invalid, problem] of refusals) {
      expect(standardPricingPolicy(invalid as StandardPricingRules)(input)).toEqual(
        E.left(expect.objectContaining({ code: 'PRICING_RULES_INVALID', message: `the shop's pricing rules are not valid: ${problem}` })),
      );
    }
    expect(E.isRight(standardPricingPolicy(rules)(input))).toBe(true);
  });
});
