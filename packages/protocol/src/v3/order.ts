import type { Coupon, Order } from '../types.ts';
import type { JsonObject } from './json.ts';
import { jsonInteger, jsonObject, jsonObjects, jsonString } from './json-fields.ts';
import { beijingTimeEnd, parseRfc3339 } from './rfc3339.ts';

const EMPTY: readonly Coupon[] = Object.freeze([]);

function coupons(details: readonly JsonObject[]): readonly Coupon[] {
  if (details.length === 0) return EMPTY;
  return Object.freeze(
    details.map((detail) =>
      Object.freeze({
        id: jsonString(detail, 'coupon_id'),
        type: jsonString(detail, 'type'),
        fee: jsonInteger(detail, 'amount'),
      }),
    ),
  );
}

/**
 * Normalises an APIv3 transaction (a query answer, or a notification's decrypted `resource`) into the same
 * {@link Order} v2 gives, so that watches and settling never see which protocol spoke:
 * `appid`/`sp_appid` → `appId`, `mchid`/`sp_mchid` → `mchId`, `sub_appid`, `sub_mchid`; `payer.openid` (direct) or
 * `payer.sp_openid` (partner) → `openId`, `payer.sub_openid` → `subOpenId`; `amount.total`, `amount.currency`,
 * `amount.payer_total`, `amount.payer_currency` → `totalFee`, `feeType`, `cashFee`, `cashFeeType`;
 * `promotion_detail[]` → `coupons` (`coupon_id`, `type`, `amount`) with `couponFee` their sum and `couponCount`
 * their number; `scene_info.device_id` → `deviceInfo`; `success_time` (RFC 3339) → `paidAt`, and `timeEnd` the
 * same instant as v2's Beijing `yyyyMMddHHmmss`. v3 has no `is_subscribe` nor `settlement_total_fee`: undefined.
 *
 * Call it only on a verified body. Throws `MalformedResponseError` on a member of the wrong type, an amount that is
 * not a non-negative safe integer, or an impossible `success_time`.
 *
 * @example
 * ```ts
 * const order = normaliseTransactionV3({ out_trade_no: 'A1', amount: { total: 100, currency: 'CNY' } });
 * order.totalFee; // 100
 * ```
 */
export function normaliseTransactionV3(transaction: JsonObject): Order {
  const amount = jsonObject(transaction, 'amount');
  const payer = jsonObject(transaction, 'payer');
  const details = jsonObjects(transaction, 'promotion_detail');
  const list = coupons(details);
  const successTime = jsonString(transaction, 'success_time');
  const paidAt = successTime === undefined ? undefined : parseRfc3339(successTime, 'success_time');
  let couponFee: number | undefined;
  for (const coupon of list) if (coupon.fee !== undefined) couponFee = (couponFee ?? 0) + coupon.fee;
  return Object.freeze({
    appId: jsonString(transaction, 'appid') ?? jsonString(transaction, 'sp_appid'),
    mchId: jsonString(transaction, 'mchid') ?? jsonString(transaction, 'sp_mchid'),
    subAppId: jsonString(transaction, 'sub_appid'),
    subMchId: jsonString(transaction, 'sub_mchid'),
    deviceInfo: jsonString(jsonObject(transaction, 'scene_info'), 'device_id'),
    openId: jsonString(payer, 'openid') ?? jsonString(payer, 'sp_openid'),
    isSubscribe: undefined,
    subOpenId: jsonString(payer, 'sub_openid'),
    subIsSubscribe: undefined,
    tradeType: jsonString(transaction, 'trade_type'),
    bankType: jsonString(transaction, 'bank_type'),
    totalFee: jsonInteger(amount, 'total'),
    settlementTotalFee: undefined,
    feeType: jsonString(amount, 'currency'),
    cashFee: jsonInteger(amount, 'payer_total'),
    cashFeeType: jsonString(amount, 'payer_currency'),
    couponFee,
    couponCount: list.length === 0 ? undefined : list.length,
    coupons: list,
    transactionId: jsonString(transaction, 'transaction_id'),
    outTradeNo: jsonString(transaction, 'out_trade_no'),
    attach: jsonString(transaction, 'attach'),
    timeEnd: paidAt === undefined ? undefined : beijingTimeEnd(paidAt),
    paidAt,
    tradeStateDesc: jsonString(transaction, 'trade_state_desc'),
  });
}
