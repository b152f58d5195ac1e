import type { TradeState } from '@tradestate/protocol';
import type { OrderRecord } from '../order-record.ts';
import { isPaidState, TRADE_STATE_DESC } from '../transitions.ts';

/** An instant as APIv3 writes `success_time`: RFC 3339 in Beijing time, `+08:00`. */
export function beijingRfc3339(epochMs: number): string {
  return `${new Date(epochMs + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

/** The merchant members of every v3 body about an order: direct `appid`/`mchid`, partner `sp_`/`sub_` ones. */
export function merchantJson(record: OrderRecord): Record<string, unknown> {
  if (record.subMchId === undefined) return { appid: record.appId, mchid: record.mchId };
  return { sp_appid: record.appId, sp_mchid: record.mchId, sub_appid: record.subAppId, sub_mchid: record.subMchId };
}

/**
 * An order as the APIv3 query answers it in `state` (the same facts the v2 answer carries, in v3's shape): payment
 * members once paid, `transaction_id` once paid or for MICROPAY, `promotion_detail` for coupons.
 */
export function transactionJson(record: OrderRecord, state: TradeState): Record<string, unknown> {
  const paid = (isPaidState(state) || state === 'REVOKED') && record.paidAt !== undefined;
  const body: Record<string, unknown> = {
    ...merchantJson(record),
    out_trade_no: record.outTradeNo,
    transaction_id: paid || record.tradeType === 'MICROPAY' ? record.transactionId : undefined,
    trade_type: paid || record.tradeType === 'MICROPAY' ? record.tradeType : undefined,
    trade_state: state,
    trade_state_desc: TRADE_STATE_DESC[state],
    attach: record.attach,
  };
  if (!paid || record.paidAt === undefined) {
    body['amount'] = { total: record.totalFee, currency: record.feeType };
    return body;
  }
  body['bank_type'] = record.bankType;
  body['success_time'] = beijingRfc3339(record.paidAt);
  body['payer'] =
    record.subMchId === undefined
      ? { openid: record.openId }
      : {
          sp_openid: record.providerOpenId ?? record.openId,
          sub_openid: record.providerOpenId === undefined ? undefined : record.openId,
        };
  body['amount'] = {
    total: record.totalFee,
    payer_total: record.cashFee,
    currency: record.feeType,
    payer_currency: record.feeType,
  };
  if (record.coupons.length > 0) {
    body['promotion_detail'] = record.coupons.map((coupon) => ({
      coupon_id: coupon.id,
      scope: 'GLOBAL',
      type: coupon.type === 'NO_CASH' ? 'NOCASH' : 'CASH',
      amount: coupon.fee,
      currency: record.feeType,
    }));
  }
  return body;
}
