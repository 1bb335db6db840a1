import type { ProposedEvent } from '../../engine/event-store/envelope';

let sequence = 0;

/** Proposed events with unique ids and deterministic content, for store-level tests. */
export const proposedEvents = (count: number, type = 'TestEvent', data: (i: number) => unknown = (i) => ({ i })): ProposedEvent[] =>
  Array.from({ length: count }, (_, i) => {
    sequence += 1;
    return {
      eventId: `evt-${process.pid}-${sequence}`,
      type,
      schemaVersion: 1,
      data: data(i),
      occurredAt: 1_700_000_000_000 + sequence,
      recordedAt: 1_700_000_000_000 + sequence,
      commandId: `cmd-${sequence}`,
      correlationId: `corr-${sequence}`,
      causationId: `cause-${sequence}`,
      actor: 'tester',
    };
  });
