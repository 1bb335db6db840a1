/**
 * Helpers for testing code built on ordersource the way the project tests itself: a given/when/then
 * specification for any decider, fast-check arbitraries for valid commands, and the contract suites every
 * event-store and read-model-store adapter passes. Needs `fast-check`.
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
export { describeEventStoreContract, eventStoreContractCases } from './contract/event-store-contract';
export type { EventStoreHarness } from './contract/event-store-contract';
export { describeReadModelStoreContract, readModelStoreContractCases } from './contract/read-model-store-contract';
export type { ReadModelStoreHarness } from './contract/read-model-store-contract';
export type { ContractCase, ContractHarness, ContractSuiteOptions } from './contract/contract-case';
export type { TestFramework } from './contract/test-framework';
