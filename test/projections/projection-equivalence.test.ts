import * as E from 'fp-ts/Either';
import fc from 'fast-check';
import { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import { analyticsProjection } from '../../src/projections/analytics/projection';
import { logisticsProjection } from '../../src/projections/logistics/projection';
import { orderHistoryProjection } from '../../src/projections/order-history/projection';
import type { ProjectionDefinition } from '../../src/projections/projection';
import { ProjectionRunner } from '../../src/projections/projection-runner';
import { CommitFault, FaultyReadModelStore } from '../support/faulty-read-model-store';
import { JourneyDriver, journeys } from '../support/random-journeys';
import { expectRight, projectAll } from '../support/run-projection';
import { Shop } from '../support/shop';

/** Runs per projection: each plays a random journey on the engine and projects it three ways. */
const NUM_RUNS = 12;
const MAX_SESSIONS = 5;
const MAX_RESTARTS = 10;

/** Lets timers run, so that the live runners apply each step's events before the next step, as in production. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

const fault: fc.Arbitrary<CommitFault> = fc.oneof(
  fc.record({ atCommit: fc.integer({ min: 1, max: 40 }), mode: fc.constantFrom('refuse' as const, 'throw' as const) }),
  fc.record({ atCommit: fc.integer({ min: 1, max: 40 }), mode: fc.constant('partial' as const), keep: fc.nat({ max: 30 }) }),
);

const scenario = fc.record({
  steps: journeys(MAX_SESSIONS),
  faults: fc.array(fault, { minLength: 1, maxLength: 3 }),
  /** After which journey step the crashing runner is also stopped and replaced, if any. */
  restartAfterStep: fc.option(fc.nat({ max: 60 }), { nil: undefined }),
  liveBatchSize: fc.integer({ min: 1, max: 40 }),
  crashBatchSize: fc.integer({ min: 1, max: 40 }),
});

describe.each([
  ['order history', orderHistoryProjection],
  ['logistics', logisticsProjection],
  ['analytics', analyticsProjection],
] as [string, ProjectionDefinition<unknown>][])('%s projection', (_name, projection) => {
  it(`gives the same documents live, crashed and restarted, and rebuilt (${NUM_RUNS} random journeys)`, async () => {
    let faultsInjected = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ steps, faults, restartAfterStep, liveBatchSize, crashBatchSize }) => {
        const shop = new Shop('2026-11-25T09:00:00Z', 30_000);
        const { eventStore } = shop;
        const live = new MemoryReadModelStore();
        const crashedStore = new MemoryReadModelStore();
        const faulty = new FaultyReadModelStore(crashedStore, faults);
        const liveRunner = new ProjectionRunner({ eventStore, readModels: live, projection, batchSize: liveBatchSize, batchWindowMs: 0 });
        const crashing = () => new ProjectionRunner({ eventStore, readModels: faulty, projection, batchSize: crashBatchSize, batchWindowMs: 0 });
        let crashRunner = crashing();
        expectRight(await liveRunner.start());
        expectRight(await crashRunner.start());

        const driver = new JourneyDriver(shop);
        for (const [i, step] of steps.entries()) {
          await driver.playOne(step);
          await yieldToEventLoop();
          if (i === restartAfterStep) {
            await crashRunner.stop();
            crashRunner = crashing();
            expectRight(await crashRunner.start());
          }
        }

        expectRight(await liveRunner.whenCaughtUp());
        for (let restarts = 0; E.isLeft(await crashRunner.whenCaughtUp()); restarts += 1) {
          if (restarts === MAX_RESTARTS) throw new Error('the crashing runner never caught up');
          crashRunner = crashing();
          await crashRunner.start();
        }
        const rebuilt = await projectAll(eventStore, projection);
        await liveRunner.stop();
        await crashRunner.stop();
        await shop.engine.close();
        faultsInjected += faulty.injected;

        const version = { projection: projection.name, version: projection.version };
        expect(crashedStore.contents(version)).toEqual(live.contents(version));
        expect(rebuilt.contents(version)).toEqual(live.contents(version));
      }),
      { numRuns: NUM_RUNS },
    );
    // The property says nothing about crashes unless some actually happened.
    expect(faultsInjected).toBeGreaterThan(0);
  });
});
