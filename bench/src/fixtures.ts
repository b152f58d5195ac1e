import { sign } from '@tradestate/protocol/codec';

/** The merchant of WeChat's signing documentation: what the sandbox serves by default. */
export const MERCHANT = {
  appId: 'wxd930ea5d5a258f4f',
  mchId: '10000100',
  key: '192006250b4c09247ec02edce69f6a2d',
} as const;

export type BenchSignType = 'MD5' | 'HMAC-SHA256';

/** The out_trade_no of the decode fixture; decoders bind their answer to it. */
export const FIXTURE_OUT_TRADE_NO = '1415757673';

// Strings in CDATA and numbers bare, in the order WeChat writes them: the shape decoders meet in production.
const CDATA_FIELDS = new Set([
  'return_code',
  'return_msg',
  'appid',
  'nonce_str',
  'sign',
  'result_code',
  'openid',
  'is_subscribe',
  'trade_type',
  'bank_type',
  'fee_type',
  'attach',
  'trade_state',
  'trade_state_desc',
  'cash_fee_type',
  'coupon_type_0',
  'coupon_id_0',
  'coupon_type_1',
  'coupon_id_1',
]);

/** The fields of a paid JSAPI order with two coupons, as `orderquery` answers it (before `sign`). */
export function couponAnswerFields(): Record<string, string> {
  return {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: MERCHANT.appId,
    mch_id: MERCHANT.mchId,
    device_info: '013467007045764',
    nonce_str: 'TN55wO9Pba5yENl8',
    result_code: 'SUCCESS',
    openid: 'oUpF8uN95-Ptaags6E_roPHg7AG0',
    is_subscribe: 'Y',
    trade_type: 'JSAPI',
    bank_type: 'CMC',
    total_fee: '1000',
    settlement_total_fee: '900',
    fee_type: 'CNY',
    cash_fee: '800',
    cash_fee_type: 'CNY',
    coupon_fee: '200',
    coupon_count: '2',
    coupon_type_0: 'NO_CASH',
    coupon_id_0: '10000',
    coupon_fee_0: '100',
    coupon_type_1: 'CASH',
    coupon_id_1: '10001',
    coupon_fee_1: '100',
    transaction_id: '1008450740201411110005820873',
    out_trade_no: FIXTURE_OUT_TRADE_NO,
    attach: '订单额外描述',
    time_end: '20141111170043',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
  };
}

/** Serialises fields the way WeChat does: one per line, strings in CDATA, `sign` last. */
export function wechatXml(fields: Readonly<Record<string, string>>): string {
  let out = '<xml>\n';
  for (const [name, value] of Object.entries(fields)) {
    out += CDATA_FIELDS.has(name) ? `  <${name}><![CDATA[${value}]]></${name}>\n` : `  <${name}>${value}</${name}>\n`;
  }
  return `${out}</xml>`;
}

/** The decode fixture: a signed answer with two coupons (about 1.3 KB). */
export function couponAnswerXml(signType: BenchSignType): string {
  const fields = couponAnswerFields();
  return wechatXml({ ...fields, sign: sign(fields, MERCHANT.key, signType) });
}
