import { Code } from '@eventstore/db-client/generated/code_pb';
import * as shared from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';

/**
 * Conversions between the wire messages generated inside `@eventstore/db-client` (the exact protocol the
 * client speaks) and the test server's plain values. `google-protobuf` is the client's own runtime
 * dependency, used here only for `Any`, which is how EventStoreDB packs error details.
 */

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type UuidFormat = 'string' | 'structured';

const uuidText = (hex: string): string =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;

/** A wire UUID as a lower-case string; throws on anything that is not a UUID, as the server's parser does. */
export const uuidFromWire = (uuid: shared.UUID | undefined): string => {
  if (uuid === undefined) throw new Error('required UUID missing');
  let text: string;
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured() as shared.UUID.Structured;
    const half = (bits: string): string => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0');
    text = uuidText(half(structured.getMostSignificantBits()) + half(structured.getLeastSignificantBits()));
  } else {
    text = uuid.getString().toLowerCase();
  }
  if (!UUID_PATTERN.test(text)) throw new Error(`"${text}" is not a UUID`);
  return text;
};

/** As the server answers: a string when the request asked for strings, else the two signed 64-bit halves. */
export const uuidToWire = (id: string, format: UuidFormat): shared.UUID => {
  const uuid = new shared.UUID();
  if (format === 'string') return uuid.setString(id);
  const hex = id.replace(/-/g, '');
  const half = (digits: string): string => BigInt.asIntN(64, BigInt(`0x${digits}`)).toString();
  return uuid.setStructured(
    new shared.UUID.Structured().setMostSignificantBits(half(hex.slice(0, 16))).setLeastSignificantBits(half(hex.slice(16))),
  );
};

export const streamNameFromWire = (identifier: shared.StreamIdentifier | undefined): string => {
  if (identifier === undefined) throw new Error('required stream identifier missing');
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
};

export const streamIdentifier = (streamId: string): shared.StreamIdentifier =>
  new shared.StreamIdentifier().setStreamName(Buffer.from(streamId, 'utf8'));

/** A `google.rpc.Status` whose details are `detail`, packed under EventStoreDB's type name for it. */
export const rpcStatus = (code: Code, message: string, detail: { serializeBinary(): Uint8Array }, typeName: string): Status => {
  const details = new Any();
  details.pack(detail.serializeBinary(), typeName);
  return new Status().setCode(code).setMessage(message).setDetails(details);
};
