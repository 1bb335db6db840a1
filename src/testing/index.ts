/**
 * Helpers for testing code built on ordersource the way the project tests itself: a given/when/then
 * specification for any decider, and fast-check arbitraries for valid commands. Needs `fast-check`.
 *
 * @module ordersource/testing
 */
export { deciderSpecification } from './decider-specification';
export type { DecisionAssertions, SpecificationOptions } from './decider-specification';
export {
  cartCommandArbitrary,
  catalogueArbitrary,
  couponArbitrary,
  currencyArbitrary,
  identifierArbitrary,
  moneyArbitrary,
  orderCommandArbitrary,
  paymentCommandArbitrary,
  shippingAddressArbitrary,
} from './arbitraries';
export type { CatalogueItem } from './arbitraries';
