import * as E from 'fp-ts/Either';
import { guarded } from './guarded-call';
import { firstValueFrom } from 'rxjs';
import { filter, map } from 'rxjs/operators';
import { isStoreFailure, ProjectionHalt, ProjectionRunner, ProjectionRunnerOptions } from './projection-runner';
import type { ProjectionVersion, ReadModelError, ReadModelStore } from './read-model-store';
import { messageOf } from '../engine/error-message';

export type ActivationFailure = ProjectionHalt | { readonly code: 'ACTIVATION_FAILED'; readonly message: string; readonly error: ReadModelError };

/** Rounds of catching up before the switch, each with the events written during the one before. */
const MAX_CATCH_UP_ROUNDS = 20;

/**
 * Builds a version of a projection beside the one readers use, and then switches readers to it: the new
 * version gets its own collections and starts from the first event; once it has caught up with the event
 * store, the active-version pointer moves to it in one compare-and-set. Until that moment the old version
 * keeps serving every query. "Caught up" means with the head as it is at the switch: the events written
 * while the version was being built are applied first (in rounds, each shorter than the last). The new runner
 * is returned running, every event up to that head applied; its status turns `live` only when its
 * subscription reports that it caught up, which may come a moment later (or, over a filtered subscription
 * that reports nothing of the events it skips, not at all), so a readiness check waits on `whenCaughtUp()`
 * rather than reads the status. Stopping the old runner and, once no reader can still be using it,
 * retiring its documents are the caller's to do.
 *
 * The first deployment of a projection is the same operation: there is no old version to replace.
 */
export const buildAndActivate = async <Ev>(options: ProjectionRunnerOptions<Ev>): Promise<E.Either<ActivationFailure, ProjectionRunner<Ev>>> => {
  const runner = new ProjectionRunner(options);
  const started = await runner.start();
  if (E.isLeft(started)) {
    // A runner told to restart after a store failure would restart by itself, writing for a caller it was never handed to.
    await runner.stop();
    return started;
  }
  const caughtUp = await catchUp(runner, options);
  if (E.isLeft(caughtUp)) {
    await runner.stop();
    return caughtUp;
  }
  const { name, version } = options.projection;
  const activated = await switchTo(options.readModels, name, version, runner.status.position);
  if (E.isLeft(activated)) {
    await runner.stop();
    return activated;
  }
  return E.right(runner);
};

/**
 * Whether a runner halted by `halt` has started again: it does by itself after a failure of its stores when
 * told to restart after one. False once it stops, or fails in a way it does not restart after.
 */
const restartedAfter = <Ev>(runner: ProjectionRunner<Ev>, halt: ProjectionHalt, options: ProjectionRunnerOptions<Ev>): Promise<boolean> => {
  if (options.restartAfterStoreFailure === undefined || !isStoreFailure(halt)) return Promise.resolve(false);
  return firstValueFrom(
    runner.status$.pipe(
      filter((status) => status.state === 'catching-up' || status.state === 'live' || status.state === 'stopped' || (status.state === 'failed' && !isStoreFailure(status.failure))),
      map((status) => status.state === 'catching-up' || status.state === 'live'),
    ),
  );
};

const catchUp = async <Ev>(runner: ProjectionRunner<Ev>, options: ProjectionRunnerOptions<Ev>): Promise<E.Either<ActivationFailure, void>> => {
  let reached: number | undefined;
  for (let round = 0; round < MAX_CATCH_UP_ROUNDS; round += 1) {
    let head: number | undefined;
    try {
      head = await options.eventStore.headPosition();
    } catch (cause) {
      const { name: projection, version } = options.projection;
      const message = `${projection} v${version} could not read the head of the event store: ${messageOf(cause)}`;
      return E.left({ code: 'EVENT_STORE_FAILED', message, projection, version, cause });
    }
    if (head === undefined || head === reached) return E.right(undefined);
    const processed = await runner.whenProcessedThrough(head);
    if (E.isLeft(processed)) {
      // A dropped connection while building is what the restart policy is for: the build goes on once the runner has restarted.
      if (!(await restartedAfter(runner, processed.left, options))) return processed;
      round -= 1;
      continue;
    }
    reached = head;
  }
  return E.right(undefined);
};

/**
 * Switches readers to `version` if it still holds what was built, through the checkpoint `builtThrough`: a
 * version dropped and prepared again meanwhile (another rebuild of it, say) has gone back, and switching to
 * it would show readers an empty or half-built read model. The store checks that as it switches.
 */
const switchTo = async (store: ReadModelStore, projection: string, version: number, builtThrough: number | undefined): Promise<E.Either<ActivationFailure, void>> => {
  const failed = (error: ReadModelError): E.Either<ActivationFailure, void> =>
    E.left({ code: 'ACTIVATION_FAILED', message: `could not make ${projection} v${version} the active version: ${error.message}`, error });
  const current = await guarded(() => store.activeVersion(projection));
  if (E.isLeft(current)) return failed(current.left);
  if (current.right === version) return E.right(undefined);
  const activated = await guarded(() => store.activate(projection, version, current.right, builtThrough));
  return E.isLeft(activated) ? failed(activated.left) : E.right(undefined);
};

/** Removes a version that readers no longer use; the store refuses to remove the active one. */
export const retireVersion = (store: ReadModelStore, version: ProjectionVersion): Promise<E.Either<ReadModelError, void>> => guarded(() => store.drop(version));
