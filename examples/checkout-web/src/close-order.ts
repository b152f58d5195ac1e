import { randomBytes } from 'node:crypto';
import { buildXml, parseXml, type SignType, sign, verifySignature } from '@tradestate/protocol';

/**
 * The merchant credentials a signed request needs.
 *
 * @example
 * ```ts
 * const merchant: SigningMerchant = { appId: 'wxd930ea5d5a258f4f', mchId: '10000100', key, signType: 'MD5' };
 * ```
 */
export interface SigningMerchant {
  readonly appId: string;
  readonly mchId: string;
  readonly key: string;
  readonly signType?: SignType | undefined;
}

/**
 * What `/pay/closeorder` answered: `closed`, or WeChat's `err_code` (ORDERPAID, ORDERCLOSED, SYSTEMERROR…).
 *
 * @example
 * ```ts
 * const result: CloseResult = { closed: false, errCode: 'ORDERPAID' };
 * ```
 */
export interface CloseResult {
  readonly closed: boolean;
  readonly errCode?: string | undefined;
}

/**
 * Closes an unpaid order with WeChat Pay v2 `POST /pay/closeorder`, signed, and verifies the answer's signature.
 * A paid order cannot be closed (`ORDERPAID`): query it after closing to learn its final state.
 *
 * @throws {Error} when the answer is not signed by the merchant key or the request failed outright.
 * @example
 * ```ts
 * await closeOrder(sandbox.url, merchant, 'A1'); // { closed: true }
 * ```
 */
export async function closeOrder(
  baseURL: string,
  merchant: SigningMerchant,
  outTradeNo: string,
  signal?: AbortSignal,
): Promise<CloseResult> {
  const signType = merchant.signType ?? 'MD5';
  const request: Record<string, string> = {
    appid: merchant.appId,
    mch_id: merchant.mchId,
    out_trade_no: outTradeNo,
    nonce_str: randomBytes(16).toString('hex'),
  };
  if (signType !== 'MD5') request['sign_type'] = signType;
  request['sign'] = sign(request, merchant.key, signType);
  const response = await fetch(`${baseURL}/pay/closeorder`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: buildXml(request),
    signal: signal ?? AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`closeorder answered HTTP ${response.status}`);
  const fields = parseXml(await response.text());
  if (fields['return_code'] !== 'SUCCESS') return { closed: false, errCode: 'RETURN_FAIL' };
  if (!verifySignature(fields, merchant.key, signType)) throw new Error('closeorder answer has a bad signature');
  if (fields['result_code'] === 'SUCCESS') return { closed: true };
  return { closed: false, errCode: fields['err_code'] ?? 'UNKNOWN' };
}
