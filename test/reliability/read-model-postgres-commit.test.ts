import * as E from 'fp-ts/Either';
import { Pool } from 'pg';
import { PostgresReadModelStore } from '../../src/adapters/read-model/postgres/postgres-read-model-store';
import type { Batch, DocumentWrite, ProjectionVersion } from '../../src/projections/read-model-store';
import { describeWithPostgres, scratchSchemaName, tableOfCollection } from '../support/postgres-read-model-database';
import { ordersAndCounters, ordersByCustomer } from '../../src/testing/contract/read-model-collections';

/*
 * A batch commits in one transaction, so whatever happens to the connection, it is either wholly there or
 * wholly absent; and committers racing from the same checkpoint, each with a pool of its own, end with
 * exactly one batch applied.
 */

const rightOrThrow = <A>(either: E.Either<{ readonly message: string }, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected success, got ${either.left.message}`);
  return either.right;
};

const COLLECTIONS = ordersAndCounters(ordersByCustomer);

const orderPuts = (prefix: string, count: number, firstPosition: number): DocumentWrite[] =>
  Array.from({ length: count }, (_, i) => ({
    kind: 'put',
    collection: 'orders',
    id: `${prefix}-${i}`,
    position: firstPosition + i,
    document: { customerId: `c${i % 7}`, placedAt: i, lines: [{ sku: `p${i}`, quantity: 1 + (i % 3) }] },
  }));

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describeWithPostgres('PostgreSQL read-model store under failure', (url) => {
  const schema = scratchSchemaName();
  const applicationName = `ordersource-read-model-${schema}`;
  let committerPool: Pool;
  let checkerPool: Pool;
  let committer: PostgresReadModelStore;
  let checker: PostgresReadModelStore;
  let counter = 0;

  const preparedVersion = async (): Promise<ProjectionVersion> => {
    counter += 1;
    const version = { projection: `reliability-${counter}`, version: 1 };
    rightOrThrow(await checker.prepare(version, COLLECTIONS));
    return version;
  };
  const countWithPrefix = async (version: ProjectionVersion, prefix: string): Promise<number> => {
    const orders = await tableOfCollection(checkerPool, schema, version, 'orders');
    const result = await checkerPool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${orders.qualified} WHERE starts_with(id, $1)`, [prefix]);
    return result.rows[0]?.n ?? -1;
  };
  /** The committer's backends, found by the application name only its pool uses. */
  const committerBackends = async (condition = 'true'): Promise<{ pid: number; query: string }[]> =>
    (await checkerPool.query<{ pid: number; query: string }>(`SELECT pid, query FROM pg_stat_activity WHERE application_name = $1 AND ${condition}`, [applicationName])).rows;
  const terminate = async (pids: readonly number[]): Promise<void> => {
    await checkerPool.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
  };

  /**
   * Commits `batch` again until it is in. The pool may still hand out a connection killed while idle (its
   * death not yet noticed), and a commit cut off after COMMIT reached the server did land: its replay then
   * finds the checkpoint already moved to the batch's own.
   */
  const replayUntilApplied = async (version: ProjectionVersion, batch: Batch): Promise<void> => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const result = await committer.commit(version, batch);
      if (E.isRight(result)) return;
      if (result.left.code === 'CHECKPOINT_MOVED' && result.left.actual === batch.checkpoint) return;
      if (result.left.code !== 'READ_MODEL_UNAVAILABLE') throw new Error(result.left.message);
    }
    throw new Error('the batch could not be replayed');
  };

  beforeAll(async () => {
    committerPool = new Pool({ connectionString: url, application_name: applicationName, max: 4 });
    // The test kills this pool's connections; an idle one dying must not end the process.
    committerPool.on('error', () => undefined);
    checkerPool = new Pool({ connectionString: url, max: 4 });
    checkerPool.on('error', () => undefined);
    checker = rightOrThrow(await PostgresReadModelStore.open({ connection: { pool: checkerPool }, schema }));
    committer = rightOrThrow(await PostgresReadModelStore.open({ connection: { pool: committerPool }, schema }));
  });
  afterAll(async () => {
    await committer.close();
    await checker.close();
    await committerPool.end();
    await checkerPool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await checkerPool.end();
  });

  it('leaves no trace of a batch whose connection is killed mid-commit, and applies it whole when replayed', async () => {
    const version = await preparedVersion();
    rightOrThrow(await committer.commit(version, { writes: [{ kind: 'put', collection: 'counters', id: 'total', position: 1, document: { n: 0 } }], checkpoint: 1, expectedCheckpoint: undefined }));
    // The orders are written first; the counter's row is held by another transaction, so the commit stops
    // there, its orders written but not committed, until its connection is killed.
    const batch = {
      writes: [...orderPuts('killed', 500, 2), { kind: 'put', collection: 'counters', id: 'total', position: 502, document: { n: 500 } } as const],
      checkpoint: 502,
      expectedCheckpoint: 1,
    };
    const holder = await checkerPool.connect();
    try {
      await holder.query('BEGIN');
      const counters = await tableOfCollection(checkerPool, schema, version, 'counters');
      await holder.query(`SELECT 1 FROM ${counters.qualified} WHERE id = 'total' FOR UPDATE`);
      const commit = committer.commit(version, batch);
      let waiting: { pid: number; query: string }[] = [];
      for (let tries = 0; tries < 400 && waiting.length === 0; tries += 1) {
        waiting = await committerBackends(`wait_event_type = 'Lock'`);
        if (waiting.length === 0) await pause(25);
      }
      expect(waiting).toHaveLength(1);
      expect(waiting[0]?.query).toContain(counters.name);
      await terminate(waiting.map((backend) => backend.pid));
      expect(await commit).toEqual(E.left(expect.objectContaining({ code: 'READ_MODEL_UNAVAILABLE' })));
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    expect(rightOrThrow(await checker.checkpoint(version))).toBe(1);
    expect(await countWithPrefix(version, 'killed-')).toBe(0);
    expect(rightOrThrow(await checker.get(version, 'counters', 'total'))?.document).toEqual({ n: 0 });

    rightOrThrow(await committer.commit(version, batch));
    expect(rightOrThrow(await checker.checkpoint(version))).toBe(502);
    expect(await countWithPrefix(version, 'killed-')).toBe(500);
    expect(rightOrThrow(await checker.get(version, 'counters', 'total'))).toEqual({ id: 'total', position: 502, document: { n: 500 } });
  });

  it('leaves each batch wholly applied or wholly absent when connections are killed at arbitrary moments', async () => {
    const version = await preparedVersion();
    const size = 600;
    const started = Date.now();
    rightOrThrow(await committer.commit(version, { writes: orderPuts('warm-up', size, 1), checkpoint: 0, expectedCheckpoint: undefined }));
    // Kills are spread over about the time a commit takes, so some land before, during and after one.
    const commitTime = Math.max(5, Date.now() - started);
    let checkpoint = 0;
    for (let round = 1; round <= 8; round += 1) {
      const batch = { writes: orderPuts(`round${round}`, size, round * size + 1), checkpoint: round, expectedCheckpoint: checkpoint };
      const killer = (async () => {
        await pause(Math.floor(Math.random() * commitTime * 1.5));
        await terminate((await committerBackends()).map((backend) => backend.pid));
      })();
      await committer.commit(version, batch);
      await killer;
      const stored = rightOrThrow(await checker.checkpoint(version));
      const present = await countWithPrefix(version, `round${round}-`);
      if (stored === round) {
        expect(present).toBe(size);
      } else {
        expect([stored, present]).toEqual([checkpoint, 0]);
        await replayUntilApplied(version, batch);
        expect(await countWithPrefix(version, `round${round}-`)).toBe(size);
      }
      checkpoint = round;
    }
  });

  it('of committers racing from one checkpoint, each with its own pool, applies exactly one batch per round', async () => {
    const version = await preparedVersion();
    const pools = Array.from({ length: 4 }, () => new Pool({ connectionString: url, max: 2 }));
    const stores = await Promise.all(pools.map(async (pool) => rightOrThrow(await PostgresReadModelStore.open({ connection: { pool }, schema }))));
    try {
      let checkpoint: number | undefined;
      for (let round = 1; round <= 6; round += 1) {
        const results = await Promise.all(
          stores.map((store, s) => store.commit(version, { writes: orderPuts(`s${s}-r${round}`, 200, round * 1000), checkpoint: round, expectedCheckpoint: checkpoint })),
        );
        const winners = results.flatMap((result, s) => (E.isRight(result) ? [s] : []));
        expect(winners).toHaveLength(1);
        for (const result of results) {
          if (E.isLeft(result)) expect(result.left).toEqual(expect.objectContaining({ code: 'CHECKPOINT_MOVED', expected: checkpoint, actual: round }));
        }
        for (const s of stores.keys()) expect(await countWithPrefix(version, `s${s}-r${round}-`)).toBe(s === winners[0] ? 200 : 0);
        checkpoint = round;
      }
      expect(rightOrThrow(await checker.checkpoint(version))).toBe(6);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});
