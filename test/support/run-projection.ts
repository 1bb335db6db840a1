import * as E from 'fp-ts/Either';
import { MemoryReadModelStore } from '../../src/adapters/read-model/memory/memory-read-model-store';
import type { EventStore } from '../../src/engine/event-store/event-store';
import type { ProjectionDefinition } from '../../src/projections/projection';
import { ProjectionRunner, ProjectionRunnerOptions } from '../../src/projections/projection-runner';
import { buildAndActivate } from '../../src/projections/rebuild';

export const expectRight = <A>(either: E.Either<unknown, A>): A => {
  if (E.isLeft(either)) throw new Error(`expected success, got ${JSON.stringify(either.left)}`);
  return either.right;
};

export const expectLeft = <L>(either: E.Either<L, unknown>): L => {
  if (E.isRight(either)) throw new Error(`expected a failure, got ${JSON.stringify(either.right)}`);
  return either.left;
};

/** Builds a projection from every stored event, makes it the active version and stops its runner. */
export const projectAll = async <Ev>(
  eventStore: EventStore,
  projection: ProjectionDefinition<Ev>,
  readModels: MemoryReadModelStore = new MemoryReadModelStore(),
  options: Partial<ProjectionRunnerOptions<Ev>> = {},
): Promise<MemoryReadModelStore> => {
  const runner = expectRight(await buildAndActivate({ eventStore, readModels, projection, ...options }));
  await runner.stop();
  return readModels;
};

/** Starts a runner and waits until it has processed every stored event. */
export const runUntilCaughtUp = async <Ev>(options: ProjectionRunnerOptions<Ev>): Promise<ProjectionRunner<Ev>> => {
  const runner = new ProjectionRunner(options);
  expectRight(await runner.start());
  expectRight(await runner.whenCaughtUp());
  return runner;
};
