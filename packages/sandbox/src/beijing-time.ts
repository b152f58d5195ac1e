const BEIJING_OFFSET_MS = 8 * 3_600_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** An instant as WeChat writes `time_end`: `yyyyMMddHHmmss` in Beijing time (UTC+8, no daylight saving). */
export function beijingTimeEnd(epochMs: number): string {
  const d = new Date(epochMs + BEIJING_OFFSET_MS);
  return (
    pad(d.getUTCFullYear(), 4) +
    pad(d.getUTCMonth() + 1) +
    pad(d.getUTCDate()) +
    pad(d.getUTCHours()) +
    pad(d.getUTCMinutes()) +
    pad(d.getUTCSeconds())
  );
}

/** The Beijing calendar date `yyyyMMdd` of an instant (WeChat's transaction ids embed it). */
export function beijingDate(epochMs: number): string {
  return beijingTimeEnd(epochMs).slice(0, 8);
}
