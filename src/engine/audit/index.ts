/** Audit: tamper evidence, point-in-time replay, timelines, document comparison and NDJSON export/import. */
export { canonicalJson } from './canonical-json';
export { GENESIS_HASH, hashEvent, sealEvents } from './hash-chain';
export type { HashedFields } from './hash-chain';
export type { AuditError, InvalidOption, NoAggregateForStream, RevisionNotFound, StoreReadFailed, StreamNotFound } from './audit-errors';
export { ChainVerifier, verifyStore } from './verify';
export type { StreamVerdict, TamperFinding, TamperKind, VerificationReport, VerifyOptions } from './verify';
export { decodeNdjsonLine, exportNdjson, importNdjson, ndjsonLineOf } from './ndjson';
export type {
  EnvelopeRestorer,
  ExportError,
  ExportOptions,
  ExportSummary,
  ImportError,
  ImportOptions,
  ImportSummary,
  InvalidNdjsonLine,
  NdjsonReadFailed,
  NdjsonSink,
  NdjsonWriteFailed,
} from './ndjson';
export { stateAt } from './point-in-time';
export type { PointInTime, ReplayOptions, StateAtPoint } from './point-in-time';
export { replayerFor, streamReplayers } from './stream-replayers';
export type { DeadlineState, ReplayerOptions, StreamReplayer } from './stream-replayers';
export { timeline } from './timeline';
export type { TimelineEntry, TimelineOptions } from './timeline';
export { summariseEvent } from './event-summary';
export { diffJson } from './json-diff';
export type { JsonDifference } from './json-diff';
export { compareWithDocument } from './document-comparison';
export type { CompareOptions, DocumentComparison } from './document-comparison';
