/**
 * A position in the transaction log, as EventStoreDB compares them: by commit position, then by prepare
 * position. An event written by a gRPC append is a self-committed record, so its position is its own log
 * offset twice; page boundaries handed out during filtered catch-up are the next record's offset with a
 * prepare position of 0.
 */
export interface LogPosition {
  readonly commit: number;
  readonly prepare: number;
}

/** Before the first record: where "from the start" begins. */
export const HEAD_OF_LOG: LogPosition = { commit: -1, prepare: -1 };

export const compareLogPositions = (a: LogPosition, b: LogPosition): number => a.commit - b.commit || a.prepare - b.prepare;

export const eventLogPosition = (offset: number): LogPosition => ({ commit: offset, prepare: offset });
