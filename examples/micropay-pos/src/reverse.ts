import { randomBytes } from 'node:crypto';
import { buildXml, parseXml, type SignType, sign, verifySignature } from '@tradestate/protocol';

/**
 * The merchant credentials `/secapi/pay/reverse` is signed with.
 *
 * @example
 * const merchant: ReverseMerchant = { appId: 'wxd930ea5d5a258f4f', mchId: '10000100', key };
 */
export interface ReverseMerchant {
  readonly appId: string;
  readonly mchId: string;
  readonly key: string;
  readonly signType?: SignType | undefined;
}

/**
 * What one reverse call answered: `reversed`, `recall` (WeChat asks to call again), or failed with `errCode`.
 *
 * @example
 * const answer: ReverseAnswer = { kind: 'recall' };
 */
export type ReverseAnswer =
  | { readonly kind: 'reversed' }
  | { readonly kind: 'recall' }
  | { readonly kind: 'failed'; readonly errCode: string; readonly retryable: boolean };

const RETRYABLE = new Set(['SYSTEMERROR', 'USERPAYING', 'BANKERROR', 'FREQUENCY_LIMITED']);

/**
 * Calls WeChat Pay v2 `POST /secapi/pay/reverse` once, signed, and verifies the answer. (The real endpoint
 * also wants the merchant's client certificate on the TLS connection; the sandbox does not.)
 *
 * @throws {Error} when the answer is unsigned or wrongly signed, or the request failed outright.
 * @example
 * await reverseOnce(sandbox.url, merchant, 'POS1'); // { kind: 'reversed' }
 */
export async function reverseOnce(
  baseURL: string,
  merchant: ReverseMerchant,
  outTradeNo: string,
  signal?: AbortSignal,
): Promise<ReverseAnswer> {
  const signType = merchant.signType ?? 'MD5';
  const request: Record<string, string> = {
    appid: merchant.appId,
    mch_id: merchant.mchId,
    out_trade_no: outTradeNo,
    nonce_str: randomBytes(16).toString('hex'),
  };
  if (signType !== 'MD5') request['sign_type'] = signType;
  request['sign'] = sign(request, merchant.key, signType);
  const response = await fetch(`${baseURL}/secapi/pay/reverse`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: buildXml(request),
    signal: signal ?? AbortSignal.timeout(10_000),
  });
  if (!response.ok) return { kind: 'failed', errCode: `HTTP_${response.status}`, retryable: response.status >= 500 };
  const fields = parseXml(await response.text());
  if (fields['return_code'] !== 'SUCCESS') return { kind: 'failed', errCode: 'RETURN_FAIL', retryable: false };
  if (!verifySignature(fields, merchant.key, signType)) throw new Error('reverse answer has a bad signature');
  if (fields['result_code'] === 'SUCCESS') return fields['recall'] === 'Y' ? { kind: 'recall' } : { kind: 'reversed' };
  const errCode = fields['err_code'] ?? 'UNKNOWN';
  return { kind: 'failed', errCode, retryable: RETRYABLE.has(errCode) || fields['recall'] === 'Y' };
}

/**
 * Reverses until WeChat confirms, following `recall=Y` and retryable errors, at most `attempts` calls spaced
 * `delayMs` apart (WeChat's guidance: call again when asked to; stop after a few tries and alert someone).
 *
 * @example
 * const { reversed, calls } = await reverse(sandbox.url, merchant, 'POS1', { attempts: 3, delayMs: 1000 });
 */
export async function reverse(
  baseURL: string,
  merchant: ReverseMerchant,
  outTradeNo: string,
  options: { readonly attempts?: number; readonly delayMs?: number; readonly signal?: AbortSignal } = {},
): Promise<{ readonly reversed: boolean; readonly calls: number; readonly last: ReverseAnswer }> {
  const attempts = options.attempts ?? 3;
  let last: ReverseAnswer = { kind: 'failed', errCode: 'NOT_CALLED', retryable: true };
  for (let call = 1; call <= attempts; call += 1) {
    last = await reverseOnce(baseURL, merchant, outTradeNo, options.signal);
    if (last.kind === 'reversed') return { reversed: true, calls: call, last };
    if (last.kind === 'failed' && !last.retryable) return { reversed: false, calls: call, last };
    if (call < attempts) await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 1000));
  }
  return { reversed: false, calls: attempts, last };
}
