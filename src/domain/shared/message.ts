import * as t from 'io-ts';

/** The codec of a command or event: `{ type, data }` with a literal type tag and readonly data. */
export const message = <T extends string, P extends t.Props>(type: T, data: P) =>
  t.readonly(t.type({ type: t.literal(type), data: t.readonly(t.type(data)) }), type);
