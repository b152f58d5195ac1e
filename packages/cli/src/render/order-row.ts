import type picocolors from 'picocolors';
import { formatDuration } from '../duration.ts';

type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * One watched order as the live view and the summary show it.
 *
 * @example
 * ```ts
 * const row: OrderRow = { label: 'jsapi-paid', timeline: ['NOTPAY', 'SUCCESS'], queries: 3, elapsedMs: 2600, status: 'ok' };
 * ```
 */
export interface OrderRow {
  /** A short name for the order (the demo's scenario name, or the `out_trade_no`). */
  readonly label: string;
  /** Each state the order was seen in, oldest first, followed by how the watch ended when that is not a state. */
  readonly timeline: readonly string[];
  /** Queries spent on the order so far. */
  readonly queries: number;
  readonly elapsedMs: number;
  /** `running` while watched; `ok`/`failed` once it ended as expected or not. */
  readonly status: 'running' | 'ok' | 'failed';
  /** Why it failed, or what is awaited. */
  readonly note?: string | undefined;
}

const ICON = { running: '…', ok: '✔', failed: '✘' } as const;

/**
 * The order's timeline as `NOTPAY → USERPAYING → SUCCESS`, or `(no answer yet)`.
 *
 * @example
 * ```ts
 * formatTimeline(['NOTPAY', 'SUCCESS']); // 'NOTPAY → SUCCESS'
 * ```
 */
export function formatTimeline(timeline: readonly string[]): string {
  return timeline.length === 0 ? '(no answer yet)' : timeline.join(' → ');
}

/**
 * One line of the live view: status icon, label, timeline, queries, elapsed time, and a note when failed.
 *
 * @example
 * ```ts
 * formatRow(row, createColors(false), 16); // '✔ jsapi-paid       NOTPAY → SUCCESS   3 queries  2.6s'
 * ```
 */
export function formatRow(row: OrderRow, colors: Colors, labelWidth: number): string {
  const paint = row.status === 'ok' ? colors.green : row.status === 'failed' ? colors.red : colors.yellow;
  const queries = `${row.queries} ${row.queries === 1 ? 'query' : 'queries'}`;
  const note = row.note === undefined ? '' : `  ${colors.dim(row.note)}`;
  return (
    `${paint(ICON[row.status])} ${row.label.padEnd(labelWidth)}  ${formatTimeline(row.timeline).padEnd(36)}` +
    `  ${queries.padStart(10)}  ${formatDuration(row.elapsedMs).padStart(6)}${note}`
  );
}
