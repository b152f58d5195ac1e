/** A column of a printed table; numbers are right-aligned. */
export type Cell = string | number | undefined;

function text(cell: Cell): string {
  if (cell === undefined) return '–';
  if (typeof cell === 'string') return cell;
  if (!Number.isFinite(cell)) return String(cell);
  // Thousands separated; below 100, three significant digits without trailing zeros.
  if (Math.abs(cell) >= 100 || Number.isInteger(cell))
    return cell.toLocaleString('en-US', { maximumFractionDigits: 0 });
  return String(Number(cell.toPrecision(3)));
}

/** Renders rows as a plain-text table with a header rule: readable in a terminal and in a CI log. */
export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = rows.map((row) => headers.map((_, i) => text(row[i])));
  const numeric = headers.map((_, i) => rows.every((row) => typeof row[i] === 'number' || row[i] === undefined));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** Renders rows as a Markdown table (for bench/README.md). */
export function renderMarkdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const numeric = headers.map((_, i) => rows.every((row) => typeof row[i] === 'number' || row[i] === undefined));
  const head = `| ${headers.join(' | ')} |`;
  const rule = `|${numeric.map((n) => (n ? '---:' : '---')).join('|')}|`;
  return [head, rule, ...rows.map((row) => `| ${headers.map((_, i) => text(row[i])).join(' | ')} |`)].join('\n');
}
