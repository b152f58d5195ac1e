import { MismatchError } from '../errors.ts';
import type { ExpectedAnswer } from '../expect.ts';
import type { JsonObject } from './json.ts';
import { jsonInteger, jsonObject, jsonString } from './json-fields.ts';

type IdOption = 'appId' | 'mchId' | 'subAppId' | 'subMchId' | 'outTradeNo' | 'transactionId';

const DIRECT: readonly (readonly [IdOption, string])[] = [
  ['appId', 'appid'],
  ['mchId', 'mchid'],
  ['subAppId', 'sub_appid'],
  ['subMchId', 'sub_mchid'],
  ['outTradeNo', 'out_trade_no'],
  ['transactionId', 'transaction_id'],
];
const PARTNER: readonly (readonly [IdOption, string])[] = [
  ['appId', 'sp_appid'],
  ['mchId', 'sp_mchid'],
  ['subAppId', 'sub_appid'],
  ['subMchId', 'sub_mchid'],
  ['outTradeNo', 'out_trade_no'],
  ['transactionId', 'transaction_id'],
];

/** Ids every APIv3 body about an order names: absent, the body is about no one we know. */
const REQUIRED: ReadonlySet<IdOption> = new Set(['mchId', 'subMchId', 'outTradeNo']);
const PAID_STATES: ReadonlySet<string> = new Set(['SUCCESS', 'REFUND']);

/**
 * Throws {@link MismatchError} (its `field` the v3 name: `mchid`, `sp_mchid`, `sub_mchid`, `out_trade_no`,
 * `amount.total`, `amount.currency`…) when an APIv3 transaction is about another merchant, order or amount than
 * `expect`. The same rule as v2's `assertExpected`, with APIv3's names: a partner body (one carrying `sp_mchid`)
 * binds `appId`/`mchId` to `sp_appid`/`sp_mchid`; an expected merchant, sub-merchant or `out_trade_no` must be
 * named (v3 always names them); a body saying money moved (`trade_state` SUCCESS or REFUND, or a payment
 * notification: `kind` `'payment'`) must carry the expected `amount.total` and currency (CNY by default).
 *
 * @example
 * ```ts
 * assertExpectedV3(transaction, { mchId: '1900000109', outTradeNo: 'A1', totalFee: 100 }, 'order');
 * ```
 */
export function assertExpectedV3(
  transaction: JsonObject,
  expect: ExpectedAnswer | undefined,
  kind: 'order' | 'payment' | 'ids',
): void {
  if (expect === undefined) return;
  const partner = transaction['sp_mchid'] !== undefined;
  for (const [option, field] of partner ? PARTNER : DIRECT) {
    const wanted = expect[option];
    if (wanted === undefined) continue;
    const got = jsonString(transaction, field);
    if (got === undefined) {
      if (REQUIRED.has(option)) throw new MismatchError(field);
      continue;
    }
    if (got !== wanted) throw new MismatchError(field);
  }
  if (kind === 'ids') return;
  const amount = jsonObject(transaction, 'amount');
  const state = transaction['trade_state'];
  const paid = kind === 'payment' || (typeof state === 'string' && PAID_STATES.has(state));
  if (expect.totalFee !== undefined) {
    const total = jsonInteger(amount, 'total');
    if (total === undefined ? paid : total !== expect.totalFee) throw new MismatchError('amount.total');
  }
  const currency = expect.feeType ?? (expect.totalFee === undefined ? undefined : 'CNY');
  if (currency !== undefined && (jsonString(amount, 'currency') ?? 'CNY') !== currency) {
    throw new MismatchError('amount.currency');
  }
}
