import { MismatchError } from './errors.ts';
import type { WireFields } from './types.ts';

/**
 * What an answer must be about: the merchant and order the request named. A field left `undefined` is not
 * checked.
 *
 * @example
 * ```ts
 * const expect: ExpectedAnswer = { appId: 'wxd930ea5d5a258f4f', mchId: '10000100', outTradeNo: '1415757673' };
 * ```
 */
export interface ExpectedAnswer {
  readonly appId?: string | undefined;
  readonly mchId?: string | undefined;
  readonly subMchId?: string | undefined;
  readonly outTradeNo?: string | undefined;
  readonly transactionId?: string | undefined;
}

const BINDINGS = [
  ['appId', 'appid'],
  ['mchId', 'mch_id'],
  ['subMchId', 'sub_mch_id'],
  ['outTradeNo', 'out_trade_no'],
  ['transactionId', 'transaction_id'],
] as const;

/**
 * Throws {@link MismatchError} when an answer names another merchant or order than `expect`. A field the answer
 * carries must equal the expected value; a field it omits is no evidence either way (a NOTPAY answer has no
 * `transaction_id`) — except that an answer carrying a trade state (`requireOrder`) must name the order asked
 * for by `out_trade_no` when that is how it was asked.
 *
 * @example
 * ```ts
 * assertExpected(fields, { mchId: '10000100', outTradeNo: 'A1' }, true);
 * ```
 */
export function assertExpected(fields: WireFields, expect: ExpectedAnswer | undefined, requireOrder: boolean): void {
  if (expect === undefined) return;
  for (const [option, field] of BINDINGS) {
    const wanted = expect[option];
    if (wanted === undefined) continue;
    const got = fields[field];
    if (got === undefined || got === '') {
      if (requireOrder && option === 'outTradeNo') throw new MismatchError(field);
      continue;
    }
    if (got !== wanted) throw new MismatchError(field);
  }
}
