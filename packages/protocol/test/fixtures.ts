import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildXml, sign } from '../src/codec.ts';
import type { SignType } from '../src/index.ts';

/** The public key of WeChat Pay's v2 signing documentation; every shared vector is signed with it. */
export const KEY = '192006250b4c09247ec02edce69f6a2d';

/**
 * `shared/vectors` beside the project root, where CI lays a copy of shared/ next to its clone; a developer's
 * checkout that has none beside it reads the workplace's own copy.
 */
export const VECTORS = [
  fileURLToPath(new URL('../../../../shared/vectors', import.meta.url)),
  '/work/shared/vectors',
].find((dir) => existsSync(dir)) as string;

export function vector(name: string): string {
  return readFileSync(`${VECTORS}/${name}`, 'utf8');
}

/** A paid micropay order as WeChat's orderquery documents it, unsigned. */
export const PAID_FIELDS: Readonly<Record<string, string>> = {
  return_code: 'SUCCESS',
  return_msg: 'OK',
  appid: 'wx2421b1c4370ec43b',
  mch_id: '10000100',
  device_info: '1000',
  nonce_str: 'TN55wO9Pba5yENl8',
  result_code: 'SUCCESS',
  openid: 'oUpF8uN95-Ptaags6E_roPHg7AG0',
  is_subscribe: 'Y',
  trade_type: 'MICROPAY',
  bank_type: 'CCB_DEBIT',
  total_fee: '101',
  fee_type: 'CNY',
  cash_fee: '101',
  transaction_id: '1008450740201411110005820873',
  out_trade_no: '1415757673',
  attach: '订单额外描述',
  time_end: '20141111170043',
  trade_state: 'SUCCESS',
  trade_state_desc: '支付成功',
};

/** Builds a signed answer body from fields (any `sign` in them is replaced). */
export function signedXml(fields: Readonly<Record<string, string | undefined>>, signType: SignType = 'MD5'): string {
  const { sign: _ignored, ...rest } = fields;
  return buildXml({ ...rest, sign: sign(rest, KEY, signType) });
}
