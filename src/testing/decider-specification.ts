import { deepStrictEqual, fail } from 'node:assert';
import * as E from 'fp-ts/Either';
import type { Decider } from '../domain/shared/decider';
import { replay } from '../domain/shared/decider';
import type { DomainError } from '../domain/shared/domain-error';

export interface SpecificationOptions {
  /** The time the decision is taken at (epoch ms). Default: 2026-01-01T00:00:00Z. */
  readonly now?: number;
}

export interface DecisionAssertions<Event, State> {
  /** Asserts the command was accepted with exactly these events. */
  then(expected: readonly Event[]): void;
  /** Asserts the command was refused with this error code. */
  thenRejects(code: string): void;
  /** The raw decision and the state it was taken on, for assertions of your own. */
  readonly decision: E.Either<DomainError, readonly Event[]>;
  readonly state: State;
}

/**
 * Given/when/then for any decider: `given` past events, `when` a command arrives, `then` these events (or
 * `thenRejects` with this code). Failures throw `AssertionError`, so it works under any test runner.
 */
export const deciderSpecification = <Command, Event, State>(decider: Decider<Command, Event, State>, options: SpecificationOptions = {}) => ({
  given: (events: readonly Event[]) => ({
    when: (command: Command): DecisionAssertions<Event, State> => {
      const state = replay(decider, events);
      const decision = decider.decide(command, state, { now: options.now ?? Date.UTC(2026, 0, 1) });
      return {
        decision,
        state,
        then: (expected) => {
          if (E.isLeft(decision)) fail(`expected events, but the command was rejected: ${decision.left.code} — ${decision.left.message}`);
          deepStrictEqual(decision.right, expected);
        },
        thenRejects: (code) => {
          if (E.isRight(decision)) fail(`expected rejection ${code}, but the command was accepted with ${JSON.stringify(decision.right)}`);
          deepStrictEqual(decision.left.code, code, `expected rejection ${code}, got ${decision.left.code}: ${decision.left.message}`);
        },
      };
    },
  }),
});
