import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { SignType } from './types.ts';

/**
 * Parameters as they are signed: every field sent or received. `undefined` values are absent fields.
 *
 * @example
 * ```ts
 * const params: SignableParams = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', sub_mch_id: undefined };
 * ```
 */
export type SignableParams = Readonly<Record<string, string | undefined>>;

/**
 * The string WeChat Pay v2 signs, without the key: every field but `sign` and empty values, keys in ASCII
 * order, joined as `k=v` with `&`. Exposed for debugging signatures; it never includes the key.
 *
 * @example
 * ```ts
 * signingString({ mch_id: '10000100', appid: 'wxd930ea5d5a258f4f', device_info: '' });
 * // 'appid=wxd930ea5d5a258f4f&mch_id=10000100'
 * ```
 */
export function signingString(params: SignableParams): string {
  const keys: string[] = [];
  for (const name in params) {
    const value = params[name];
    // The official rule: skip `sign` and empty values; "0" is a value and is signed.
    if (name !== 'sign' && value !== undefined && value !== '') keys.push(name);
  }
  keys.sort();
  let out = '';
  for (const name of keys) out += `${out === '' ? '' : '&'}${name}=${params[name]}`;
  return out;
}

function digest(params: SignableParams, key: string, signType: SignType): Buffer {
  const payload = `${signingString(params)}&key=${key}`;
  if (signType === 'HMAC-SHA256') return createHmac('sha256', key).update(payload, 'utf8').digest();
  if (signType === 'MD5') return createHash('md5').update(payload, 'utf8').digest();
  throw new TypeError(`unsupported sign type ${String(signType)}`);
}

/**
 * Signs parameters with the merchant API key, per WeChat Pay v2: upper-case hex MD5 or HMAC-SHA256.
 *
 * @example
 * ```ts
 * sign({ appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' },
 *   '192006250b4c09247ec02edce69f6a2d'); // '9A0A8659F005D6984697E2CA0A9CF3B7'
 * ```
 */
export function sign(params: SignableParams, key: string, signType: SignType = 'MD5'): string {
  return digest(params, key, signType).toString('hex').toUpperCase();
}

// WeChat sends upper-case hex; any other spelling of a sign is not what the documented algorithm produces.
const HEX_SIGN = /^[0-9A-F]+$/;

/**
 * Verifies the `sign` field of received parameters over every other field present (WeChat adds fields over
 * time, and an unsigned extra field must not slip through). Responses carry no `sign_type`: pass the algorithm
 * the request used. The comparison is constant-time.
 *
 * @example
 * ```ts
 * const fields = parseXml(body);
 * if (!verifySignature(fields, key, 'MD5')) throw new Error('forged');
 * ```
 */
export function verifySignature(params: SignableParams, key: string, signType: SignType): boolean {
  const received = params['sign'];
  if (received === undefined || !HEX_SIGN.test(received)) return false;
  const expected = digest(params, key, signType);
  // Checked on the text: Buffer.from(hex) silently drops a trailing odd digit.
  if (received.length !== expected.length * 2) return false;
  return timingSafeEqual(Buffer.from(received, 'hex'), expected);
}
