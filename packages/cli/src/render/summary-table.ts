import Table from 'cli-table3';
import picocolors from 'picocolors';
import { formatDuration } from '../duration.ts';
import { formatTimeline, type OrderRow } from './order-row.ts';

/**
 * A finished order for the summary: its row plus what was expected of it.
 *
 * @example
 * ```ts
 * const line: SummaryLine = { ...row, expected: 'SUCCESS' };
 * ```
 */
export interface SummaryLine extends OrderRow {
  readonly expected: string;
}

/**
 * The closing table of `tradestate demo`: one row per order with its timeline, expectation, queries and time.
 *
 * @example
 * ```ts
 * process.stdout.write(renderSummaryTable(lines, { color: process.stdout.isTTY }) + '\n');
 * ```
 */
export function renderSummaryTable(lines: readonly SummaryLine[], options: { readonly color: boolean }): string {
  const colors = picocolors.createColors(options.color);
  const table = new Table({
    head: ['order', 'timeline', 'expected', 'queries', 'elapsed', 'result'],
    colAligns: ['left', 'left', 'left', 'right', 'right', 'left'],
    // No rule between rows: one line per order reads better and pastes into a README as is.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    // cli-table3 colours through its own dependency; without a terminal the table must be plain text.
    style: options.color ? { head: ['cyan'], border: ['gray'] } : { head: [], border: [] },
  });
  for (const line of lines) {
    const result = line.status === 'ok' ? colors.green('as scripted') : colors.red(line.note ?? 'unexpected');
    table.push([
      line.label,
      formatTimeline(line.timeline),
      line.expected,
      line.queries,
      formatDuration(line.elapsedMs),
      result,
    ]);
  }
  return table.toString();
}
