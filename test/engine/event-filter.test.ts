import fc from 'fast-check';
import { filterMatcher, matchesFilter, type EventFilter } from '../../src/engine/event-store/event-store';

const names = fc.constantFrom('cart-', 'order-', 'payment-', 'cart-1', 'order-20261125', '');
const types = fc.constantFrom('CartOpened', 'OrderPlaced', 'OrderPaid', 'PaymentCaptured', 'orderplaced');
const filters: fc.Arbitrary<EventFilter | undefined> = fc.option(
  fc
    .tuple(fc.option(fc.array(names, { maxLength: 3 }), { nil: undefined }), fc.option(fc.array(types, { maxLength: 4 }), { nil: undefined }))
    .map(([streamPrefixes, eventTypes]): EventFilter => ({ ...(streamPrefixes === undefined ? {} : { streamPrefixes }), ...(eventTypes === undefined ? {} : { eventTypes }) })),
  { nil: undefined },
);
const events = fc.record({ streamId: fc.tuple(names, fc.constantFrom('', '7', 'x')).map(([a, b]) => a + b), type: types });

describe('an event filter made once (filterMatcher)', () => {
  it('lets through exactly the events matchesFilter lets through', () => {
    fc.assert(
      fc.property(filters, fc.array(events, { maxLength: 20 }), (filter, sample) => {
        const matches = filterMatcher(filter);
        for (const event of sample) expect(matches(event)).toBe(matchesFilter(filter, event));
      }),
      { seed: 20261125, numRuns: 300 },
    );
  });

  it('tests the stream prefix and the type both', () => {
    const matches = filterMatcher({ streamPrefixes: ['order-'], eventTypes: ['OrderPaid'] });
    expect(matches({ streamId: 'order-1', type: 'OrderPaid' })).toBe(true);
    expect(matches({ streamId: 'cart-1', type: 'OrderPaid' })).toBe(false);
    expect(matches({ streamId: 'order-1', type: 'OrderPlaced' })).toBe(false);
  });
});
