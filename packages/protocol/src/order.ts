import { MalformedResponseError } from './errors.ts';
import type { Coupon, Order, WireFields } from './types.ts';

function malformed(message: string): MalformedResponseError {
  return new MalformedResponseError('MALFORMED_RESPONSE', message);
}

/** WeChat leaves a field empty instead of omitting it sometimes; empty means absent, as in the signing rule. */
function text(fields: WireFields, name: string): string | undefined {
  const value = fields[name];
  return value === undefined || value === '' ? undefined : value;
}

const DIGITS = /^[0-9]{1,16}$/;

/** An amount in fen or a count: a non-negative safe integer written in decimal digits, nothing else. */
function integer(fields: WireFields, name: string): number | undefined {
  const value = text(fields, name);
  if (value === undefined) return undefined;
  const parsed = DIGITS.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed)) throw malformed(`${name} is not an integer amount`);
  return parsed;
}

function flag(fields: WireFields, name: string): boolean | undefined {
  const value = text(fields, name);
  if (value === undefined) return undefined;
  if (value === 'Y') return true;
  if (value === 'N') return false;
  throw malformed(`${name} is neither Y nor N`);
}

const TIME_END = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$/;
const BEIJING_OFFSET_HOURS = 8;

/** `yyyyMMddHHmmss` in Beijing time (UTC+8, no daylight saving) as an instant; impossible dates are refused. */
function beijingTime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const match = TIME_END.exec(value);
  if (match === null) throw malformed('time_end is not yyyyMMddHHmmss');
  // Six captures, all digits: the regex matched.
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6]);
  const instant = new Date(Date.UTC(year, month - 1, day, hour - BEIJING_OFFSET_HOURS, minute, second));
  // Date.UTC rolls 30 February over into March; reading the fields back catches every impossible date.
  const back = new Date(instant.getTime() + BEIJING_OFFSET_HOURS * 3_600_000);
  if (
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month - 1 ||
    back.getUTCDate() !== day ||
    back.getUTCHours() !== hour ||
    back.getUTCMinutes() !== minute ||
    back.getUTCSeconds() !== second
  ) {
    throw malformed('time_end is not a valid date');
  }
  return instant;
}

const COUPON_FIELD = /^coupon_(id|type|fee)_([0-9]+)$/;
const CANONICAL_INDEX = /^(?:0|[1-9][0-9]{0,5})$/;

interface CouponParts {
  id?: string;
  type?: string;
  fee?: number;
}

/** Coupons from the `coupon_(id|type|fee)_N` keys themselves, for any N (gaps allowed), ordered by N. */
function coupons(fields: WireFields): Coupon[] {
  let byIndex: Map<number, CouponParts> | undefined;
  for (const name of Object.keys(fields)) {
    if (!name.startsWith('coupon_')) continue;
    const match = COUPON_FIELD.exec(name);
    if (match === null) continue;
    const [, part, index] = match as unknown as [string, 'id' | 'type' | 'fee', string];
    // coupon_fee_01 next to coupon_fee_1 would be two fields for one coupon: refuse rather than pick one.
    if (!CANONICAL_INDEX.test(index)) throw malformed(`${name} has a non-canonical index`);
    byIndex ??= new Map();
    const n = Number(index);
    let coupon = byIndex.get(n);
    if (coupon === undefined) {
      coupon = {};
      byIndex.set(n, coupon);
    }
    if (part === 'fee') {
      const fee = integer(fields, name);
      if (fee !== undefined) coupon.fee = fee;
    } else {
      const value = text(fields, name);
      if (value !== undefined) coupon[part] = value;
    }
  }
  if (byIndex === undefined) return [];
  const indices = Array.from(byIndex.keys()).sort((a, b) => a - b);
  const result: Coupon[] = [];
  for (const n of indices) {
    const c = byIndex.get(n) as CouponParts;
    result.push(Object.freeze({ id: c.id, type: c.type, fee: c.fee }));
  }
  return result;
}

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
    coupons: Object.freeze(coupons(fields)),
    transactionId: text(fields, 'transaction_id'),
    outTradeNo: text(fields, 'out_trade_no'),
    attach: text(fields, 'attach'),
    timeEnd,
    paidAt: beijingTime(timeEnd),
    tradeStateDesc: text(fields, 'trade_state_desc'),
  });
}
