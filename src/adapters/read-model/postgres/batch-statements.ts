import * as E from 'fp-ts/Either';
import { batchProblem, copyJsonDocument, idProblem, indexKeyOf } from '../../../projections/read-model-rules';
import type { Batch, CollectionDefinition, JsonDocument, ProjectionVersion, ReadModelError } from '../../../projections/read-model-store';
import { int8Array, textArray } from '../../postgres/binary-arrays';
import type { CollectionTable } from './collection-tables';
import { invalidDocument, unknownCollection } from './read-model-errors';
import type { SqlStatement } from './sql-statement';
import { serializedTextProblem, textProblem } from './stored-values';

/** PostgreSQL's largest btree entry on its default 8 kB pages (BTMaxItemSize); a larger one fails the insert. */
const BTREE_MAX_ENTRY_BYTES = 2704;
const ENTRY_HEADER_BYTES = 8;
/** A varlena header and alignment padding, charged for each text column of an entry. */
const TEXT_COLUMN_OVERHEAD_BYTES = 8;
/** A finite double as numeric (at most 17 significant digits) with its headers, rounded up. */
const NUMERIC_COLUMN_BYTES = 32;

/**
 * Why a document could not go into one of its collection's indexes, estimated generously so that a document
 * accepted here is never refused by the server: a refusal there would fail the whole batch with no word of
 * which document caused it.
 */
const indexEntryProblem = (definition: CollectionDefinition, id: string, document: JsonDocument): string | undefined => {
  for (const index of definition.indexes) {
    const key = indexKeyOf(index, document);
    if (key === undefined) continue;
    const texts = typeof key.value === 'string' ? [...key.group, key.value, id] : [...key.group, id];
    const bytes =
      ENTRY_HEADER_BYTES +
      texts.reduce((sum, text) => sum + Buffer.byteLength(text) + TEXT_COLUMN_OVERHEAD_BYTES, 0) +
      (typeof key.value === 'number' ? NUMERIC_COLUMN_BYTES : 0);
    if (bytes > BTREE_MAX_ENTRY_BYTES) {
      return `its entry in index ${index.name} would take about ${bytes} bytes, more than the ${BTREE_MAX_ENTRY_BYTES} a PostgreSQL btree entry holds`;
    }
  }
  return undefined;
};

/** A write that passed every check; a put carries its document as JSON text. */
type CheckedWrite =
  | { readonly kind: 'put'; readonly collection: string; readonly id: string; readonly position: number; readonly json: string }
  | { readonly kind: 'delete'; readonly collection: string; readonly id: string; readonly position: number };

/** Every write of the batch checked, in order, or why the batch is refused whole. */
const checkWrites = (version: ProjectionVersion, tables: ReadonlyMap<string, CollectionTable>, batch: Batch): E.Either<ReadModelError, readonly CheckedWrite[]> => {
  const problem = batchProblem(batch);
  if (problem !== undefined) return E.left({ code: 'INVALID_BATCH', message: problem });
  const checked: CheckedWrite[] = [];
  for (const write of batch.writes) {
    const table = tables.get(write.collection);
    if (table === undefined) return E.left(unknownCollection(version, write.collection));
    const badId = idProblem(write.id) ?? textProblem(write.id);
    if (badId !== undefined) return E.left(invalidDocument(write.collection, write.id, `the id ${badId}`));
    if (write.kind === 'delete') {
      checked.push(write);
      continue;
    }
    const document = copyJsonDocument(write.document);
    if (E.isLeft(document)) return E.left(invalidDocument(write.collection, write.id, document.left));
    const json = JSON.stringify(document.right);
    const badDocument = serializedTextProblem(json) ?? indexEntryProblem(table.definition, write.id, document.right);
    if (badDocument !== undefined) return E.left(invalidDocument(write.collection, write.id, `the document ${badDocument}`));
    checked.push({ kind: 'put', collection: write.collection, id: write.id, position: write.position, json });
  }
  return E.right(checked);
};

/**
 * The writes of one collection split into rounds that touch each document at most once, since one statement
 * must not touch a row twice; the rounds run in order. A document's writes reduce to the last one when their
 * positions rise strictly, as they do when events are applied in order: each then beats the one before, so
 * the last decides. Otherwise (the same event writing twice, a replay mixed in) they are all kept, one per
 * round, because a delete forgets the position it removed and the outcome depends on the order.
 */
const writeRounds = (writes: readonly CheckedWrite[]): readonly (readonly CheckedWrite[])[] => {
  const byId = new Map<string, CheckedWrite[]>();
  for (const write of writes) {
    const earlier = byId.get(write.id);
    if (earlier === undefined) byId.set(write.id, [write]);
    else earlier.push(write);
  }
  const rounds: CheckedWrite[][] = [];
  for (const sequence of byId.values()) {
    const rising = sequence.every((write, i) => i === 0 || (sequence[i - 1] as CheckedWrite).position < write.position);
    const kept = rising ? sequence.slice(-1) : sequence;
    kept.forEach((write, round) => {
      const writesOfRound = rounds[round];
      if (writesOfRound === undefined) rounds.push([write]);
      else writesOfRound.push(write);
    });
  }
  return rounds;
};

/*
 * Each write takes its rows as one array parameter per column, in PostgreSQL's binary array format (see
 * `binary-arrays.ts`), taken apart with unnest; each document goes as its JSON text and is parsed once, into
 * its own jsonb, on its way into the table. One JSON array of all the rows, parsed as jsonb and taken apart
 * with jsonb_array_elements, made the server build one jsonb value of the whole batch and copy each document
 * out of it twice: over the bench's projection apply, the server's CPU went down by a quarter without it.
 * The writes of one round, whatever their collections and kinds, go in one statement as data-modifying CTEs:
 * one round trip per round (almost always one), however many documents and collections the batch writes. A
 * write takes effect only where the stored position is below its own, which the upsert's WHERE and the
 * delete's join condition test on the row as it is when locked.
 */

type CheckedPut = Extract<CheckedWrite, { kind: 'put' }>;

/** One write of a statement: its SQL, reading its columns from the parameters from `$first` on, and those columns. */
interface RoundWrite {
  readonly sql: (first: number) => string;
  readonly columns: readonly Buffer[];
}

const upsert = (table: string, puts: readonly CheckedPut[]): RoundWrite => ({
  sql: (first) => `INSERT INTO ${table} AS stored (id, position, document)
         SELECT written.id, written.position, written.document::jsonb FROM unnest($${first}::text[], $${first + 1}::int8[], $${first + 2}::text[]) AS written (id, position, document)
         ON CONFLICT (id) DO UPDATE SET position = excluded.position, document = excluded.document
         WHERE stored.position < excluded.position`,
  columns: [textArray(puts.map((write) => write.id)), int8Array(puts.map((write) => write.position)), textArray(puts.map((write) => write.json))],
});

const deletion = (table: string, deletes: readonly CheckedWrite[]): RoundWrite => ({
  sql: (first) => `DELETE FROM ${table} AS stored
         USING unnest($${first}::text[], $${first + 1}::int8[]) AS deleted (id, position)
         WHERE stored.id = deleted.id AND stored.position < deleted.position`,
  columns: [textArray(deletes.map((write) => write.id)), int8Array(deletes.map((write) => write.position))],
});

/**
 * The writes of one round as one statement: all but the last as data-modifying CTEs, which PostgreSQL runs to
 * completion whether or not anything reads them. They cannot get in each other's way, since a round touches
 * each document once and each write names its own rows.
 */
const roundStatement = (writes: readonly RoundWrite[]): SqlStatement => {
  const values: Buffer[] = [];
  const sql = writes.map((write) => {
    const text = write.sql(values.length + 1);
    values.push(...write.columns);
    return text;
  });
  const last = sql.length - 1;
  const ctes = sql.slice(0, last).map((text, i) => `w${i} AS (${text})`);
  const main = sql[last] as string;
  return { text: ctes.length === 0 ? main : `WITH ${ctes.join(',\n')}\n${main}`, values };
};

/** The statements that apply a batch's writes (the checkpoint is the caller's), one per round, or why the batch is refused. */
export const batchStatements = (
  version: ProjectionVersion,
  tables: ReadonlyMap<string, CollectionTable>,
  batch: Batch,
): E.Either<ReadModelError, readonly SqlStatement[]> => {
  const checked = checkWrites(version, tables, batch);
  if (E.isLeft(checked)) return checked;
  const byCollection = new Map<string, CheckedWrite[]>();
  for (const write of checked.right) {
    const writes = byCollection.get(write.collection);
    if (writes === undefined) byCollection.set(write.collection, [write]);
    else writes.push(write);
  }
  // Rounds run in order; the collections of one round are independent of each other.
  const rounds: RoundWrite[][] = [];
  for (const [collection, writes] of byCollection) {
    const { table } = tables.get(collection) as CollectionTable;
    writeRounds(writes).forEach((round, r) => {
      const puts = round.filter((write): write is CheckedPut => write.kind === 'put');
      const deletes = round.filter((write) => write.kind === 'delete');
      const ofRound = rounds[r] ?? [];
      if (puts.length > 0) ofRound.push(upsert(table, puts));
      if (deletes.length > 0) ofRound.push(deletion(table, deletes));
      rounds[r] = ofRound;
    });
  }
  return E.right(rounds.filter((writes) => writes.length > 0).map(roundStatement));
};
