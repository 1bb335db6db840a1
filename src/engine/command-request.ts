import * as t from 'io-ts';
import { DerivedIdentifier, Identifier } from '../domain/shared/codecs';

/**
 * What a host sends: a command with the id that makes retries safe, who sends it, and how it relates to
 * other messages (`correlationId` groups a journey, `causationId` names the message that caused this one;
 * both default to the command id).
 */
export const CommandRequest = t.intersection(
  [
    t.type({
      commandId: DerivedIdentifier,
      actor: Identifier,
      command: t.type({ type: t.string, data: t.unknown }),
    }),
    t.partial({ correlationId: DerivedIdentifier, causationId: DerivedIdentifier }),
  ],
  'CommandRequest',
);
export type CommandRequest = t.TypeOf<typeof CommandRequest>;

