import { MalformedResponseError } from './errors.ts';
import type { Coupon, Order, WireFields } from './types.ts';

function malformed(message: string): MalformedResponseError {
  return new MalformedResponseError('MALFORMED_RESPONSE', message);
}

/** WeChat leaves a field empty instead of omitting it sometimes; empty means absent, as in the signing rule. */
function text(fields: WireFields, name: string): string | undefined {
  const value = fields[name];
  return value === undefined || value === '' ? undefined : ownString(value);
}

/**
 * A copy of `value` that does not keep the answer's text alive. The scanner's values are slices of the whole
 * body, and V8 keeps a slice of 13 characters or more as a view into its parent: an Order kept for a watch's
 * life (or by the caller) would hold the whole answer, ~1.4 KB, through its `appId` or `transactionId`.
 * Concatenating forces a flat copy of length + 1, whose slice points into that copy only.
 */
function ownString(value: string): string {
  return value.length < 13 ? value : ` ${value}`.slice(1);
}

/** The number written by the decimal digits of `value` in [from, to), or -1 if any of them is not a digit. */
function digitsAt(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = value.charCodeAt(i) - 0x30;
    // NaN (past the end) fails both comparisons too.
    if (!(digit >= 0 && digit <= 9)) return -1;
    n = n * 10 + digit;
  }
  return n;
}

const MAX_AMOUNT_DIGITS = 16;

/** An amount in fen or a count: a non-negative safe integer written in decimal digits, nothing else. */
function integer(fields: WireFields, name: string): number | undefined {
  const value = text(fields, name);
  if (value === undefined) return undefined;
  // Up to 2^53 the digits add up exactly; past it the sum stays past it, and is refused as unsafe either way.
  const parsed = value.length <= MAX_AMOUNT_DIGITS ? digitsAt(value, 0, value.length) : -1;
  if (!Number.isSafeInteger(parsed) || parsed < 0) throw malformed(`${name} is not an integer amount`);
  return parsed;
}

function flag(fields: WireFields, name: string): boolean | undefined {
  const value = text(fields, name);
  if (value === undefined) return undefined;
  if (value === 'Y') return true;
  if (value === 'N') return false;
  throw malformed(`${name} is neither Y nor N`);
}

const BEIJING_OFFSET_MS = 8 * 3_600_000;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] as number;
}

/** `yyyyMMddHHmmss` in Beijing time (UTC+8, no daylight saving) as an instant; impossible dates are refused. */
function beijingTime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const year = value.length === 14 ? digitsAt(value, 0, 4) : -1;
  const month = digitsAt(value, 4, 6);
  const day = digitsAt(value, 6, 8);
  const hour = digitsAt(value, 8, 10);
  const minute = digitsAt(value, 10, 12);
  const second = digitsAt(value, 12, 14);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
    throw malformed('time_end is not yyyyMMddHHmmss');
  }
  // Every field in its range, so nothing rolls over (30 February, 24:00, a leap second). Years 0000-0099 are
  // refused: Date.UTC would read them as 1900-1999.
  if (
    year < 100 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw malformed('time_end is not a valid date');
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second) - BEIJING_OFFSET_MS);
}

const COUPON = 'coupon_';
const MAX_CANONICAL_INDEX_DIGITS = 6;

interface CouponParts {
  readonly index: number;
  id?: string;
  type?: string;
  fee?: number;
}

/** Which part of a coupon `name` (known to start with `coupon_`) is, and where its index starts; -1 if none. */
function couponPartEnd(name: string): number {
  if (name.startsWith('id_', COUPON.length)) return COUPON.length + 3;
  if (name.startsWith('fee_', COUPON.length)) return COUPON.length + 4;
  if (name.startsWith('type_', COUPON.length)) return COUPON.length + 5;
  return -1;
}

/** Coupons from the `coupon_(id|type|fee)_N` keys themselves, for any N (gaps allowed), ordered by N. */
function coupons(fields: WireFields, names: readonly string[]): readonly Coupon[] {
  let found: CouponParts[] | undefined;
  for (const name of names) {
    // The first character rules out most names without a call.
    if (name.charCodeAt(0) !== 0x63 /* c */ || !name.startsWith(COUPON)) continue;
    const at = couponPartEnd(name);
    // `coupon_(id|type|fee)_` followed by one or more digits and nothing else; coupon_fee, coupon_count are not.
    if (at < 0 || at === name.length || digitsAt(name, at, name.length) < 0) continue;
    // coupon_fee_01 next to coupon_fee_1 would be two fields for one coupon: refuse rather than pick one.
    if ((name.charCodeAt(at) === 0x30 && name.length > at + 1) || name.length - at > MAX_CANONICAL_INDEX_DIGITS) {
      throw malformed(`${name} has a non-canonical index`);
    }
    const index = digitsAt(name, at, name.length);
    found ??= [];
    let coupon = found.find((c) => c.index === index);
    if (coupon === undefined) {
      coupon = { index };
      found.push(coupon);
    }
    const part = name.charCodeAt(COUPON.length);
    if (part === 0x66 /* f */) {
      const fee = integer(fields, name);
      if (fee !== undefined) coupon.fee = fee;
    } else {
      const value = text(fields, name);
      if (value !== undefined) {
        if (part === 0x69 /* i */) coupon.id = value;
        else coupon.type = value;
      }
    }
  }
  if (found === undefined) return EMPTY;
  found.sort((a, b) => a.index - b.index);
  return Object.freeze(found.map((c) => Object.freeze({ id: c.id, type: c.type, fee: c.fee })));
}

const EMPTY: readonly Coupon[] = Object.freeze([]);

/**
 * Normalises the wire fields of an order (an `orderquery` answer or a payment notification) into an
 * {@link Order}: camelCase names, integer fen amounts checked safe, ids kept as strings, `is_subscribe` Y/N as a
 * boolean, coupons gathered from `coupon_(id|type|fee)_N` for any N and ordered by N, and `paidAt` read from
 * `time_end` as Beijing time (UTC+8). Empty values count as absent.
 *
 * Call it only on fields whose signature was verified. Throws {@link MalformedResponseError} (code
 * `MALFORMED_RESPONSE`) on a non-integer or unsafe amount, a flag other than Y/N, or an impossible `time_end`.
 *
 * @example
 * ```ts
 * const order = normaliseOrder({ total_fee: '101', time_end: '20141111170043', coupon_fee_0: '1' });
 * order.totalFee; // 101
 * order.paidAt?.toISOString(); // '2014-11-11T09:00:43.000Z'
 * order.coupons; // [{ id: undefined, type: undefined, fee: 1 }]
 * ```
 */
export function normaliseOrder(fields: WireFields): Order {
  return normaliseOrderOf(fields, Object.keys(fields));
}

/**
 * {@link normaliseOrder} given `names`, the own names of `fields` in insertion order (as the XML scanner lists
 * them), which spares enumerating the record again.
 *
 * @example
 * ```ts
 * const { fields, names } = parseXmlListing(body, undefined);
 * normaliseOrderOf(fields, names);
 * ```
 * @internal
 */
export function normaliseOrderOf(fields: WireFields, names: readonly string[]): Order {
  const timeEnd = text(fields, 'time_end');
  return Object.freeze({
    appId: text(fields, 'appid'),
    mchId: text(fields, 'mch_id'),
    subAppId: text(fields, 'sub_appid'),
    subMchId: text(fields, 'sub_mch_id'),
    deviceInfo: text(fields, 'device_info'),
    openId: text(fields, 'openid'),
    isSubscribe: flag(fields, 'is_subscribe'),
    subOpenId: text(fields, 'sub_openid'),
    subIsSubscribe: flag(fields, 'sub_is_subscribe'),
    tradeType: text(fields, 'trade_type'),
    bankType: text(fields, 'bank_type'),
    totalFee: integer(fields, 'total_fee'),
    settlementTotalFee: integer(fields, 'settlement_total_fee'),
    feeType: text(fields, 'fee_type'),
    cashFee: integer(fields, 'cash_fee'),
    cashFeeType: text(fields, 'cash_fee_type'),
    couponFee: integer(fields, 'coupon_fee'),
    couponCount: integer(fields, 'coupon_count'),
    coupons: coupons(fields, names),
    transactionId: text(fields, 'transaction_id'),
    outTradeNo: text(fields, 'out_trade_no'),
    attach: text(fields, 'attach'),
    timeEnd,
    paidAt: beijingTime(timeEnd),
    tradeStateDesc: text(fields, 'trade_state_desc'),
  });
}
