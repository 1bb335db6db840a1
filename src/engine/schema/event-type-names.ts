import * as t from 'io-ts';

/**
 * The `type` tags of every message codec inside `codec`, however deeply its unions nest: the runtime list
 * of event types, for checks (golden fixtures, registries) that must notice a type being added.
 */
export const eventTypeNames = (codec: t.Any): readonly string[] => {
  if (codec instanceof t.UnionType) return (codec.types as readonly t.Any[]).flatMap(eventTypeNames);
  if (codec instanceof t.ReadonlyType) return eventTypeNames(codec.type as t.Any);
  if (codec instanceof t.InterfaceType) {
    const tag: unknown = (codec.props as Record<string, unknown>)['type'];
    if (tag instanceof t.LiteralType && typeof tag.value === 'string') return [tag.value];
  }
  return [];
};
