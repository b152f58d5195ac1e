import { InvalidArgumentError } from '@tradestate/protocol';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * Reads a duration flag: `1500` or `1500ms`, `30s`, `2.5m`, `1h`. A bare number is milliseconds.
 *
 * @throws {InvalidArgumentError} on anything else, or a duration of zero.
 * @example
 * ```ts
 * parseDuration('90s'); // 90000
 * ```
 */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  const amount = match?.[1];
  if (match === null || amount === undefined) {
    throw new InvalidArgumentError(`"${text}" is not a duration: use e.g. 1500ms, 30s, 2m or 1h`);
  }
  const unit = (match[2] ?? 'ms') as keyof typeof UNIT_MS;
  const ms = Math.round(Number(amount) * UNIT_MS[unit]);
  if (ms <= 0 || !Number.isSafeInteger(ms)) throw new InvalidArgumentError(`"${text}" is not a usable duration`);
  return ms;
}

/**
 * Writes a duration for people: `850ms`, `4.2s`, `2m05s`.
 *
 * @example
 * ```ts
 * formatDuration(4200); // '4.2s'
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, '0')}s`;
}
