import { find as mingoFind, Query, update as mingoUpdate } from 'mingo';
import {
  MongoBulkWriteError,
  MongoServerError,
  MongoServerSelectionError,
  type BulkWriteResult as BulkWriteResultType,
  type Db,
  type TopologyDescription,
  type WriteConcernError as WriteConcernErrorType,
  type WriteError as WriteErrorType,
} from 'mongodb';

/*
 * A stand-in for the few `Db` and `Collection` methods the MongoDB read-model store calls, keeping records
 * in memory. It is NOT a MongoDB server and no test using it ran against one. What it does itself is kept
 * small and explicit:
 *   - every filter, update document, sort and projection the adapter sends is evaluated by mingo, an
 *     independent implementation of MongoDB's query and update language;
 *   - what mingo does not do is done here the way the server documents it: an upsert that matches nothing
 *     inserts the filter's equality fields and then applies the update; `_id` is unique (a clash fails with
 *     the server's duplicate-key error, 11000); an unordered bulk write runs its updates before its deletes,
 *     as the driver regroups them, continues past a refused write and reports each refusal with the
 *     driver's own `WriteError` and `MongoBulkWriteError` classes;
 *   - each operation is atomic and yields to the event loop first, so concurrent callers interleave between
 *     operations, as they would over a pool of connections;
 *   - faults can be injected: an error thrown by the next call of a method, before or (as a write concern
 *     error comes) after it is applied, a connection lost after a given number of writes (the writes
 *     before it applied, as on a server), or another writer inserting a document between an upsert's
 *     match and its insert.
 * Known difference from the server: mingo orders strings by UTF-16 code unit, MongoDB by code point; they
 * agree unless characters above U+FFFF meet characters from U+E000 to U+FFFF, which the tests avoid.
 */

// The driver builds these from a server's answer; they are not exported at the top level.
const driverBulk = require('mongodb/lib/bulk/common') as {
  readonly WriteError: new (error: { index: number; code: number; errmsg: string; op: unknown }) => WriteErrorType;
  readonly WriteConcernError: new (error: { code: number; errmsg: string }) => WriteConcernErrorType;
  readonly BulkWriteResult: new (result: BulkResult, ordered: boolean) => BulkWriteResultType;
};
const driverTopology = require('mongodb/lib/sdam/topology_description') as {
  readonly TopologyDescription: new (type: string) => TopologyDescription;
};

const emptyBulkResult = (): BulkResult => ({
  ok: 1,
  writeErrors: [],
  writeConcernErrors: [],
  insertedIds: [],
  nInserted: 0,
  nUpserted: 0,
  nMatched: 0,
  nModified: 0,
  nRemoved: 0,
  upserted: [],
});

/** Errors built with the driver's own classes, the way the driver builds them from what happened. */
export const driverErrors = {
  /** A bulk write whose listed operations the server refused (the others applied). */
  bulkWriteRefusing: (refusals: readonly { readonly index: number; readonly code: number; readonly errmsg: string }[], result: BulkResult = emptyBulkResult()): MongoBulkWriteError => {
    const writeErrors = refusals.map((refusal) => new driverBulk.WriteError({ ...refusal, op: {} }));
    result.writeErrors.push(...writeErrors);
    const first = refusals[0];
    return new MongoBulkWriteError({ message: first?.errmsg ?? 'write failed', code: first?.code ?? 0, writeErrors }, new driverBulk.BulkWriteResult(result, false));
  },
  /** A bulk write applied on the primary but not acknowledged by the write concern. */
  bulkWriteConcernFailure: (code: number, errmsg: string): MongoBulkWriteError =>
    new MongoBulkWriteError(new driverBulk.WriteConcernError({ code, errmsg }) as unknown as { message: string; code: number }, new driverBulk.BulkWriteResult(emptyBulkResult(), false)),
  /** A bulk write cut short by a driver error such as a dropped connection: the driver wraps it. */
  bulkWriteCutShort: (cause: Error, result: BulkResult = emptyBulkResult()): MongoBulkWriteError =>
    new MongoBulkWriteError(cause, new driverBulk.BulkWriteResult(result, false)),
  serverSelection: (message: string): MongoServerSelectionError => new MongoServerSelectionError(message, new driverTopology.TopologyDescription('Unknown')),
};

interface BulkResult {
  ok: number;
  writeErrors: WriteErrorType[];
  writeConcernErrors: unknown[];
  insertedIds: unknown[];
  nInserted: number;
  nUpserted: number;
  nMatched: number;
  nModified: number;
  nRemoved: number;
  upserted: { index: number; _id: unknown }[];
}

type Raw = Record<string, unknown>;
type Filter = Record<string, unknown>;
type Update = Record<string, unknown>;

export type OperationName = 'findOne' | 'find' | 'findOneAndUpdate' | 'updateOne' | 'deleteOne' | 'bulkWrite' | 'createIndexes' | 'drop';

export interface LoggedOperation {
  readonly collection: string;
  readonly operation: OperationName;
  readonly detail: unknown;
}

const isPlainObject = (value: unknown): value is object => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
};

/**
 * A deep copy of plain objects and arrays (other values, such as a Date, are kept as they are), made in
 * this realm: jest runs tests in their own realm, and mingo treats an object from another one (as
 * `structuredClone` makes) as opaque rather than as a document.
 */
export const cloneRaw = <A>(value: A): A => {
  if (Array.isArray(value)) return value.map(cloneRaw) as A;
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cloneRaw(item)])) as A;
  return value;
};

const duplicateKey = (collection: string, id: unknown): MongoServerError =>
  new MongoServerError({
    message: `E11000 duplicate key error collection: test.${collection} index: _id_ dup key: { _id: ${JSON.stringify(id)} }`,
    code: 11000,
    codeName: 'DuplicateKey',
    keyPattern: { _id: 1 },
    keyValue: { _id: id },
  });

const isOperatorObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).some((key) => key.startsWith('$'));

/** The fields an upsert copies from its filter into the document it inserts: top-level equalities. */
const equalityFields = (filter: Filter): Raw => {
  const fields: Raw = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) Object.assign(fields, ...value.map((part) => equalityFields(part as Filter)));
    else if (!key.startsWith('$') && !isOperatorObject(value)) fields[key] = value;
  }
  return fields;
};

const firstMatch = <A extends Raw>(filter: Filter, records: Iterable<A>): A | undefined => {
  const query = new Query(filter, {});
  for (const record of records) if (query.test(record)) return record;
  return undefined;
};

const project = (record: Raw, projection: Raw | undefined): Raw =>
  projection === undefined ? cloneRaw(record) : (cloneRaw(mingoFind([record], {}, projection).all()[0]) as Raw);

export class MingoCollection {
  /** Records by `_id` (the adapter only uses string ids), in insertion order. */
  readonly records = new Map<string, Raw>();
  readonly indexes: unknown[] = [];

  constructor(
    readonly name: string,
    private readonly database: MingoDatabase,
  ) {}

  async findOne(filter: Filter, options: { projection?: Raw } = {}): Promise<Raw | null> {
    await this.database.enter(this.name, 'findOne', filter);
    const found = firstMatch(filter, this.records.values());
    return found === undefined ? null : project(found, options.projection);
  }

  find(filter: Filter, options: { sort?: Raw; limit?: number; projection?: Raw } = {}): { toArray: () => Promise<Raw[]> } {
    return {
      toArray: async () => {
        await this.database.enter(this.name, 'find', { filter, options });
        let cursor = mingoFind([...this.records.values()], filter, options.projection ?? {});
        if (options.sort !== undefined) cursor = cursor.sort(options.sort as Record<string, 1 | -1>);
        if (options.limit !== undefined && options.limit > 0) cursor = cursor.limit(options.limit);
        return cloneRaw(cursor.all() as Raw[]);
      },
    };
  }

  async findOneAndUpdate(filter: Filter, update: Update, options: { upsert?: boolean; returnDocument?: 'before' | 'after'; projection?: Raw } = {}): Promise<Raw | null> {
    await this.database.enter(this.name, 'findOneAndUpdate', { filter, update });
    this.database.countWrite();
    const result = this.updateNow(filter, update, options.upsert === true);
    this.database.applied(this.name, 'findOneAndUpdate');
    const shown = options.returnDocument === 'after' ? result.after : result.before;
    return shown === undefined ? null : project(shown, options.projection);
  }

  async updateOne(filter: Filter, update: Update, options: { upsert?: boolean } = {}): Promise<{ matchedCount: number; modifiedCount: number; upsertedCount: number }> {
    await this.database.enter(this.name, 'updateOne', { filter, update });
    this.database.countWrite();
    const result = this.updateNow(filter, update, options.upsert === true);
    this.database.applied(this.name, 'updateOne');
    return { matchedCount: result.matched ? 1 : 0, modifiedCount: result.modified ? 1 : 0, upsertedCount: result.upserted ? 1 : 0 };
  }

  async deleteOne(filter: Filter): Promise<{ deletedCount: number }> {
    await this.database.enter(this.name, 'deleteOne', filter);
    this.database.countWrite();
    const deleted = this.deleteNow(filter);
    this.database.applied(this.name, 'deleteOne');
    return { deletedCount: deleted ? 1 : 0 };
  }

  async bulkWrite(operations: readonly Raw[], options: { ordered?: boolean } = {}): Promise<BulkWriteResultType> {
    await this.database.enter(this.name, 'bulkWrite', operations);
    if (options.ordered !== false) throw new Error('the stand-in only does unordered bulk writes, which is all the adapter sends');
    const result = emptyBulkResult();
    const refusals: { index: number; code: number; errmsg: string }[] = [];
    const indexed = operations.map((operation, index) => ({ operation, index }));
    // The driver sends an unordered bulk write's updates in one command and its deletes in another, after.
    const kinds = ['updateOne', 'deleteOne'];
    const unknown = indexed.find(({ operation }) => !kinds.some((kind) => kind in operation));
    if (unknown !== undefined) throw new Error(`the stand-in does not do ${Object.keys(unknown.operation).join(', ')}`);
    for (const kind of kinds) {
      for (const { operation, index } of indexed.filter(({ operation }) => kind in operation)) {
        const lost = this.database.lostConnection();
        if (lost !== undefined) throw driverErrors.bulkWriteCutShort(lost, result);
        this.database.countWrite();
        try {
          if (kind === 'updateOne') {
            const { filter, update, upsert } = operation['updateOne'] as { filter: Filter; update: Update; upsert?: boolean };
            const outcome = this.updateNow(filter, update, upsert === true);
            if (outcome.matched) result.nMatched += 1;
            if (outcome.modified) result.nModified += 1;
            if (outcome.upserted) {
              result.nUpserted += 1;
              result.upserted.push({ index, _id: outcome.after?.['_id'] });
            }
          } else {
            const { filter } = operation['deleteOne'] as { filter: Filter };
            if (this.deleteNow(filter)) result.nRemoved += 1;
          }
        } catch (error) {
          if (!(error instanceof MongoServerError) || typeof error.code !== 'number') throw error;
          refusals.push({ index, code: error.code, errmsg: error.message });
        }
      }
    }
    if (refusals.length > 0) throw driverErrors.bulkWriteRefusing(refusals, result);
    return new driverBulk.BulkWriteResult(result, false);
  }

  async createIndexes(descriptions: readonly unknown[]): Promise<string[]> {
    await this.database.enter(this.name, 'createIndexes', descriptions);
    const names: string[] = [];
    for (const description of descriptions) {
      const name = (description as { name?: string }).name ?? '';
      const existing = this.indexes.find((index) => (index as { name?: string }).name === name);
      if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(description)) {
        throw new MongoServerError({ message: `An existing index has the same name as the requested index: ${name}`, code: 86, codeName: 'IndexKeySpecsConflict' });
      }
      if (existing === undefined) this.indexes.push(cloneRaw(description));
      names.push(name);
    }
    return names;
  }

  async drop(): Promise<boolean> {
    await this.database.enter(this.name, 'drop', undefined);
    return this.database.dropCollection(this.name);
  }

  private updateNow(filter: Filter, update: Update, upsert: boolean): { matched: boolean; modified: boolean; upserted: boolean; before?: Raw; after?: Raw } {
    const found = firstMatch(filter, this.records.values());
    if (found !== undefined) {
      const before = cloneRaw(found);
      const changed = mingoUpdate(found, cloneRaw(update));
      return { matched: true, modified: changed.length > 0, upserted: false, before, after: found };
    }
    if (!upsert) return { matched: false, modified: false, upserted: false };
    const inserted = cloneRaw(equalityFields(filter));
    this.database.beforeUpsertInsert(this, inserted['_id']);
    mingoUpdate(inserted, cloneRaw(update));
    const id = inserted['_id'];
    if (typeof id !== 'string') throw new Error('the stand-in only keeps string ids, which is all the adapter writes');
    if (this.records.has(id)) throw duplicateKey(this.name, id);
    this.records.set(id, inserted);
    return { matched: false, modified: false, upserted: true, after: inserted };
  }

  private deleteNow(filter: Filter): boolean {
    const found = firstMatch(filter, this.records.values());
    if (found === undefined) return false;
    this.records.delete(found['_id'] as string);
    return true;
  }
}

export class MingoDatabase {
  readonly log: LoggedOperation[] = [];
  private readonly collections = new Map<string, MingoCollection>();
  private readonly failures: { readonly operation: OperationName; readonly collection: string | undefined; readonly error: Error; readonly afterApplying: boolean }[] = [];
  private crash: { remaining: number; readonly error: Error } | undefined;
  private readonly racers = new Map<string, (collection: MingoCollection) => void>();
  private readonly holds: { readonly operation: OperationName; readonly collection: string; readonly reached: () => void; readonly gate: Promise<void> }[] = [];

  /** The stand-in, typed as the driver's `Db` for the store, which only calls what is implemented here. */
  asDb(): Db {
    return this as unknown as Db;
  }

  collection(name: string): MingoCollection {
    const existing = this.collections.get(name);
    if (existing !== undefined) return existing;
    const created = new MingoCollection(name, this);
    this.collections.set(name, created);
    return created;
  }

  collectionNames(): string[] {
    return [...this.collections.keys()].filter((name) => (this.collections.get(name)?.records.size ?? 0) > 0 || (this.collections.get(name)?.indexes.length ?? 0) > 0);
  }

  /** The next call of `operation` (on `collection`, if given) throws `error` without doing anything. */
  failNext(operation: OperationName, error: Error, collection?: string): void {
    this.failures.push({ operation, collection, error, afterApplying: false });
  }

  /** The next single write `operation` (on `collection`, if given) is applied, then throws `error`, as a write concern error does. */
  failNextAfterApplying(operation: 'findOneAndUpdate' | 'updateOne' | 'deleteOne', error: Error, collection?: string): void {
    this.failures.push({ operation, collection, error, afterApplying: true });
  }

  /** After `writes` more single writes, the connection is lost: every later write throws `error` until `recover`. */
  loseConnectionAfter(writes: number, error: Error): void {
    this.crash = { remaining: writes, error };
  }

  recover(): void {
    this.crash = undefined;
  }

  /** The next upsert that inserts `_id` finds it inserted, between its match and its insert, by `racer`. */
  raceUpsertOf(id: string, racer: (collection: MingoCollection) => void): void {
    this.racers.set(id, racer);
  }

  /**
   * The next `operation` on `collection` waits, before it does anything, until `release` is called: a request
   * that reaches the server late. `reached` resolves when it is waiting.
   */
  holdNext(operation: OperationName, collection: string): { readonly reached: Promise<void>; readonly release: () => void } {
    let release = (): void => undefined;
    let reached = (): void => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const waiting = new Promise<void>((resolve) => {
      reached = resolve;
    });
    this.holds.push({ operation, collection, reached, gate });
    return { reached: waiting, release };
  }

  async enter(collection: string, operation: OperationName, detail: unknown): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const held = this.holds.findIndex((hold) => hold.operation === operation && hold.collection === collection);
    if (held >= 0) {
      const [hold] = this.holds.splice(held, 1);
      hold?.reached();
      await hold?.gate;
    }
    this.log.push({ collection, operation, detail: cloneRaw(detail) });
    this.throwFailure(collection, operation, false);
    if (operation !== 'bulkWrite' && this.crash !== undefined && this.crash.remaining <= 0 && isWrite(operation)) throw this.crash.error;
  }

  /** Throws the error injected for after `operation` was applied, if any. */
  applied(collection: string, operation: OperationName): void {
    this.throwFailure(collection, operation, true);
  }

  private throwFailure(collection: string, operation: OperationName, afterApplying: boolean): void {
    const at = this.failures.findIndex(
      (failure) => failure.operation === operation && failure.afterApplying === afterApplying && (failure.collection === undefined || failure.collection === collection),
    );
    const [failure] = at >= 0 ? this.failures.splice(at, 1) : [];
    if (failure !== undefined) throw failure.error;
  }

  /** The error a write meets if the connection is lost now. */
  lostConnection(): Error | undefined {
    return this.crash !== undefined && this.crash.remaining <= 0 ? this.crash.error : undefined;
  }

  countWrite(): void {
    if (this.crash !== undefined) this.crash.remaining -= 1;
  }

  beforeUpsertInsert(collection: MingoCollection, id: unknown): void {
    if (typeof id !== 'string') return;
    const racer = this.racers.get(id);
    if (racer === undefined) return;
    this.racers.delete(id);
    racer(collection);
  }

  dropCollection(name: string): boolean {
    return this.collections.delete(name);
  }
}

const isWrite = (operation: OperationName): boolean => operation === 'findOneAndUpdate' || operation === 'updateOne' || operation === 'deleteOne';
