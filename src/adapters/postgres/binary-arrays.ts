/**
 * One-dimensional arrays in PostgreSQL's binary format (what `array_recv` reads), for the parameters of the
 * event store's append function and of the read-model store's batch writes (both PostgreSQL adapters use
 * them, hence this folder). node-postgres sends a Buffer parameter in binary format and anything else as text; an
 * array it would write as a text literal, quoting and escaping every element, which the server then parses
 * back character by character. A group-commit round passes nineteen such arrays: building and parsing their
 * literals was a visible share of both the client's and the server's CPU per append, which on a machine where
 * both share the cores is throughput. In binary form each element is its length and its bytes, so neither
 * side quotes, escapes or scans anything.
 *
 * Layout (big-endian): dimensions (1, or 0 for an empty array), a has-nulls flag (0: elements are never
 * null here), the element type's oid, then per dimension its length and lower bound (1), then per element
 * its byte length and its bytes. The server refuses an element type other than the one the statement casts
 * the parameter to, so a mismatch is an error, never a misread.
 */

const TEXT_OID = 25;
const INT8_OID = 20;
const INT4_OID = 23;

const EMPTY_HEADER_BYTES = 12;
const HEADER_BYTES = 20;
const TWO_TO_THE_32 = 2 ** 32;

const withHeader = (elementOid: number, length: number, elementBytes: number): Buffer => {
  if (length === 0) {
    const empty = Buffer.alloc(EMPTY_HEADER_BYTES);
    empty.writeInt32BE(elementOid, 8);
    return empty;
  }
  const buffer = Buffer.allocUnsafe(HEADER_BYTES + elementBytes);
  buffer.writeInt32BE(1, 0);
  buffer.writeInt32BE(0, 4);
  buffer.writeInt32BE(elementOid, 8);
  buffer.writeInt32BE(length, 12);
  buffer.writeInt32BE(1, 16);
  return buffer;
};

/** A `text[]`: each element's UTF-8 bytes, as the server's client encoding (UTF8, node-postgres's default) expects. */
export const textArray = (values: readonly string[]): Buffer => {
  const lengths = new Array<number>(values.length);
  let elementBytes = 0;
  for (let i = 0; i < values.length; i += 1) {
    const length = Buffer.byteLength(values[i] as string, 'utf8');
    lengths[i] = length;
    elementBytes += 4 + length;
  }
  const buffer = withHeader(TEXT_OID, values.length, elementBytes);
  let offset = HEADER_BYTES;
  for (let i = 0; i < values.length; i += 1) {
    const length = lengths[i] as number;
    buffer.writeInt32BE(length, offset);
    offset += 4;
    buffer.write(values[i] as string, offset, length, 'utf8');
    offset += length;
  }
  return buffer;
};

/**
 * An `int8[]` of numbers that JavaScript holds exactly. Any other number is refused here, where its text
 * form would have been refused by the server (a fraction) or silently rounded (beyond 2^53).
 */
export const int8Array = (values: readonly number[]): Buffer => {
  const buffer = withHeader(INT8_OID, values.length, values.length * 12);
  let offset = HEADER_BYTES;
  for (const value of values) {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not an integer that int8 and JavaScript both hold exactly`);
    const high = Math.floor(value / TWO_TO_THE_32);
    buffer.writeInt32BE(8, offset);
    buffer.writeInt32BE(high, offset + 4);
    buffer.writeUInt32BE(value - high * TWO_TO_THE_32, offset + 8);
    offset += 12;
  }
  return buffer;
};

/** An `int4[]`; a number outside int4 is refused, as the server refuses its text form. */
export const int4Array = (values: readonly number[]): Buffer => {
  const buffer = withHeader(INT4_OID, values.length, values.length * 8);
  let offset = HEADER_BYTES;
  for (const value of values) {
    if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31) throw new RangeError(`${value} is not an int4`);
    buffer.writeInt32BE(4, offset);
    buffer.writeInt32BE(value, offset + 4);
    offset += 8;
  }
  return buffer;
};
