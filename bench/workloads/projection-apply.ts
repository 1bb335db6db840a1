import * as E from 'fp-ts/Either';
import { Pool } from 'pg';
import { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import { PostgresReadModelStore } from '../../src/adapters/read-model/postgres/postgres-read-model-store';
import type { EventStore } from '../../src/engine/event-store/event-store';
import { analyticsProjection } from '../../src/projections/analytics/projection';
import { logisticsProjection } from '../../src/projections/logistics/projection';
import { orderHistoryProjection } from '../../src/projections/order-history/projection';
import type { ProjectionDefinition } from '../../src/projections/projection';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import type { ReadModelStore } from '../../src/projections/read-model-store';
import { BenchFailure } from '../failure';
import { benchPostgresUrl, CONNECTION_TIMEOUT_MS, displayedPostgresUrl, dropSchema, freshSchemaName } from '../postgres/bench-postgres';
import { collectGarbage } from '../measure/process-memory';
import { type Elapsed, startStopwatch } from '../measure/stopwatch';

/**
 * Projection apply: the three projections (order history, logistics, analytics) together, each through its
 * own ProjectionRunner with its default batching, as a host runs them, from before the first event to the
 * head of a store W2 has filled (order lifecycles: the events these projections read). The clock runs from
 * the runners' start until all three have committed the checkpoint of the head event; every batch's
 * documents and checkpoint are stored on the way. Events/s counts stored events, each offered to all three.
 */
export interface ProjectionApplyRunner {
  readonly name: string;
  readonly applyAll: (store: EventStore) => Promise<Elapsed & { readonly events: number }>;
}

const PROJECTIONS = [orderHistoryProjection, logisticsProjection, analyticsProjection] as readonly ProjectionDefinition<unknown>[];

const applyAllThree = async (eventStore: EventStore, readModels: ReadModelStore): Promise<Elapsed & { readonly events: number }> => {
  const head = await eventStore.headPosition();
  if (head === undefined) throw new BenchFailure('projection apply was handed an empty event store');
  const runners = PROJECTIONS.map((projection) => new ProjectionRunner({ eventStore, readModels, projection }));
  collectGarbage();
  const stopwatch = startStopwatch();
  for (const runner of runners) {
    const started = await runner.start();
    if (E.isLeft(started)) throw new BenchFailure(`${runner.version.projection} did not start: ${started.left.message}`);
  }
  const outcomes = await Promise.all(runners.map((runner) => runner.whenProcessed(head)));
  const elapsed = stopwatch.stop();
  await Promise.all(runners.map((runner) => runner.stop()));
  const failed = outcomes.find(E.isLeft);
  if (failed !== undefined) throw new BenchFailure(`a projection halted: ${failed.left.message}`);
  for (const runner of runners) {
    const checkpoint = await readModels.checkpoint(runner.version);
    if (E.isLeft(checkpoint) || checkpoint.right !== head) throw new BenchFailure(`${runner.version.projection} stopped short of position ${head}`);
  }
  return { ...elapsed, events: head + 1 };
};

export const MEMORY_READ_MODELS = 'in-memory read models';
export const POSTGRES_READ_MODELS = 'PostgreSQL read models';

const memoryReadModels: ProjectionApplyRunner = {
  name: MEMORY_READ_MODELS,
  applyAll: (store) => applyAllThree(store, new MemoryReadModelStore()),
};

/** A schema of its own per run, dropped afterwards, so that runs neither meet nor leave anything behind. */
const postgresReadModels: ProjectionApplyRunner = {
  name: POSTGRES_READ_MODELS,
  applyAll: async (store) => {
    const pool = new Pool({ connectionString: benchPostgresUrl, max: 4, connectionTimeoutMillis: CONNECTION_TIMEOUT_MS });
    pool.on('error', () => undefined);
    const schema = freshSchemaName('projections');
    try {
      const opened = await PostgresReadModelStore.open({ connection: { pool }, schema });
      if (E.isLeft(opened)) throw new BenchFailure(`PostgreSQL read models at ${displayedPostgresUrl()}: ${opened.left.message}`);
      try {
        return await applyAllThree(store, opened.right);
      } finally {
        await opened.right.close();
      }
    } finally {
      await pool.end();
      await dropSchema(schema).catch(() => undefined);
    }
  },
};

export const projectionApplyRunners: readonly ProjectionApplyRunner[] = [memoryReadModels, postgresReadModels];
