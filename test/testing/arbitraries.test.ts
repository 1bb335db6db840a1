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
});
