import type { Writable } from 'node:stream';
import { codePointOf } from './cli-error';
import { showInstant } from '../domain/shared/instant';

/** `2026-11-25 09:05:00Z`: UTC to the second, the same on every machine. */
export const formatTime = (epochMs: number): string => showInstant(epochMs, (date) => `${date.toISOString().replace(/\.\d{3}Z$/, '').replace('T', ' ')}Z`);

/**
 * Control, format and line-separator characters, which would start a new line, move the cursor or reorder
 * what follows: a cell quotes text people typed (a note, a product name), which must not be able to draw
 * rows of its own in an auditor's table.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

const cellText = (cell: string | number | undefined): string => String(cell ?? '').replace(UNPRINTABLE, codePointOf);

/** Columns padded to their widest cell; numbers right-aligned; the last column is not padded. */
export const renderTable = (headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string => {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => cellText(row[column]).length)));
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'));
  const line = (cells: readonly (string | number)[]): string =>
    cells
      .map((cell, column) => {
        const text = cellText(cell);
        if (column === cells.length - 1 && !numeric[column]) return text;
        return numeric[column] ? text.padStart(widths[column] ?? 0) : text.padEnd(widths[column] ?? 0);
      })
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
};

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every leaf of a JSON value as `[path, value]`, for showing a state as a two-column table. */
export const flattenJson = (value: unknown, path = ''): readonly (readonly [string, string])[] => {
  if (Array.isArray(value)) {
    return value.length === 0 ? [[path, '[]']] : value.flatMap((item, i) => flattenJson(item, `${path}[${i}]`));
  }
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((key) => value[key] !== undefined);
    return keys.length === 0 ? [[path, '{}']] : keys.flatMap((key) => flattenJson(value[key], path === '' ? key : `${path}.${key}`));
  }
  return [[path, typeof value === 'string' ? value : JSON.stringify(value)]];
};

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Writes `chunk`, resolving once the stream can take more, so a slow reader slows the writer down. A stream
 * that failed before says so again: writes to it would wait for a 'drain' that never comes.
 */
export const writeTo =
  (stream: Writable) =>
  (chunk: string): Promise<void> =>
    new Promise((resolve, reject) => {
      if (stream.destroyed) {
        reject(stream.errored ?? new Error('the output was closed'));
        return;
      }
      const onError = (error: Error): void => reject(error);
      stream.once('error', onError);
      const settle = (): void => {
        stream.off('error', onError);
        resolve();
      };
      if (stream.write(chunk)) settle();
      else stream.once('drain', settle);
    });

/**
 * Writes a command's output and says, once it is written, what stopped it if it could not be: settled by the
 * write's own callback, since what `write` returns says only whether the stream took the chunk.
 */
export const deliver = (stream: Writable, text: string): Promise<Error | undefined> =>
  new Promise((resolve) => {
    if (stream.destroyed) resolve(stream.errored ?? new Error('the output was closed'));
    else stream.write(text, (error) => resolve(error ?? undefined));
  });

/** A reader that stops early (`| head`) closes the pipe: it has all it wants, and nothing failed. */
export const isClosedPipe = (error: unknown): boolean => (error as { readonly code?: unknown } | null)?.code === 'EPIPE';
