/**
 * EventStoreDB's server-side event filters for `$all`, as its `EventFilter` defines them: a stream-name or
 * event-type filter, each by a prefix list or a .NET regular expression (the simple expressions clients
 * send mean the same in JavaScript). Every `$all` filter first applies the default `$all` rule, which hides
 * the epoch-information stream and persistent-subscription bookkeeping on `$all`.
 */
export interface FilterableEvent {
  readonly streamId: string;
  readonly type: string;
}

export type ServerEventFilter = (event: FilterableEvent) => boolean;

const EPOCH_INFORMATION_STREAM = '$epoch-information';
const PERSISTENT_ALL_PREFIX = '$persistentsubscription-$all::';

export const defaultAllFilter: ServerEventFilter = ({ streamId }) => {
  if (!streamId.startsWith('$')) return true;
  if (streamId === EPOCH_INFORMATION_STREAM) return false;
  if (streamId.startsWith(PERSISTENT_ALL_PREFIX) && (streamId.endsWith('-checkpoint') || streamId.endsWith('-parked'))) return false;
  return true;
};

export type FilterOn = 'stream-name' | 'event-type';

export interface FilterExpression {
  readonly regex: string;
  readonly prefixes: readonly string[];
}

/** As the server does: a non-empty regex wins over the prefix list. */
export const serverEventFilter = (on: FilterOn, expression: FilterExpression): ServerEventFilter => {
  const subject = (event: FilterableEvent): string => (on === 'stream-name' ? event.streamId : event.type);
  if (expression.regex !== '') {
    const pattern = new RegExp(expression.regex);
    return (event) => defaultAllFilter(event) && pattern.test(subject(event));
  }
  const { prefixes } = expression;
  return (event) => defaultAllFilter(event) && prefixes.some((prefix) => subject(event).startsWith(prefix));
};
