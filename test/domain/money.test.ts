import fc from 'fast-check';
import { allocate, format, money, scaleDown } from '../../src/domain/shared/money';

/** Amounts up to the largest safe integer, with the small ones and the ones near 2^53 both well represented. */
const amount = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.maxSafeNat(), fc.integer({ min: Number.MAX_SAFE_INTEGER - 1_000_000, max: Number.MAX_SAFE_INTEGER }));

/** Weights whose sum stays a safe integer, as the pricing policy's line totals and shipping fee do. */
const weights = fc
  .array(amount, { minLength: 1, maxLength: 10 })
  .map((ws) => ws.map((w) => Math.floor(w / ws.length)));

describe('money arithmetic', () => {
  it('scaleDown is floor(amount × numerator / denominator) exactly, past 2^53 too (1,000 runs)', () => {
    fc.assert(
      fc.property(amount, amount, fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (a, n, d) => {
        expect(scaleDown(a, n, d)).toBe(Number((BigInt(a) * BigInt(n)) / BigInt(d)));
      }),
      { numRuns: 1_000 },
    );
  });

  it('allocate splits any total exactly, each part within one unit of its exact share (1,000 runs)', () => {
    fc.assert(
      fc.property(amount, weights, (total, ws) => {
        const parts = allocate(total, ws);
        expect(parts.reduce((sum, p) => sum + p, 0)).toBe(total);
        const weightSum = BigInt(ws.reduce((sum, w) => sum + w, 0));
        if (weightSum === 0n) return;
        parts.forEach((part, i) => {
          const exactFloor = (BigInt(total) * BigInt(ws[i] ?? 0)) / weightSum;
          expect(Number.isSafeInteger(part)).toBe(true);
          expect(BigInt(part) - exactFloor >= 0n && BigInt(part) - exactFloor <= 1n).toBe(true);
        });
      }),
      { numRuns: 1_000 },
    );
  });

  it('allocate gives the units left over to the largest remainders, earlier weights first on a tie', () => {
    expect(allocate(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(allocate(100, [1, 2])).toEqual([33, 67]);
    // Exact shares 3602879701896339 r 3 and 5404319552844509 r 2 (of 5): the unit left over goes to the
    // first. Float shares of the same split (× 2 and × 3 rounded past 2^53) gave it to the second.
    expect(allocate(9007199254740849, [2, 3])).toEqual([3602879701896340, 5404319552844509]);
  });
});

describe('money for display', () => {
  it("writes an amount in its currency's minor unit, exactly, whatever its size", () => {
    expect([format(money(12345, 'CNY')), format(money(5, 'USD')), format(money(0, 'EUR'))]).toEqual(['123.45 CNY', '0.05 USD', '0.00 EUR']);
    expect([format(money(3800, 'JPY')), format(money(1234, 'KWD')), format(money(7, 'BHD'))]).toEqual(['3800 JPY', '1.234 KWD', '0.007 BHD']);
    expect(format(money(Number.MAX_SAFE_INTEGER, 'CNY'))).toBe('90071992547409.91 CNY');
    // A host's amount that is no count of minor units is shown as it is, where 1.5 had read "1..5 CNY".
    expect([format({ amount: 1.5, currency: 'CNY' }), format({ amount: -5, currency: 'CNY' })]).toEqual(['1.5 minor units of CNY', '-5 minor units of CNY']);
  });
});
