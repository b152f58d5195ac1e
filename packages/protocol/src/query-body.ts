import { createHash, createHmac } from 'node:crypto';
import type { SignType } from './types.ts';

/**
 * What every signed order request of one client carries besides the nonce and the order identifier.
 *
 * @example
 * ```ts
 * const merchant: QueryBodyMerchant = { appId: 'wxd930ea5d5a258f4f', mchId: '10000100', key, signType: 'MD5' };
 * ```
 * @internal
 */
export interface QueryBodyMerchant {
  readonly appId: string;
  readonly mchId: string;
  readonly subAppId?: string | undefined;
  readonly subMchId?: string | undefined;
  readonly key: string;
  readonly signType: SignType;
}

/**
 * Builds a client's signed request body for one order identifier and nonce. Same bytes as
 * `buildXml({ appid, mch_id, nonce_str, out_trade_no, sign_type, sub_appid, sub_mch_id, transaction_id, sign })`
 * with `sign()` over those fields, but the fixed parts of the signing string and of the XML are joined once per
 * client: the field names are already in ASCII order, and every value is a checked wire id, a hex nonce or a
 * checked order id, none of which needs escaping or is empty. Callers validate `value` (see `queryIdentifier`).
 *
 * @example
 * ```ts
 * const body = createQueryBodyBuilder(merchant)('out_trade_no', '1415757673', nextNonce());
 * ```
 * @internal
 */
export function createQueryBodyBuilder(
  merchant: QueryBodyMerchant,
): (field: 'out_trade_no' | 'transaction_id', value: string, nonce: string) => string {
  const { appId, mchId, subAppId, subMchId, key, signType } = merchant;
  const hmac = signType === 'HMAC-SHA256';
  // Fields between out_trade_no and transaction_id in ASCII order.
  let signMiddle = '';
  let xmlMiddle = '';
  if (hmac) {
    signMiddle += `&sign_type=${signType}`;
    xmlMiddle += `<sign_type>${signType}</sign_type>`;
  }
  if (subAppId !== undefined) {
    signMiddle += `&sub_appid=${subAppId}`;
    xmlMiddle += `<sub_appid>${subAppId}</sub_appid>`;
  }
  if (subMchId !== undefined) {
    signMiddle += `&sub_mch_id=${subMchId}`;
    xmlMiddle += `<sub_mch_id>${subMchId}</sub_mch_id>`;
  }
  const signHead = `appid=${appId}&mch_id=${mchId}&nonce_str=`;
  const signTail = `&key=${key}`;
  const xmlHead = `<xml><appid>${appId}</appid><mch_id>${mchId}</mch_id><nonce_str>`;

  return (field, value, nonce) => {
    const byOutTradeNo = field === 'out_trade_no';
    const payload = byOutTradeNo
      ? `${signHead}${nonce}&out_trade_no=${value}${signMiddle}${signTail}`
      : `${signHead}${nonce}${signMiddle}&transaction_id=${value}${signTail}`;
    const digest = hmac ? createHmac('sha256', key) : createHash('md5');
    const signature = digest.update(payload, 'utf8').digest('hex').toUpperCase();
    return byOutTradeNo
      ? `${xmlHead}${nonce}</nonce_str><out_trade_no>${value}</out_trade_no>${xmlMiddle}<sign>${signature}</sign></xml>`
      : `${xmlHead}${nonce}</nonce_str>${xmlMiddle}<transaction_id>${value}</transaction_id><sign>${signature}</sign></xml>`;
  };
}
