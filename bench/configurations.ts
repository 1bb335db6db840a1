import { MemoryEventStore } from '../src/adapters/event-store/memory/memory-event-store';
import type { EventEnvelope } from '../src/engine/event-store/envelope';
import type { EventStore } from '../src/engine/event-store/event-store';
import { openEventStoreDbOnTestServer } from './eventstoredb/eventstoredb-bench-store';
import type { Workload } from './jobs';
import type { Elapsed } from './measure/stopwatch';
import { openBenchPostgresStore, postgresUnreachable, restoreBenchPostgresStore } from './postgres/bench-postgres';

/**
 * What a configuration's figures are divided by: `plain-map` is the plain limit of bench-workload.md;
 * `raw-pg` its raw PostgreSQL baseline (one autocommit INSERT per command with the `pg` driver, at as many
 * connections as the configuration has writers); `raw-esdb-client` the same commands decided on a plain Map
 * and appended with the bare `@eventstore/db-client` to the same kind of server, at the same concurrency.
 */
export type BaselineKind = 'plain-map' | 'raw-pg' | 'raw-esdb-client';

export const baselineLabels: Readonly<Record<BaselineKind, string>> = {
  'plain-map': 'plain Map',
  'raw-pg': 'raw pg',
  'raw-esdb-client': 'raw db-client, same test server',
};

/** How big each workload is run: carts for W1 (one figure per entry), replay and projection apply, orders for W2. */
export interface WorkloadScales {
  readonly w1Carts: readonly number[];
  readonly w2Orders: number;
  readonly replayCarts: number;
  /** The W1 run whose commands and events each guarantee is measured on. */
  readonly guaranteeCarts: number;
}

/** Where a replay figure on a restored store keeps the driver-alone read of the same rows (rows/s). */
export const DRIVER_ROWS_PER_SECOND = 'driverRowsPerSecond';
export const DRIVER_ROWS_PER_CPU_SECOND = 'driverRowsPerCpuSecond';

/** A store restored for replay, and the store's driver alone reading the same rows, for scale. */
export interface RestoredStore {
  readonly store: EventStore;
  /**
   * Reads every event row as the store's own `readAll` does (same columns, pages, type parsers), but with
   * the driver alone: no envelope check, decoding or fold. Replay cannot beat this on the same connection.
   */
  readonly timeDriverReadingAllRows: () => Promise<{ readonly rows: number } & Elapsed>;
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
  /** The workloads measured on this store, in the plan's order; every one when absent. */
  readonly workloads?: readonly Workload[];
  /** Scales of its own, per kind of run, where the plan's would take too long on this store. */
  readonly scales?: { readonly full?: Partial<WorkloadScales>; readonly smoke?: Partial<WorkloadScales> };
  /** What a reader must know to read its figures right; printed under the table. */
  readonly note?: string;
  /**
   * A store filled with these events as they are (ids, revisions, hashes), for replay: a server store too
   * slow to be filled through the engine in a bench run restores what the engine wrote on the in-memory store.
   */
  readonly restoreStore?: (events: readonly EventEnvelope[]) => Promise<RestoredStore>;
  /** The engine's state cache, in streams per aggregate type, where it is not the engine's default. */
  readonly stateCacheSize?: number;
  /** Why the configuration cannot run here (its server is unreachable), or undefined when it can. */
  readonly unavailable?: () => Promise<string | undefined>;
}

/**
 * PostgreSQL's scales: an append waits for its commit to be flushed to disk, so W1 runs at the smallest of
 * bench-workload.md's scales, 1,000 carts (10,000 timed commands, 4 to 15 seconds a run at one writer), not
 * 10,000. At 200 carts, the size it had, a run was over in a second or two, and the engine's and the
 * driver's code being compiled meanwhile was a fair part of what it measured. W2 at 500 orders is 8,000
 * commands. Replay reads the store, which writers and group commit do not change, so one configuration has
 * it. See bench/README.md.
 */
const POSTGRES_SCALES: NonNullable<StoreConfiguration['scales']> = {
  full: { w1Carts: [1_000], w2Orders: 500, replayCarts: 20_000 },
  smoke: { w1Carts: [10], w2Orders: 20, replayCarts: 20 },
};

const postgres = (name: string, label: string, writers: number, options: { readonly groupCommit: boolean; readonly workloads: readonly Workload[] }): StoreConfiguration => ({
  name,
  label,
  writers,
  baseline: 'raw-pg',
  openStore: () => openBenchPostgresStore({ groupCommit: options.groupCommit }),
  workloads: options.workloads,
  scales: POSTGRES_SCALES,
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
  {
    // Over the in-memory store the engine keeps every stream's state (the store holds every event anyway).
    // This row bounds the cache at the 10,000 streams a durable store gets by default: at 100,000 carts
    // step-major every W1 command then finds its state evicted and decodes and folds its stream again,
    // the cold path the default row no longer takes.
    name: 'memory-bounded-cache',
    label: 'in-memory, state cache 10,000',
    writers: 1,
    baseline: 'plain-map',
    openStore: () => Promise.resolve(new MemoryEventStore()),
    stateCacheSize: 10_000,
    workloads: ['w1'],
    scales: { full: { w1Carts: [100_000] }, smoke: { w1Carts: [200] } },
  },
  {
    name: 'esdb',
    label: 'EventStoreDB adapter, client side',
    // More writers add nothing here: the single-threaded test server is the bottleneck of every writer.
    writers: 1,
    baseline: 'raw-esdb-client',
    openStore: openEventStoreDbOnTestServer,
    workloads: ['w1', 'w2', 'w2-hot', 'replay'],
    // Every command is a gRPC round trip to a server in another process (2,000 to 3,000 a second): these
    // scales keep this store's share of a full run, three runs of every figure, to about four minutes.
    scales: { full: { w1Carts: [2_000], w2Orders: 300, replayCarts: 1_000 }, smoke: { w1Carts: [50], w2Orders: 20, replayCarts: 50 } },
    note:
      'EventStoreDB figures are client-side overhead, not server throughput: the adapter, and the raw client beside it, talk gRPC to ' +
      "the repository's protocol test server (test/support, in a child process), whose speed says nothing of a real EventStoreDB node. " +
      'The ratio is the engine and adapter (envelope, hash chain, decoding, idempotency) over the bare client on the same server.',
  },
  // W2's hot-stream variant always runs at 8 writers, so the plain 8-writer row has it for both plain rows.
  postgres('postgres-1', 'PostgreSQL, 1 writer', 1, { groupCommit: false, workloads: ['w1', 'w2', 'replay'] }),
  postgres('postgres-8', 'PostgreSQL, 8 writers', 8, { groupCommit: false, workloads: ['w1', 'w2', 'w2-hot'] }),
  postgres('postgres-8-group', 'PostgreSQL, 8 writers, group commit', 8, { groupCommit: true, workloads: ['w1', 'w2', 'w2-hot'] }),
];

export const configurationNamed = (name: string): StoreConfiguration | undefined => configurations.find((c) => c.name === name);
