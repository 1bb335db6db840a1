import * as t from 'io-ts';
import { DerivedIdentifier, Identifier, Timestamp } from '../../domain/shared/codecs';
import { message } from '../../domain/shared/message';

export const DEADLINE_STREAM_PREFIX = 'deadline-';
export const deadlineStreamId = (deadlineId: string): string => `${DEADLINE_STREAM_PREFIX}${deadlineId}`;

/** `command` is sent when the deadline falls due, unless the deadline was cancelled first. */
export const DeadlineScheduled = message('DeadlineScheduled', {
  deadlineId: DerivedIdentifier,
  dueAt: Timestamp,
  command: t.type({ type: Identifier, data: t.unknown }),
});
export const DeadlineCancelled = message('DeadlineCancelled', { deadlineId: DerivedIdentifier });
export const DeadlineFired = message('DeadlineFired', { deadlineId: DerivedIdentifier, firedAt: Timestamp });

export const DeadlineEvent = t.union([DeadlineScheduled, DeadlineCancelled, DeadlineFired], 'DeadlineEvent');
export type DeadlineEvent = t.TypeOf<typeof DeadlineEvent>;
