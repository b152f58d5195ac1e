import type { DecodeOrderQueryOptions } from './decode.ts';
import { decodePayAnswer } from './pay-answer.ts';
import { isRetryableErrCode } from './retryable.ts';
import type { ErrorOutcome, WireFields } from './types.ts';

/**
 * `closeorder` refusals that say the order cannot be closed, now or ever: asking again changes nothing.
 * ORDERPAID means the customer paid: query the order and ship rather than close.
 */
const FINAL_CLOSE_CODES: ReadonlySet<string> = new Set(['ORDERPAID', 'ORDERCLOSED', 'TRADE_ERROR']);

/**
 * What a well-formed `POST /pay/closeorder` answer said.
 *
 * - `closed`: `result_code` SUCCESS, signature verified: WeChat will not accept a payment for this order any more.
 * - `error`: WeChat refused. `code` is `err_code` (`ORDERPAID`, `ORDERCLOSED`, `USERPAYING`, `SYSTEMERROR`,
 *   `ORDERNOTEXIST`…) or `RETURN_FAIL`. Failures may be unsigned, so treat them as hints: after ORDERPAID, query
 *   the order to learn (verified) that it was paid.
 *
 * @example
 * ```ts
 * const outcome: CloseOrderOutcome = await client.closeOrder({ outTradeNo: 'A1' });
 * if (outcome.kind === 'error' && outcome.code === 'ORDERPAID') await client.queryOrder({ outTradeNo: 'A1' });
 * ```
 */
export type CloseOrderOutcome = ClosedOutcome | ErrorOutcome;

/**
 * WeChat closed the order (a verified `result_code` SUCCESS answer).
 *
 * @example
 * ```ts
 * if (outcome.kind === 'closed') markCancelled(outTradeNo);
 * ```
 */
export interface ClosedOutcome {
  readonly kind: 'closed';
  readonly fields: WireFields;
}

/**
 * Tells whether a `closeorder` failure with this `err_code` is worth asking again: ORDERPAID, ORDERCLOSED and
 * TRADE_ERROR are final; everything else follows {@link isRetryableErrCode} (SYSTEMERROR and USERPAYING true,
 * SIGNERROR and ORDERNOTEXIST false, unknown codes true).
 *
 * @example
 * ```ts
 * isRetryableCloseErrCode('ORDERPAID'); // false
 * isRetryableCloseErrCode('USERPAYING'); // true
 * ```
 */
export function isRetryableCloseErrCode(code: string): boolean {
  return !FINAL_CLOSE_CODES.has(code) && isRetryableErrCode(code);
}

/**
 * Decodes the body of a WeChat Pay v2 `closeorder` answer into a {@link CloseOrderOutcome}. Only a `result_code`
 * SUCCESS answer becomes `closed`, and only once its sign verifies (`SignatureError` otherwise) and it names the
 * expected merchant (`MismatchError` otherwise). Throws `TransportError` `NOT_XML` and `MalformedResponseError`
 * for bodies that cannot be read, like {@link decodeOrderQuery}.
 *
 * @example
 * ```ts
 * const outcome = decodeCloseOrder(body, { key, signType: 'MD5', expect: { mchId: '10000100' } });
 * if (outcome.kind === 'closed') markCancelled('A1');
 * ```
 */
export function decodeCloseOrder(body: string | Uint8Array, options: DecodeOrderQueryOptions): CloseOrderOutcome {
  const answer = decodePayAnswer(body, options, isRetryableCloseErrCode);
  return answer.kind === 'verified' ? { kind: 'closed', fields: answer.fields } : answer;
}
