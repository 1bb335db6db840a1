import type { Either } from 'fp-ts/Either';
import type { Timestamp } from './codecs';
import type { DomainError } from './domain-error';

/** What a decision may know besides the command and the state: the time, read from the engine's clock. */
export interface DecisionContext {
  readonly now: Timestamp;
}

/**
 * An aggregate as a pure decider: `decide` turns a command into events (or a typed rejection) given the
 * current state, and `evolve` folds one event into the state.
 */
export interface Decider<Command, Event, State> {
  readonly initialState: State;
  readonly decide: (command: Command, state: State, context: DecisionContext) => Either<DomainError, readonly Event[]>;
  readonly evolve: (state: State, event: Event) => State;
}

/** Folds events over a decider's initial state: the state that replaying a stream yields. */
export const replay = <C, E, S>(decider: Decider<C, E, S>, events: Iterable<E>): S => {
  let state = decider.initialState;
  for (const event of events) state = decider.evolve(state, event);
  return state;
};
