import { MemoryEventStore } from '../src/adapters/event-store/memory/memory-event-store';
import type { EventEnvelope } from '../src/engine/event-store/envelope';
import type { EventStore } from '../src/engine/event-store/event-store';
import { configurationNamed, DRIVER_ROWS_PER_CPU_SECOND, DRIVER_ROWS_PER_SECOND, RestoredStore, StoreConfiguration } from './configurations';
import { runReplayRawClient, runW1RawClient, runW2RawClient } from './eventstoredb/raw-client-baseline';
import { BenchFailure } from './failure';
import { JobResult, JobSpec, Measurement, Progress, unitOf } from './jobs';
import { latencyPercentiles } from './measure/latency';
import { addRepetitions, Repetitions } from './measure/repetitions';
import { peakRssMiB } from './measure/process-memory';
import { runReplayRawPostgres, runW1RawPostgres, runW2RawPostgres } from './postgres/raw-postgres';
import { runGuaranteeCosts } from './workloads/guarantee-costs';
import { projectionApplyRunners } from './workloads/projection-apply';
import { replayStore, runReplayOnEngine, runReplayPlain } from './workloads/replay';
import { runW1OnEngine, runW1Plain } from './workloads/w1-cart-churn';
import { runW2OnEngine, runW2Plain } from './workloads/w2-order-lifecycle';

const runRawEventStoreDbClient = (spec: JobSpec, progress: Progress): Promise<Measurement> => {
  switch (spec.workload) {
    case 'w1':
      return runW1RawClient(spec.scale, spec.writers, progress);
    case 'w2':
    case 'w2-hot':
      return runW2RawClient(spec.scale, spec.writers, spec.workload === 'w2-hot', progress);
    case 'replay':
      return runReplayRawClient(spec.scale, spec.writers, progress);
    default:
      throw new BenchFailure(`${spec.workload} has no raw EventStoreDB client baseline`);
  }
};

const runRawPostgres = (spec: JobSpec, progress: Progress): Promise<Measurement> => {
  switch (spec.workload) {
    case 'w1':
      return runW1RawPostgres(spec.scale, spec.writers, progress);
    case 'w2':
    case 'w2-hot':
      return runW2RawPostgres(spec.scale, spec.writers, spec.workload === 'w2-hot', progress);
    case 'replay':
      return runReplayRawPostgres(spec.scale, progress);
    default:
      throw new BenchFailure(`the raw PostgreSQL baseline has no ${spec.workload}`);
  }
};

const runBaseline = async (spec: JobSpec, progress: Progress): Promise<Measurement> => {
  const baseline = configurationNamed(spec.configuration)?.baseline;
  if (baseline === 'raw-esdb-client') return runRawEventStoreDbClient(spec, progress);
  if (baseline === 'raw-pg') return runRawPostgres(spec, progress);
  switch (spec.workload) {
    case 'w1':
      return runW1Plain(spec.scale, progress);
    case 'w2':
    case 'w2-hot':
      return runW2Plain(spec.scale, spec.workload === 'w2-hot', progress);
    case 'replay':
      return runReplayPlain(spec.scale, progress);
    case 'projection-apply':
    case 'guarantees':
      throw new BenchFailure(`${spec.workload} has no plain baseline`);
  }
};

/** Every event of a store, in global order. */
const allEvents = async (store: EventStore): Promise<EventEnvelope[]> => {
  const events: EventEnvelope[] = [];
  let after: number | undefined;
  for (;;) {
    const page = await store.readAll(after === undefined ? {} : { after });
    events.push(...page.events);
    if (page.isEnd) return events;
    after = page.lastPosition;
  }
};

/**
 * The W1 store at `carts` carts, written through the engine on the in-memory store and restored into a
 * store of the configuration: the same events, ids and hashes, without hours of appends (untimed either
 * way). Nothing of the in-memory copy stays reachable, so the replay's heap holds the restored store's
 * work only.
 */
const restoredW1Store = async (restore: NonNullable<StoreConfiguration['restoreStore']>, carts: number, progress: Progress): Promise<RestoredStore> => {
  const memory = new MemoryEventStore();
  await runW1OnEngine(memory, carts, 1, (done, total) => progress(done, total * 2));
  const restored = await restore(await allEvents(memory));
  await memory.close();
  return restored;
};

/**
 * Replay of a restored store, then, untimed by it, the store's driver alone reading the same rows: the
 * ceiling of any replay over that driver and connection, kept in the figure's details.
 */
const runReplayOnRestoredStore = async (restore: NonNullable<StoreConfiguration['restoreStore']>, spec: JobSpec, progress: Progress): Promise<Measurement> => {
  const restored = await restoredW1Store(restore, spec.scale, progress);
  try {
    const replayed = await replayStore(restored.store, spec.scale, progress);
    const driver = await restored.timeDriverReadingAllRows();
    if (driver.rows !== replayed.operations) throw new BenchFailure(`the driver read ${driver.rows} rows; replay read ${replayed.operations} events`);
    return {
      ...replayed,
      details: { ...replayed.details, [DRIVER_ROWS_PER_SECOND]: driver.rows / driver.seconds, [DRIVER_ROWS_PER_CPU_SECOND]: driver.rows / driver.cpuSeconds },
    };
  } finally {
    await restored.store.close();
  }
};

const runOnEngine = async (spec: JobSpec, progress: Progress): Promise<Measurement> => {
  const configuration = configurationNamed(spec.configuration);
  if (configuration === undefined) throw new BenchFailure(`there is no configuration ${spec.configuration}`);
  if (spec.workload === 'replay' && configuration.restoreStore !== undefined) return runReplayOnRestoredStore(configuration.restoreStore, spec, progress);
  const store = await configuration.openStore();
  try {
    switch (spec.workload) {
      case 'w1':
        return await runW1OnEngine(store, spec.scale, spec.writers, progress, configuration.stateCacheSize);
      case 'w2':
      case 'w2-hot':
        return await runW2OnEngine(store, spec.scale, spec.writers, spec.workload === 'w2-hot', progress);
      case 'replay':
        return await runReplayOnEngine(store, spec.scale, spec.writers, progress);
      case 'guarantees':
        return await runGuaranteeCosts(store, spec.scale, progress);
      case 'projection-apply': {
        const runner = projectionApplyRunners.find((r) => r.name === spec.projection);
        if (runner === undefined) throw new BenchFailure(`there is no projection runner ${spec.projection ?? ''}`);
        // Order lifecycles, written untimed: the events order history, logistics and analytics read.
        await runW2OnEngine(store, spec.scale, spec.writers, false, (done, total) => progress(done, total * 2));
        const applied = await runner.applyAll(store);
        const { events, ...elapsed } = applied;
        return { operations: events, ...elapsed, latency: null, conflictRetries: null, details: { events } };
      }
    }
  } finally {
    await store.close();
  }
};

const measure = (spec: JobSpec, progress: Progress): Promise<Measurement> => (spec.subject === 'baseline' ? runBaseline(spec, progress) : runOnEngine(spec, progress));

/**
 * The guarantees job reports CPU costs that its own loops measure, not a rate over its clock, so a minimum
 * time means nothing to it: it runs once per pass.
 */
const repeatsToMinimum = (spec: JobSpec): boolean => spec.workload !== 'guarantees';

/**
 * One pass of a job: its workload, each time on fresh data, until the timed parts add up to the job's
 * `minimumSeconds`. A short job measured once would be timed over a few milliseconds (the plain `Map` does
 * W1 at 1,000 carts in 4–40 ms), a span in which one collection or one optimisation of V8 decides the
 * figure. Progress is the first run's; the repetitions after it leave the bar where it ended.
 */
const pass = async (spec: JobSpec, progress: Progress): Promise<Repetitions> => {
  const minimumSeconds = repeatsToMinimum(spec) ? (spec.minimumSeconds ?? 0) : 0;
  const runs: [Measurement, ...Measurement[]] = [await measure(spec, progress)];
  let seconds = runs[0].seconds;
  while (seconds < minimumSeconds) {
    const run = await measure(spec, () => undefined);
    runs.push(run);
    seconds += run.seconds;
  }
  return addRepetitions(runs);
};

/**
 * Runs one measurement in this process, warm: a whole pass of the job (its own stores, its own data) runs
 * untimed and is dropped, then another for the figures. A fresh process's first run is mostly start-up,
 * which flatters whatever does least per command, the plain `Map` first ("Warm" in bench/README.md gives
 * the figures). A rejected command or a wrong count rejects with a BenchFailure.
 */
export const runJob = async (spec: JobSpec, progress: Progress): Promise<JobResult> => {
  await pass(spec, (done, total) => progress(done, total * 2));
  const { latencies, ...measured } = await pass(spec, (done, total) => progress(total + done, total * 2));
  return {
    ...measured,
    latency: latencies.length === 0 ? null : latencyPercentiles(latencies),
    unit: unitOf(spec.workload),
    perSecond: measured.operations / measured.seconds,
    perCpuSecond: measured.operations / measured.cpuSeconds,
    peakRssMiB: peakRssMiB(),
  };
};
