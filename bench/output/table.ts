export type Alignment = 'left' | 'right';

export interface Table {
  readonly headers: readonly string[];
  readonly align: readonly Alignment[];
  readonly rows: readonly (readonly string[])[];
}

const pad = (text: string, width: number, alignment: Alignment): string => (alignment === 'right' ? text.padStart(width) : text.padEnd(width));

/** Columns padded to their widest cell, for a terminal. */
export const renderText = (table: Table): string => {
  const widths = table.headers.map((header, column) => Math.max(header.length, ...table.rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => pad(cell, widths[column] ?? 0, table.align[column] ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(table.headers), widths.map((w) => '─'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
};

/** A GitHub-flavoured Markdown table. */
export const renderMarkdown = (table: Table): string => {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|');
  const line = (cells: readonly string[]): string => `| ${cells.map(escape).join(' | ')} |`;
  return [line(table.headers), `|${table.align.map((a) => (a === 'right' ? '---:' : ':---')).join('|')}|`, ...table.rows.map(line)].join('\n');
};
