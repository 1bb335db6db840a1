import type * as t from 'io-ts';
import type { Decider } from '../domain/shared/decider';

/** A decider with what the engine needs to store it: its events' codec and where its streams live. */
export interface Aggregate<Command, Event extends { readonly type: string; readonly data: unknown }, State> {
  readonly name: string;
  /** Every stream of this aggregate is `${streamPrefix}${id}`. */
  readonly streamPrefix: string;
  readonly decider: Decider<Command, Event, State>;
  readonly eventCodec: t.Decoder<unknown, Event>;
  readonly streamIdOf: (command: Command) => string;
}
