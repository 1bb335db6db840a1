import * as E from 'fp-ts/Either';
import type { EventEnvelope } from '../event-store/envelope';
import { shownValue } from '../error-message';

/** Turns the data of one schema version of an event type into the data of the next version. */
export type Upcaster = (data: unknown) => unknown;

/**
 * The current schema version of each event type and the upcasters that bring older stored versions up to
 * it. An event type not listed is at version 1.
 */
export interface EventSchemas {
  readonly currentVersion: (type: string) => number;
  /** The event's data at the current version, or why it cannot be had. */
  readonly upcast: (envelope: Pick<EventEnvelope, 'type' | 'schemaVersion' | 'data'>) => E.Either<string, unknown>;
}

export interface EventSchemaDefinition {
  readonly version: number;
  /** `upcasters[v]` turns version v into v + 1, for every v below `version`. */
  readonly upcasters: Readonly<Record<number, Upcaster>>;
}

/** The highest schema version every store keeps: PostgreSQL's column is a 32-bit integer. */
export const MAX_SCHEMA_VERSION = 2_147_483_647;

/**
 * Event schemas from their definitions. A version that is no whole number from 1 to `MAX_SCHEMA_VERSION`
 * throws a `RangeError` here, naming its event type: every event of that type would otherwise be written
 * with a version no envelope holds, and every command writing one refused as if the store were down.
 */
export const eventSchemas = (definitions: Readonly<Record<string, EventSchemaDefinition>>): EventSchemas => {
  for (const [type, definition] of Object.entries(definitions)) {
    const version: unknown = definition?.version;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || version > MAX_SCHEMA_VERSION) {
      throw new RangeError(`eventSchemas: ${type}'s version must be a whole number from 1 to ${MAX_SCHEMA_VERSION}, not ${shownValue(version)}`);
    }
  }
  const currentVersion = (type: string): number => definitions[type]?.version ?? 1;
  return {
    currentVersion,
    upcast: ({ type, schemaVersion, data }) => {
      const target = currentVersion(type);
      if (schemaVersion === target) return E.right(data);
      if (schemaVersion > target) return E.left(`${type} v${schemaVersion} is newer than this engine's v${target}`);
      let upcasted = data;
      for (let version = schemaVersion; version < target; version += 1) {
        const upcaster = definitions[type]?.upcasters[version];
        if (upcaster === undefined) return E.left(`no upcaster turns ${type} v${version} into v${version + 1}`);
        upcasted = upcaster(upcasted);
      }
      return E.right(upcasted);
    },
  };
};
