import * as E from 'fp-ts/Either';
import { tap } from 'rxjs';
import type { EventStore } from '../engine/event-store/event-store';
import { currentEventSchemas } from '../engine/schema/current-event-schemas';
import type { ProjectionDefinition } from '../projections/projection';
import type { ReadModelStore } from '../projections/read-model-store';
import { buildAndActivate } from '../projections/rebuild';
import type { CollectionSummary, RebuildableProjection, RebuildSummary } from './projection-registry';
import { messageOf } from '../engine/error-message';

/** The event store as the runner sees it, counting the events its subscriptions deliver. */
const countingSubscriptions = (store: EventStore, onEvent: (position: number) => void): EventStore => ({
  append: (streamId, events, expected) => store.append(streamId, events, expected),
  readStream: (streamId, options) => store.readStream(streamId, options),
  readAll: (options) => store.readAll(options),
  subscribe: (options) => store.subscribe(options).pipe(tap((message) => message.kind === 'event' && onEvent(message.event.position))),
  headPosition: () => store.headPosition(),
  close: () => store.close(),
});

interface CollectionTally {
  readonly ids: Set<string>;
  writes: number;
}

/**
 * The read-model store as the runner sees it, tallying what each committed batch wrote: which documents each
 * collection holds, and how many writes it took. Only batches the store accepted are counted.
 */
const tallyingCommits = (store: ReadModelStore, tallies: Map<string, CollectionTally>): ReadModelStore => ({
  prepare: (version, collections) => store.prepare(version, collections),
  get: (version, collection, id) => store.get(version, collection, id),
  getMany: (version, keys) => store.getMany(version, keys),
  find: (version, query) => store.find(version, query),
  checkpoint: (version) => store.checkpoint(version),
  commit: async (version, batch) => {
    const committed = await store.commit(version, batch);
    if (E.isRight(committed)) {
      for (const write of batch.writes) {
        const tally = tallies.get(write.collection) ?? { ids: new Set<string>(), writes: 0 };
        tallies.set(write.collection, tally);
        tally.writes += 1;
        if (write.kind === 'put') tally.ids.add(write.id);
        else tally.ids.delete(write.id);
      }
    }
    return committed;
  },
  activeVersion: (projection) => store.activeVersion(projection),
  activate: (projection, version, expected, builtThrough) => store.activate(projection, version, expected, builtThrough),
  drop: (version) => store.drop(version),
  close: () => store.close(),
});

/**
 * A projection `rebuild` can run: its version is built from the first event into the read-model store and made
 * the active one (`buildAndActivate`), then its runner is stopped. A version left half-built by an earlier
 * run that failed is dropped first, so the rebuild starts from nothing. The active version is refused rather
 * than dropped: readers are using it.
 */
export const rebuildableProjection = <Ev>(projection: ProjectionDefinition<Ev>, description: string): RebuildableProjection => ({
  description,
  rebuild: async (events, readModels, onProgress, options = {}) => {
    const version = { projection: projection.name, version: projection.version };
    const active = await readModels.activeVersion(projection.name);
    if (E.isLeft(active)) return active;
    if (active.right === projection.version) {
      return E.left({
        code: 'VERSION_IS_ACTIVE',
        message: `${projection.name} v${projection.version} is the active version of this read model: readers use it, so rebuild does not drop it; rebuild into another read model (another --read-model schema) and point readers there, or drop this one first`,
      });
    }
    const dropped = await readModels.drop(version);
    if (E.isLeft(dropped)) return dropped;
    let eventsRead = 0;
    const tallies = new Map<string, CollectionTally>(projection.collections.map((c) => [c.name, { ids: new Set<string>(), writes: 0 }]));
    let head: number | undefined;
    try {
      head = await events.headPosition();
    } catch (cause) {
      return E.left({ code: 'EVENT_STORE_FAILED', message: `cannot read the head of the event store: ${messageOf(cause)}` });
    }
    const total = head === undefined ? undefined : head + 1;
    const runnerOptions = {
      eventStore: countingSubscriptions(events, (position) => {
        eventsRead += 1;
        onProgress(position + 1, total === undefined ? undefined : Math.max(total, position + 1));
      }),
      readModels: tallyingCommits(readModels, tallies),
      projection,
      // Older stored versions of the shop's events are upcast as audit and timeline upcast them: with the
      // host's schemas (`--schemas`) when given, else the engine's own.
      eventSchemas: options.eventSchemas ?? currentEventSchemas,
    };
    onProgress(0, total);
    const built = await buildAndActivate(runnerOptions);
    if (E.isLeft(built)) return built;
    const runner = built.right;
    const position = runner.status.position;
    await runner.stop();
    onProgress(position === undefined ? 0 : position + 1, total === undefined ? undefined : Math.max(total, (position ?? -1) + 1));
    const collections: Record<string, CollectionSummary> = {};
    for (const [name, tally] of tallies) collections[name] = { documents: tally.ids.size, writes: tally.writes };
    const summary: RebuildSummary = { version: projection.version, eventsRead, position: position !== undefined && position >= 0 ? position : undefined, collections };
    return E.right(summary);
  },
});
