import type { Position } from '@eventstore/db-client';

/**
 * What EventStoreDB reports instead of a position it does not know (2^64 - 1): on stream reads from servers
 * older than 22.6, which did not populate `$all` positions there, and as the checkpoint "before the first
 * record" that 24.10 sends when a filtered subscription from the start matched nothing (fixed in 25.0).
 */
const NO_POSITION = 0xffff_ffff_ffff_ffffn;

/**
 * The `$all` position of an event at the port's global position. The port's number is EventStoreDB's commit
 * position. Every event this adapter writes goes through a gRPC append, which EventStoreDB stores as a
 * self-committed record whose commit and prepare positions are both the record's own log offset, so the pair
 * is rebuilt exactly from the one number.
 */
export const eventStoreDbPosition = (position: number): Position => {
  const offset = BigInt(position);
  return { commit: offset, prepare: offset };
};

/**
 * The port's global position of a `$all` position. Commit positions are byte offsets in the transaction
 * log; 2^53 bytes is 8 PiB of log, far beyond any real database, so the conversion is exact in practice.
 * Beyond it (or when the server reports no position) it throws rather than round.
 */
export const portPosition = (commit: bigint): number => {
  if (commit === NO_POSITION) {
    throw new Error('EventStoreDB did not report a $all position for an event (servers before 22.6 omit it on stream reads)');
  }
  if (commit < 0n || commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new Error(`EventStoreDB position ${commit} cannot be represented exactly as a JavaScript number`);
  }
  return Number(commit);
};

/**
 * Whether a position names an event (self-committed record: commit = prepare) rather than a boundary
 * between log records. Filtered catch-up checkpoints are boundaries "everything before here was read",
 * reported with a prepare position of 0.
 */
export const isEventPosition = (position: Position): boolean => position.commit === position.prepare;

/** Whether a position names a place in the log at all (see `NO_POSITION`); one that does not is ignored. */
export const isInLog = (position: Position): boolean => position.commit !== NO_POSITION;
