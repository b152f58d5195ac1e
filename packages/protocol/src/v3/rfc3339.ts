import { MalformedResponseError } from '../errors.ts';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const BEIJING_OFFSET_MS = 8 * 3_600_000;

function daysIn(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] as number;
}

/**
 * An RFC 3339 date-time (`2018-06-08T10:34:56+08:00`, APIv3's `success_time`) as an instant. Every field must be in
 * range (no 30 February, no 24:00, no leap second, offsets within ±23:59): a date that would roll over is refused
 * with {@link MalformedResponseError}, never moved.
 *
 * @example
 * ```ts
 * parseRfc3339('2018-06-08T10:34:56+08:00', 'success_time').toISOString(); // '2018-06-08T02:34:56.000Z'
 * ```
 */
export function parseRfc3339(value: string, name: string): Date {
  const m = RFC3339.exec(value);
  if (m === null) throw new MalformedResponseError('MALFORMED_RESPONSE', `${name} is not an RFC 3339 date-time`);
  // Read one by one: a slice and a map allocate two arrays per answer on the decode's hot path.
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  const offsetHours = m[7] === 'Z' ? 0 : Number(m[9]);
  const offsetMinutes = m[7] === 'Z' ? 0 : Number(m[10]);
  if (
    year < 100 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 23 ||
    offsetMinutes > 59
  ) {
    throw new MalformedResponseError('MALFORMED_RESPONSE', `${name} is not a valid date`);
  }
  const sign = m[8] === '-' ? -1 : 1;
  const offsetMs = sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second) - offsetMs);
}

/**
 * An instant as v2's `time_end`: `yyyyMMddHHmmss` in Beijing time, so a v3 `Order.timeEnd` reads like a v2 one.
 *
 * @example
 * ```ts
 * beijingTimeEnd(new Date('2018-06-08T02:34:56Z')); // '20180608103456'
 * ```
 */
export function beijingTimeEnd(instant: Date): string {
  const b = new Date(instant.getTime() + BEIJING_OFFSET_MS);
  const two = (n: number) => (n < 10 ? `0${n}` : String(n));
  return `${b.getUTCFullYear()}${two(b.getUTCMonth() + 1)}${two(b.getUTCDate())}${two(b.getUTCHours())}${two(b.getUTCMinutes())}${two(b.getUTCSeconds())}`;
}
