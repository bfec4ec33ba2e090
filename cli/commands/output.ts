// How the admin CLI prints: aligned tables for people, `--json` for scripts.

export interface Column<Row> {
  title: string;
  value: (row: Row) => string;
  /** Numbers and money read best right-aligned. */
  align?: 'left' | 'right';
}

export function table<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) => Math.max(column.title.length, ...cells.map((line) => (line[index] ?? '').length)));
  const render = (line: readonly string[]): string =>
    line
      .map((cell, index) => (columns[index]?.align === 'right' ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(columns.map((column) => column.title)), ...cells.map(render)].join('\n');
}

/** `$3.25`, `$0.000052`; `-` for none. */
export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  const fixed = value.toFixed(6).replace(/0+$/, '');
  const [whole = '0', fraction = ''] = fixed.split('.');
  return `$${whole}.${fraction.padEnd(2, '0')}`;
}

/** The first characters of a key hash: enough to name it in commands. */
export const shortHash = (hash: string): string => hash.slice(0, 12);

export const dateOnly = (iso: string | null | undefined): string => (iso == null ? '-' : iso.slice(0, 16).replace('T', ' '));

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}
