import { MemoryEventStore } from '../src/adapters/event-store/memory/memory-event-store';
import type { EventStore } from '../src/engine/event-store/event-store';

/** What a configuration's figures are divided by: `plain-map` is the plain limit of bench-workload.md. */
export type BaselineKind = 'plain-map';

export const baselineLabels: Readonly<Record<BaselineKind, string>> = { 'plain-map': 'plain Map' };

/**
 * A store the engine is measured on. Adding a row of the report for another adapter (PostgreSQL,
 * EventStoreDB) means adding a configuration here, with its baseline (raw PostgreSQL for the former).
 */
export interface StoreConfiguration {
  readonly name: string;
  readonly label: string;
  /** Concurrent writers for W1 and W2; a server store's raw baseline uses as many connections. */
  readonly writers: number;
  readonly baseline: BaselineKind;
  /** A new, empty store for one run; the run closes it. */
  readonly openStore: () => Promise<EventStore>;
}

export const configurations: readonly StoreConfiguration[] = [
  {
    name: 'memory',
    label: 'in-memory',
    writers: 1,
    baseline: 'plain-map',
    openStore: () => Promise.resolve(new MemoryEventStore()),
  },
];

export const configurationNamed = (name: string): StoreConfiguration | undefined => configurations.find((c) => c.name === name);
