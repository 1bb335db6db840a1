import fc from 'fast-check';
import { CartCommand } from '../../src/domain/cart/commands';
import { cartCommandArbitrary, catalogueArbitrary } from '../../src/testing';

describe('the testing arbitraries', () => {
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
