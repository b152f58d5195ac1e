import { createLogUpdate } from 'log-update';
import picocolors from 'picocolors';
import { formatDuration } from '../duration.ts';
import type { OutputStream } from '../io.ts';
import { formatRow, formatTimeline, type OrderRow } from './order-row.ts';

/**
 * Shows many watched orders at once: redrawn in place on a terminal, or one plain line per change when the
 * output is piped or redirected (so logs and CI read like a story, not a mess of escape codes).
 *
 * @example
 * ```ts
 * const view = createLiveView(process.stdout, () => rows);
 * view.refresh(); // after each change
 * view.stop();
 * ```
 */
export interface LiveView {
  /** Call after any change; on a terminal it redraws, piped it prints the rows whose state changed. */
  refresh(): void;
  /** Draws the last frame and leaves it on screen. */
  stop(): void;
}

/**
 * Options of {@link createLiveView}.
 *
 * @example
 * ```ts
 * createLiveView(process.stdout, () => rows, { tty: false, now: () => performance.now() });
 * ```
 */
export interface LiveViewOptions {
  /** Redraw in place. Default: the stream is a TTY. */
  readonly tty?: boolean | undefined;
  /** How often elapsed times tick on a terminal. Default 100 ms. */
  readonly tickMs?: number | undefined;
  /** Clock for the `+1.2s` prefix of plain lines. Default `performance.now`. */
  readonly now?: (() => number) | undefined;
}

/**
 * Creates a {@link LiveView} over `rows()`, which returns the current rows each time it is called.
 *
 * @example
 * ```ts
 * const view = createLiveView(process.stdout, () => [...rows.values()]);
 * ```
 */
export function createLiveView(
  stream: OutputStream,
  rows: () => readonly OrderRow[],
  options: LiveViewOptions = {},
): LiveView {
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? (() => performance.now());
  const startedAt = now();
  const colors = picocolors.createColors(tty);
  const width = () => Math.max(8, ...rows().map((row) => row.label.length));

  if (!tty) {
    const printed = new Map<string, string>();
    const refresh = () => {
      for (const row of rows()) {
        // Only state changes are news when piped; elapsed time alone is not.
        const key = `${formatTimeline(row.timeline)}|${row.status}`;
        if (printed.get(row.label) === key) continue;
        printed.set(row.label, key);
        const stamp = `+${formatDuration(now() - startedAt)}`.padStart(8);
        stream.write(`${stamp}  ${formatRow(row, colors, width())}\n`);
      }
    };
    return { refresh, stop: refresh };
  }

  const logUpdate = createLogUpdate(stream);
  const draw = () =>
    logUpdate(
      rows()
        .map((row) => formatRow(row, colors, width()))
        .join('\n'),
    );
  const ticker = setInterval(draw, options.tickMs ?? 100);
  ticker.unref();
  return {
    refresh: draw,
    stop: () => {
      clearInterval(ticker);
      draw();
      logUpdate.done();
    },
  };
}
