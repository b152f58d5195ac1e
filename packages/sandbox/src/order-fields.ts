import type { TradeState } from '@tradestate/protocol';
import { beijingTimeEnd } from './beijing-time.ts';
import type { OrderRecord } from './order-record.ts';
import { isPaidState, TRADE_STATE_DESC } from './transitions.ts';

/** Wire fields before signing; `undefined` means the field is absent. */
export type WireDraft = Record<string, string | undefined>;

/** The fields that identify the merchant in every answer about an order. */
export function merchantFields(record: OrderRecord): WireDraft {
  return {
    appid: record.appId,
    mch_id: record.mchId,
    sub_appid: record.subAppId,
    sub_mch_id: record.subMchId,
  };
}

/** The payment fields an answer or a notification carries once an order is paid. */
function paymentFields(record: OrderRecord, paidAt: number): WireDraft {
  const fields: WireDraft = {
    openid: record.providerOpenId ?? record.openId,
    is_subscribe: 'N',
    sub_openid: record.providerOpenId === undefined ? undefined : record.openId,
    sub_is_subscribe: record.providerOpenId === undefined ? undefined : 'N',
    trade_type: record.tradeType,
    bank_type: record.bankType,
    total_fee: String(record.totalFee),
    settlement_total_fee: record.settlementTotalFee === undefined ? undefined : String(record.settlementTotalFee),
    fee_type: record.feeType,
    cash_fee: String(record.cashFee),
    cash_fee_type: record.feeType,
    coupon_fee: record.coupons.length > 0 ? String(record.couponFee) : undefined,
    coupon_count: record.coupons.length > 0 ? String(record.coupons.length) : undefined,
  };
  record.coupons.forEach((coupon, n) => {
    fields[`coupon_type_${n}`] = coupon.type;
    fields[`coupon_id_${n}`] = coupon.id;
    fields[`coupon_fee_${n}`] = String(coupon.fee);
  });
  fields['transaction_id'] = record.transactionId;
  fields['out_trade_no'] = record.outTradeNo;
  fields['attach'] = record.attach;
  fields['time_end'] = beijingTimeEnd(paidAt);
  return fields;
}

/**
 * The business fields of an orderquery answer for the order in `state` (its current state, or an earlier one
 * for a stale answer). An unpaid order shows what WeChat shows before payment: the amount and the state.
 */
export function orderStateFields(record: OrderRecord, state: TradeState): WireDraft {
  // REVOKED after a payment was refunded by the reverse; the payment fields stay on it as on SUCCESS.
  const paid = isPaidState(state) || (state === 'REVOKED' && record.paidAt !== undefined);
  const base: WireDraft =
    paid && record.paidAt !== undefined
      ? paymentFields(record, record.paidAt)
      : {
          trade_type: record.tradeType === 'MICROPAY' ? 'MICROPAY' : undefined,
          total_fee: String(record.totalFee),
          fee_type: record.feeType,
          transaction_id: record.tradeType === 'MICROPAY' ? record.transactionId : undefined,
          out_trade_no: record.outTradeNo,
          attach: record.attach,
        };
  base['trade_state'] = state;
  base['trade_state_desc'] = TRADE_STATE_DESC[state];
  return base;
}

/** The payment-result notification WeChat POSTs to `notify_url` (no `trade_state`: it is a payment). */
export function notificationFields(record: OrderRecord, paidAt: number): WireDraft {
  return {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    ...merchantFields(record),
    result_code: 'SUCCESS',
    ...paymentFields(record, paidAt),
  };
}
