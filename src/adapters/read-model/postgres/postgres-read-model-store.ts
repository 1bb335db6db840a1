import * as E from 'fp-ts/Either';
import { Pool, type PoolClient } from 'pg';
import { definitionProblem, indexForQuery, isSortValueOf, isValidName, sameCollectionDefinition, unbuiltVersionError, versionProblem } from '../../../projections/read-model-rules';
import type {
  Batch,
  CollectionDefinition,
  DocumentKey,
  IndexQuery,
  ProjectionVersion,
  QueryPage,
  ReadModelError,
  ReadModelStore,
  StoredDocument,
} from '../../../projections/read-model-store';
import { batchStatements } from './batch-statements';
import { type CollectionTable, createCollectionStatements, decodeCollectionRow, storedIndexesOf, tableNameOf } from './collection-tables';
import { indexQueryStatement } from './index-query-sql';
import { sqlStateOf, unavailable, unknownCollection } from './read-model-errors';
import { migrate, serverProblem } from './read-model-migration';
import { DEFAULT_SCHEMA, advisoryLockKey, qualifiedName, schemaNameProblem } from './sql-names';
import { decodeBigint, decodeDocumentRow, textProblem } from './stored-values';
import { withTransaction } from './transaction';
import { messageOf } from '../../../engine/error-message';

export type PostgresReadModelConnection =
  /** A pool the caller owns: the store never ends it, and the caller handles its 'error' events. */
  | { readonly pool: Pool }
  | { readonly connectionString: string; readonly maxConnections?: number };

export interface PostgresReadModelStoreOptions {
  readonly connection: PostgresReadModelConnection;
  /** The schema holding the read models, created on first use; `ordersource_read` unless given. */
  readonly schema?: string;
  /**
   * Whether each batch's commit waits for its WAL to reach the disk (the server's `synchronous_commit`).
   * Default false: read models are rebuilt from the event store, and a crash can only lose whole batches,
   * which the runner applies again (see `BEGIN_BATCH_WITHOUT_FLUSH`).
   */
  readonly durableBatches?: boolean;
}

type Result<A> = Promise<E.Either<ReadModelError, A>>;

/** A server error that is about the data sent, not the server's health: retrying the same batch cannot help. */
const isDataError = (sqlState: string | undefined): boolean => sqlState !== undefined && (sqlState.startsWith('22') || sqlState.startsWith('54'));

const UNDEFINED_TABLE = '42P01';

/**
 * A batch commits without waiting for its WAL to reach the disk. A server crash may then lose the last few
 * batches, but never half of one: documents and checkpoint go together, so the runner resumes from the older
 * checkpoint and applies those events again, once. Read models are rebuilt from the event store anyway;
 * waiting for a flush per batch would cost most of the time a batch takes.
 */
const BEGIN_BATCH_WITHOUT_FLUSH = 'BEGIN; SET LOCAL synchronous_commit TO OFF';

/**
 * The PostgreSQL read-model store: documents as jsonb, one table per collection of each projection version,
 * in one schema (see `collection-tables.ts` for the tables and indexes, `read-model-migration.ts` for the
 * bookkeeping). A batch's writes and its checkpoint commit in one transaction, so a batch is wholly applied
 * or not at all, whatever happens to the connection; committers of one version take turns on its row in
 * `versions`, which is also where the checkpoint is compared and set.
 *
 * It needs PostgreSQL 14 or later and a UTF-8 database, and says so when opened on anything else.
 *
 * Which table holds which collection is remembered per store after the first look-up; a version is only
 * changed by `drop`, after which the store that dropped it forgets it, and another store notices the missing
 * table on its next statement.
 */
export class PostgresReadModelStore implements ReadModelStore {
  private readonly tables = new Map<string, Map<string, CollectionTable>>();
  private closed = false;
  private readonly underWay = new Set<Promise<unknown>>();

  private constructor(
    private readonly pool: Pool,
    private readonly ownsPool: boolean,
    private readonly schema: string,
    private readonly beginBatch: string,
  ) {}

  /** Connects, creates or upgrades the schema, and gives the store; or why it cannot. */
  static async open(options: PostgresReadModelStoreOptions): Result<PostgresReadModelStore> {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    const badName = schemaNameProblem(schema);
    if (badName !== undefined) return E.left({ code: 'INVALID_DEFINITION', message: badName });
    const { connection } = options;
    const ownsPool = !('pool' in connection);
    const pool = 'pool' in connection ? connection.pool : new Pool({ connectionString: connection.connectionString, max: connection.maxConnections ?? 10 });
    // An idle connection that dies is dropped by the pool and replaced on demand; the event must not be
    // left unhandled, which would end the process.
    if (ownsPool) pool.on('error', () => undefined);
    const failure = await readyToServe(pool, schema);
    if (failure === undefined) return E.right(new PostgresReadModelStore(pool, ownsPool, schema, options.durableBatches === true ? 'BEGIN' : BEGIN_BATCH_WITHOUT_FLUSH));
    if (ownsPool) await pool.end();
    return E.left(failure);
  }

  async prepare(version: ProjectionVersion, collections: readonly CollectionDefinition[]): Result<void> {
    const problem = versionProblem(version.projection, version.version) ?? definitionProblem(collections);
    if (problem !== undefined) return E.left({ code: 'INVALID_DEFINITION', message: problem });
    const prepared = await this.attempt(`prepare ${describe(version)}`, () =>
      withTransaction(this.pool, async (client) => {
        await client.query(`INSERT INTO ${this.bookkeeping('versions')} (projection, version) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          version.projection,
          version.version,
        ]);
        // Preparers and committers of this version wait for each other here.
        await client.query(`SELECT 1 FROM ${this.bookkeeping('versions')} WHERE projection = $1 AND version = $2 FOR UPDATE`, [version.projection, version.version]);
        const existing = await this.readTables(client, version);
        if (E.isLeft(existing)) return existing;
        const tables = existing.right;
        for (const definition of collections) {
          const known = tables.get(definition.name);
          if (known !== undefined) {
            if (sameCollectionDefinition(known.definition, definition)) continue;
            return E.left<ReadModelError, Map<string, CollectionTable>>({
              code: 'INVALID_DEFINITION',
              message: `collection ${definition.name} of ${describe(version)} exists with other indexes: a new definition needs a new version`,
            });
          }
          for (const statement of createCollectionStatements(this.schema, version, definition)) await client.query(statement);
          const tableName = tableNameOf(version, definition);
          await client.query(
            `INSERT INTO ${this.bookkeeping('collections')} (projection, version, collection, table_name, definition) VALUES ($1, $2, $3, $4, $5::jsonb)`,
            [version.projection, version.version, definition.name, tableName, storedIndexesOf(definition)],
          );
          tables.set(definition.name, { definition, tableName, table: qualifiedName(this.schema, tableName) });
        }
        return E.right(tables);
      }),
    );
    if (E.isLeft(prepared)) return prepared;
    this.tables.set(versionKey(version), prepared.right);
    return E.right(undefined);
  }

  async get(version: ProjectionVersion, collection: string, id: string): Result<StoredDocument | undefined> {
    return E.map((documents: readonly (StoredDocument | undefined)[]) => documents[0])(await this.getMany(version, [{ collection, id }]));
  }

  async getMany(version: ProjectionVersion, keys: readonly DocumentKey[]): Result<readonly (StoredDocument | undefined)[]> {
    const collections = [...new Set(keys.map((key) => key.collection))];
    return this.withTables(version, collections, async (tables) => {
      // One round trip whatever the number of collections: a SELECT per collection, told apart by `part`.
      // An id PostgreSQL cannot store names no document, and would fail or be changed on its way there.
      const parts: string[] = [];
      const partCollections: string[] = [];
      const values: string[][] = [];
      for (const collection of collections) {
        const ids = keys.filter((key) => key.collection === collection && textProblem(key.id) === undefined).map((key) => key.id);
        if (ids.length === 0) continue;
        partCollections.push(collection);
        values.push(ids);
        parts.push(`SELECT ${parts.length} AS part, id, position, document FROM ${(tables.get(collection) as CollectionTable).table} WHERE id = ANY($${values.length}::text[])`);
      }
      if (parts.length === 0) return E.right(keys.map(() => undefined));
      const doing = `read from ${describe(version)}`;
      const rows = await this.query(doing, parts.join(' UNION ALL '), values, this.classifier(doing, version, tables, undefined));
      if (E.isLeft(rows)) return rows;
      const found = new Map<string, StoredDocument>();
      for (const row of rows.right) {
        const document = decodeDocumentRow(row);
        if (E.isLeft(document)) return E.left(unavailable(`${doing}: ${document.left}`));
        found.set(`${partCollections[Number(row['part'])] ?? ''}\u0000${document.right.id}`, document.right);
      }
      return E.right(keys.map((key) => found.get(`${key.collection}\u0000${key.id}`)));
    });
  }

  async find(version: ProjectionVersion, query: IndexQuery): Result<QueryPage> {
    return this.withTables(version, [query.collection], (tables) => this.findIn(version, tables, query));
  }

  private async findIn(version: ProjectionVersion, tables: ReadonlyMap<string, CollectionTable>, query: IndexQuery): Result<QueryPage> {
    const table = tables.get(query.collection) as CollectionTable;
    const index = indexForQuery(table.definition, query);
    if (E.isLeft(index)) return E.left({ code: 'INVALID_QUERY', message: index.left });
    const texts = [...Object.values(query.equals), query.after?.id, query.after?.value, query.range?.atLeast, query.range?.below];
    for (const text of texts) {
      const problem = typeof text === 'string' ? textProblem(text) : undefined;
      if (problem !== undefined) return E.left({ code: 'INVALID_QUERY', message: `the query value ${JSON.stringify(text)} ${problem}` });
    }
    const statement = indexQueryStatement(table.table, index.right, query);
    const doing = `query ${describe(version)}`;
    const rows = await this.query(doing, statement.text, statement.values, this.classifier(doing, version, tables, 'INVALID_QUERY'));
    if (E.isLeft(rows)) return rows;
    const documents: StoredDocument[] = [];
    for (const row of rows.right.slice(0, query.limit)) {
      const document = decodeDocumentRow(row);
      if (E.isLeft(document)) return E.left(unavailable(`${doing}: ${document.left}`));
      documents.push(document.right);
    }
    const last = documents[documents.length - 1];
    if (rows.right.length <= query.limit || last === undefined) return E.right({ documents, next: undefined });
    const value = last.document[index.right.sortBy.field];
    if (!isSortValueOf(index.right.sortBy.type, value)) return E.left(unavailable(`${doing}: the index returned ${last.id}, which it cannot hold`));
    return E.right({ documents, next: { value, id: last.id } });
  }

  async checkpoint(version: ProjectionVersion): Result<number | undefined> {
    if (!isNameable(version)) return this.ifOpen(E.right(undefined));
    const rows = await this.query(
      `read the checkpoint of ${describe(version)}`,
      `SELECT checkpoint FROM ${this.bookkeeping('versions')} WHERE projection = $1 AND version = $2`,
      [version.projection, version.version],
    );
    if (E.isLeft(rows)) return rows;
    return decodeOptionalBigint(rows.right[0]?.['checkpoint'], `the checkpoint of ${describe(version)}`);
  }

  async commit(version: ProjectionVersion, batch: Batch): Result<void> {
    const doing = `commit a batch to ${describe(version)}`;
    return this.withTables(version, [...new Set(batch.writes.map((write) => write.collection))], async (tables) => {
      const statements = batchStatements(version, tables, batch);
      if (E.isLeft(statements)) return statements;
      return this.attempt(
        doing,
        () =>
          withTransaction(this.pool, async (client): Result<void> => {
            // The compare-and-set comes first: it locks the version's row, so a concurrent committer waits
            // here and then finds the checkpoint moved, before either has written a document.
            const moved = await client.query(
              `UPDATE ${this.bookkeeping('versions')} SET checkpoint = $3 WHERE projection = $1 AND version = $2 AND checkpoint IS NOT DISTINCT FROM $4::bigint`,
              [version.projection, version.version, batch.checkpoint, batch.expectedCheckpoint ?? null],
            );
            if (moved.rowCount !== 1) return this.refusedCheckpoint(client, version, batch);
            for (const statement of statements.right) await client.query(statement.text, statement.values);
            return E.right(undefined);
          }, this.beginBatch),
        this.classifier(doing, version, tables, 'INVALID_BATCH'),
      );
    });
  }

  async activeVersion(projection: string): Result<number | undefined> {
    // A name `activate` refuses can have no active version, and might not even survive the trip as text.
    if (!isValidName(projection)) return this.ifOpen(E.right(undefined));
    const rows = await this.query(`read the active version of ${projection}`, `SELECT version FROM ${this.bookkeeping('active_versions')} WHERE projection = $1`, [projection]);
    if (E.isLeft(rows)) return rows;
    return decodeOptionalBigint(rows.right[0]?.['version'], `the active version of ${projection}`);
  }

  async activate(projection: string, version: number, expected: number | undefined, builtThrough?: number): Result<void> {
    const problem = versionProblem(projection, version);
    if (problem !== undefined) return E.left({ code: 'INVALID_DEFINITION', message: problem });
    return this.attempt(`activate ${projection} v${version}`, () =>
      withTransaction(this.pool, async (client): Result<void> => {
        const actual = await this.lockedActiveVersion(client, projection);
        if (E.isLeft(actual)) return actual;
        if (builtThrough !== undefined) {
          // Under the projection's lock, which `drop` takes too: no drop slips between this look and the switch.
          const rows = await client.query<Record<string, unknown>>(`SELECT checkpoint FROM ${this.bookkeeping('versions')} WHERE projection = $1 AND version = $2`, [projection, version]);
          const checkpoint = decodeOptionalBigint(rows.rows[0]?.['checkpoint'], `the checkpoint of ${projection} v${version}`);
          if (E.isLeft(checkpoint)) return checkpoint;
          const unbuilt = unbuiltVersionError(projection, version, builtThrough, checkpoint.right);
          if (unbuilt !== undefined) return E.left(unbuilt);
        }
        if (actual.right !== expected) {
          return E.left({
            code: 'ACTIVE_VERSION_MOVED',
            message: `${projection} is at version ${actual.right ?? 'none'}, not ${expected ?? 'none'} as expected`,
            expected,
            actual: actual.right,
          });
        }
        await client.query(
          `INSERT INTO ${this.bookkeeping('active_versions')} (projection, version) VALUES ($1, $2) ON CONFLICT (projection) DO UPDATE SET version = excluded.version`,
          [projection, version],
        );
        return E.right(undefined);
      }),
    );
  }

  async drop(version: ProjectionVersion): Result<void> {
    if (!isNameable(version)) return this.ifOpen(E.right(undefined));
    const dropped = await this.attempt(`drop ${describe(version)}`, () =>
      withTransaction(this.pool, async (client): Result<void> => {
        const active = await this.lockedActiveVersion(client, version.projection);
        if (E.isLeft(active)) return active;
        if (active.right === version.version) {
          return E.left({ code: 'VERSION_IS_ACTIVE', message: `${describe(version)} is what readers use: activate another version first`, ...version });
        }
        const key = [version.projection, version.version];
        // Locking the version's row first lets a commit or prepare in flight finish, so no table is missed.
        await client.query(`SELECT 1 FROM ${this.bookkeeping('versions')} WHERE projection = $1 AND version = $2 FOR UPDATE`, key);
        const removed = await client.query<{ table_name: unknown }>(
          `DELETE FROM ${this.bookkeeping('collections')} WHERE projection = $1 AND version = $2 RETURNING table_name`,
          key,
        );
        await client.query(`DELETE FROM ${this.bookkeeping('versions')} WHERE projection = $1 AND version = $2`, key);
        const tableNames = removed.rows.map((row) => row.table_name).filter((name): name is string => typeof name === 'string');
        if (tableNames.length > 0) await client.query(`DROP TABLE ${tableNames.map((name) => qualifiedName(this.schema, name)).join(', ')}`);
        return E.right(undefined);
      }),
    );
    if (E.isRight(dropped)) this.tables.delete(versionKey(version));
    return dropped;
  }

  /**
   * Lets what is under way finish first: the pool's end would leave calls still waiting for one of its
   * connections unanswered for ever.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.underWay]);
    if (this.ownsPool) await this.pool.end();
  }

  /** `result`, unless the store is closed: answered without the server, but only while open. */
  private ifOpen<A>(result: E.Either<ReadModelError, A>): E.Either<ReadModelError, A> {
    return this.closed ? E.left(unavailable('the store is closed')) : result;
  }

  private bookkeeping(table: 'versions' | 'collections' | 'active_versions'): string {
    return qualifiedName(this.schema, table);
  }

  /**
   * The active version of `projection`, under a lock on the projection that `activate` and `drop` both take,
   * so that a version cannot be activated while it is being dropped.
   */
  private async lockedActiveVersion(client: PoolClient, projection: string): Result<number | undefined> {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey('ordersource read model', this.schema, 'projection', projection)]);
    const rows = await client.query<Record<string, unknown>>(`SELECT version FROM ${this.bookkeeping('active_versions')} WHERE projection = $1`, [projection]);
    return decodeOptionalBigint(rows.rows[0]?.['version'], `the active version of ${projection}`);
  }

  private async refusedCheckpoint(client: PoolClient, version: ProjectionVersion, batch: Batch): Result<void> {
    const rows = await client.query<Record<string, unknown>>(`SELECT checkpoint FROM ${this.bookkeeping('versions')} WHERE projection = $1 AND version = $2`, [
      version.projection,
      version.version,
    ]);
    const row = rows.rows[0];
    if (row === undefined) {
      this.tables.delete(versionKey(version));
      return E.left(unknownCollection(version, batch.writes[0]?.collection ?? '(any)'));
    }
    const actual = decodeOptionalBigint(row['checkpoint'], `the checkpoint of ${describe(version)}`);
    if (E.isLeft(actual)) return actual;
    return E.left({
      code: 'CHECKPOINT_MOVED',
      message: `${describe(version)} is at checkpoint ${actual.right ?? 'none'}, the batch expected ${batch.expectedCheckpoint ?? 'none'}`,
      expected: batch.expectedCheckpoint,
      actual: actual.right,
    });
  }

  /**
   * Runs `work` with the tables of `collections`. Tables remembered from earlier may be stale: another store
   * may have dropped the version, and perhaps prepared it again with other indexes. That shows as a missing
   * table (UNKNOWN_COLLECTION, the version forgotten) or an index unknown to the remembered definition
   * (INVALID_QUERY); either way the tables are looked up again and `work` runs once more.
   */
  private async withTables<A>(version: ProjectionVersion, collections: readonly string[], work: (tables: ReadonlyMap<string, CollectionTable>) => Result<A>): Result<A> {
    const remembered = this.tables.get(versionKey(version));
    const wasRemembered = remembered !== undefined && collections.every((collection) => remembered.has(collection));
    const tables = await this.tablesOf(version, collections);
    if (E.isLeft(tables)) return tables;
    const result = await work(tables.right);
    if (!wasRemembered || E.isRight(result) || (result.left.code !== 'UNKNOWN_COLLECTION' && result.left.code !== 'INVALID_QUERY')) return result;
    this.tables.delete(versionKey(version));
    const fresh = await this.tablesOf(version, collections);
    return E.isLeft(fresh) ? fresh : work(fresh.right);
  }

  /** The tables of `collections`, remembered or else read from `collections`; UNKNOWN_COLLECTION for one never prepared. */
  private async tablesOf(version: ProjectionVersion, collections: readonly string[]): Result<ReadonlyMap<string, CollectionTable>> {
    if (!isNameable(version)) return this.ifOpen(E.left(unknownCollection(version, collections[0] ?? '(any)')));
    const known = this.tables.get(versionKey(version));
    if (known !== undefined && collections.every((collection) => known.has(collection))) return E.right(known);
    const loaded = await this.attempt(`read the collections of ${describe(version)}`, () => this.readTables(this.pool, version));
    if (E.isLeft(loaded)) return loaded;
    if (loaded.right.size > 0) this.tables.set(versionKey(version), loaded.right);
    const missing = collections.find((collection) => !loaded.right.has(collection));
    return missing === undefined ? E.right(loaded.right) : E.left(unknownCollection(version, missing));
  }

  private async readTables(connection: Pool | PoolClient, version: ProjectionVersion): Result<Map<string, CollectionTable>> {
    const rows = await connection.query<Record<string, unknown>>(
      `SELECT collection, table_name, definition FROM ${this.bookkeeping('collections')} WHERE projection = $1 AND version = $2`,
      [version.projection, version.version],
    );
    const tables = new Map<string, CollectionTable>();
    for (const row of rows.rows) {
      const table = decodeCollectionRow(this.schema, row);
      if (E.isLeft(table)) return E.left(unavailable(`read the collections of ${describe(version)}: ${table.left}`));
      tables.set(table.right.definition.name, table.right);
    }
    return E.right(tables);
  }

  /** One statement outside a transaction. */
  private async query(doing: string, text: string, values: unknown[], classify = (error: unknown): ReadModelError => unavailable(doing, error)): Result<readonly Record<string, unknown>[]> {
    return this.attempt(doing, async () => E.right((await this.pool.query<Record<string, unknown>>(text, values)).rows), classify);
  }

  /** Runs `work`, turning anything it throws (a lost connection, a server error) into an error value. */
  private async attempt<A>(doing: string, work: () => Result<A>, classify = (error: unknown): ReadModelError => unavailable(doing, error)): Result<A> {
    if (this.closed) return E.left(unavailable('the store is closed'));
    const underWay = (async (): Result<A> => {
      try {
        return await work();
      } catch (error) {
        return E.left(classify(error));
      }
    })();
    this.underWay.add(underWay);
    try {
      return await underWay;
    } finally {
      this.underWay.delete(underWay);
    }
  }

  /**
   * What a server error means for the caller. A missing table means another store dropped the version:
   * forget it, and answer as for a collection never prepared. An error about the data itself (SQLSTATE
   * classes 22 and 54) would recur on every retry, so it refuses the batch or query rather than calling the
   * store unavailable. Anything else is the store being unavailable.
   */
  private classifier(
    doing: string,
    version: ProjectionVersion,
    tables: ReadonlyMap<string, CollectionTable>,
    refusal: 'INVALID_BATCH' | 'INVALID_QUERY' | undefined,
  ): (error: unknown) => ReadModelError {
    return (error) => {
      const sqlState = sqlStateOf(error);
      const message = messageOf(error);
      if (sqlState === UNDEFINED_TABLE) {
        this.tables.delete(versionKey(version));
        const missing = [...tables.values()].find((table) => message.includes(table.tableName));
        return unknownCollection(version, missing?.definition.name ?? [...tables.keys()][0] ?? '(any)');
      }
      if (refusal !== undefined && isDataError(sqlState)) return { code: refusal, message: `PostgreSQL refused to ${doing}: ${message}` };
      return unavailable(doing, error);
    };
  }
}

/** Checks the server and migrates `schema`; what went wrong, if anything. */
const readyToServe = async (pool: Pool, schema: string): Promise<ReadModelError | undefined> => {
  try {
    const problem = await serverProblem(pool);
    if (problem !== undefined) return unavailable(problem);
    await migrate(pool, schema);
    return undefined;
  } catch (error) {
    return unavailable(`prepare schema ${schema}`, error);
  }
};

/** Whether `prepare` would accept the version's name and number; no other version can exist. */
const isNameable = (version: ProjectionVersion): boolean => versionProblem(version.projection, version.version) === undefined;

const versionKey = (version: ProjectionVersion): string => `${version.projection}\u0000${version.version}`;

const describe = (version: ProjectionVersion): string => `${version.projection} v${version.version}`;

const decodeOptionalBigint = (value: unknown, what: string): E.Either<ReadModelError, number | undefined> => {
  if (value === undefined || value === null) return E.right(undefined);
  const decoded = decodeBigint(value);
  return E.isLeft(decoded) ? E.left(unavailable(`read ${what}: ${decoded.left}`)) : E.right(decoded.right);
};
