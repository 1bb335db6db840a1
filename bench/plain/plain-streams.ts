import * as E from 'fp-ts/Either';
import type { Decider } from '../../src/domain/shared/decider';
import type { DomainError } from '../../src/domain/shared/domain-error';

/** One stream of the plain baseline: the folded state, the version it is at, and its events. */
export interface PlainStream<Ev, S> {
  state: S;
  version: number;
  readonly events: Ev[];
}

/**
 * The "plain limit" of bench-workload.md: the same decider, with nothing of the library around it — a
 * `Map` from id to `{ state, version, events[] }`, a version check and an array push per command. No
 * envelope, no decoding, no hashing, no promise.
 */
export class PlainStreams<C, Ev, S> {
  private readonly streams = new Map<string, PlainStream<Ev, S>>();

  constructor(
    private readonly decider: Decider<C, Ev, S>,
    /** Every event appended, in order, when a replay of them is to be measured afterwards. */
    private readonly log?: { readonly id: string; readonly event: Ev }[],
  ) {}

  execute(id: string, command: C, now: number): E.Either<DomainError, readonly Ev[]> {
    let stream = this.streams.get(id);
    if (stream === undefined) {
      stream = { state: this.decider.initialState, version: -1, events: [] };
      this.streams.set(id, stream);
    }
    const expected = stream.version;
    const decision = this.decider.decide(command, stream.state, { now });
    if (E.isLeft(decision)) return decision;
    if (stream.version !== expected) return E.left({ code: 'CONFLICT', message: `stream ${id} moved from version ${expected}` });
    for (const event of decision.right) {
      stream.events.push(event);
      stream.state = this.decider.evolve(stream.state, event);
      stream.version += 1;
      this.log?.push({ id, event });
    }
    return decision;
  }

  stateOf(id: string): S {
    return this.streams.get(id)?.state ?? this.decider.initialState;
  }

  /** The version (revision of the newest event) of a stream, -1 before its first event. */
  versionOf(id: string): number {
    return this.streams.get(id)?.version ?? -1;
  }

  get size(): number {
    return this.streams.size;
  }
}
