import fc from 'fast-check';
import { CartCommand } from '../../src/domain/cart/commands';
import { Identifier } from '../../src/domain/shared/codecs';
import { cartCommandArbitrary, catalogueArbitrary, identifierArbitrary } from '../../src/testing';

describe('the testing arbitraries', () => {
  it('make identifiers the engine accepts, and refuse a prefix that would make ones it refuses', () => {
    fc.assert(fc.property(identifierArbitrary('x'.repeat(119)), (id) => expect(Identifier.is(id)).toBe(true)));
    expect(() => identifierArbitrary('x'.repeat(120))).toThrow(RangeError);
    expect(() => identifierArbitrary('two words')).toThrow('identifierArbitrary: prefix "two words" makes ids the engine refuses');
  });

  it('make only commands the codecs accept, for cart ids of any valid length (200 runs)', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 128 }).chain((length) =>
          catalogueArbitrary().chain((catalogue) => cartCommandArbitrary('c'.repeat(length), 'CNY', catalogue)),
        ),
        (command) => expect(CartCommand.is(command)).toBe(true),
      ),
      { numRuns: 200 },
    ));

  it('select no more products than a cart holds, however large the catalogue (300 runs)', () => {
    const catalogue = Array.from({ length: 250 }, (_, i) => ({ sku: `sku-${i}`, name: 'Tea', category: 'tea', unitPrice: 100 }));
    // Arrays as long as their bounds allow, which fast-check's default size seldom makes.
    const configured = fc.readConfigureGlobal();
    fc.configureGlobal({ ...configured, baseSize: 'xlarge' });
    try {
      fc.assert(
        fc.property(cartCommandArbitrary('c1', 'CNY', catalogue), (command) => expect(CartCommand.is(command)).toBe(true)),
        { numRuns: 300 },
      );
    } finally {
      fc.configureGlobal(configured);
    }
  });
});
