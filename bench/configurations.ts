import { MemoryEventStore } from '../src/adapters/event-store/memory/memory-event-store';
import type { EventEnvelope } from '../src/engine/event-store/envelope';
import type { EventStore } from '../src/engine/event-store/event-store';
import { openBenchPostgresStore, postgresUnreachable, restoreBenchPostgresStore } from './postgres/bench-postgres';

/**
 * What a configuration's figures are divided by: `plain-map` is the plain limit of bench-workload.md,
 * `raw-pg` its raw PostgreSQL baseline (one autocommit INSERT per command with the `pg` driver, at as many
 * connections as the configuration has writers).
 */
export type BaselineKind = 'plain-map' | 'raw-pg';

export const baselineLabels: Readonly<Record<BaselineKind, string>> = { 'plain-map': 'plain Map', 'raw-pg': 'raw pg' };

/** The carts and orders a configuration's jobs use, where they differ from the in-memory store's. */
export interface ConfigurationScales {
  readonly w1Carts: readonly number[];
  /** Null: the configuration has no W2 rows. */
  readonly w2Orders: number | null;
  /** Null: the configuration has no replay rows (another configuration of the same store has them). */
  readonly replayCarts: number | null;
  /** Null: the configuration has no projection-apply rows. */
  readonly projectionApplyCarts: number | null;
}

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
  /** Scales for a server store whose commands are too slow for the in-memory scales; default: the plan's. */
  readonly scales?: { readonly full: ConfigurationScales; readonly smoke: ConfigurationScales };
  /**
   * A store filled with these events as they are (ids, revisions, hashes), for replay: a server store too
   * slow to be filled through the engine in a bench run restores what the engine wrote on the in-memory store.
   */
  readonly restoreStore?: (events: readonly EventEnvelope[]) => Promise<EventStore>;
  /** Why the configuration cannot run here (its server is unreachable), or undefined when it can. */
  readonly unavailable?: () => Promise<string | undefined>;
}

/**
 * PostgreSQL's scales: an append waits for its commit to be flushed to disk, a few milliseconds, so W1 at
 * 1,000 carts (10,000 commands) would take over a minute per run at one writer. Replay reads the store,
 * which writers and group commit do not change, so one configuration has it. See bench/README.md.
 */
const postgresScales = (replay: boolean): NonNullable<StoreConfiguration['scales']> => ({
  full: { w1Carts: [200], w2Orders: null, replayCarts: replay ? 20_000 : null, projectionApplyCarts: null },
  smoke: { w1Carts: [10], w2Orders: null, replayCarts: replay ? 20 : null, projectionApplyCarts: null },
});

const postgres = (name: string, label: string, writers: number, options: { readonly groupCommit: boolean; readonly replay: boolean }): StoreConfiguration => ({
  name,
  label,
  writers,
  baseline: 'raw-pg',
  openStore: () => openBenchPostgresStore({ groupCommit: options.groupCommit }),
  scales: postgresScales(options.replay),
  restoreStore: (events) => restoreBenchPostgresStore(events),
  unavailable: postgresUnreachable,
});

export const configurations: readonly StoreConfiguration[] = [
  {
    name: 'memory',
    label: 'in-memory',
    writers: 1,
    baseline: 'plain-map',
    openStore: () => Promise.resolve(new MemoryEventStore()),
  },
  postgres('postgres-1', 'PostgreSQL, 1 writer', 1, { groupCommit: false, replay: true }),
  postgres('postgres-8', 'PostgreSQL, 8 writers', 8, { groupCommit: false, replay: false }),
  postgres('postgres-8-group', 'PostgreSQL, 8 writers, group commit', 8, { groupCommit: true, replay: false }),
];

export const configurationNamed = (name: string): StoreConfiguration | undefined => configurations.find((c) => c.name === name);
