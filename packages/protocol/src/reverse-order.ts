import type { DecodeOrderQueryOptions } from './decode.ts';
import { MalformedResponseError } from './errors.ts';
import { decodePayAnswer } from './pay-answer.ts';
import { isRetryableErrCode } from './retryable.ts';
import type { ErrorOutcome, WireFields } from './types.ts';

/** `reverse` refusals after which calling again cannot reverse: the order is not a reversible micropay any more. */
const FINAL_REVERSE_CODES: ReadonlySet<string> = new Set(['TRADE_ERROR', 'REVERSE_EXPIRE', 'INVALID_TRANSACTIONID']);

/**
 * What a well-formed `POST /secapi/pay/reverse` answer said.
 *
 * - `reversed`: verified `result_code` SUCCESS with `recall=N`: the order is REVOKED (refunded if it was paid).
 * - `recall`: verified `result_code` SUCCESS with `recall=Y`: WeChat asks to call reverse again; nothing is
 *   final yet.
 * - `error`: WeChat refused (`SYSTEMERROR`, `USERPAYING`, `TRADE_ERROR`, `REVERSE_EXPIRE`, `ORDERNOTEXIST`…, or
 *   `RETURN_FAIL`); `retryable` is true when calling again may work, including any refusal that says `recall=Y`.
 *
 * @example
 * ```ts
 * const outcome: ReverseOrderOutcome = await client.reverseOrder({ outTradeNo: 'POS1' });
 * if (outcome.kind === 'recall' || (outcome.kind === 'error' && outcome.retryable)) callAgainSoon();
 * ```
 */
export type ReverseOrderOutcome = ReversedOutcome | RecallOutcome | ErrorOutcome;

/**
 * WeChat reversed the order (verified, `recall=N`).
 *
 * @example
 * ```ts
 * if (outcome.kind === 'reversed') tellCashier('start again');
 * ```
 */
export interface ReversedOutcome {
  readonly kind: 'reversed';
  readonly fields: WireFields;
}

/**
 * WeChat accepted the call but asks for another (verified, `recall=Y`).
 *
 * @example
 * ```ts
 * if (outcome.kind === 'recall') await new Promise((r) => setTimeout(r, 1000));
 * ```
 */
export interface RecallOutcome {
  readonly kind: 'recall';
  readonly fields: WireFields;
}

/**
 * Tells whether a `reverse` failure is worth calling again: always when WeChat said `recall=Y`; never for
 * TRADE_ERROR, REVERSE_EXPIRE, INVALID_TRANSACTIONID; otherwise as {@link isRetryableErrCode} (SYSTEMERROR and
 * USERPAYING true, SIGNERROR false).
 *
 * @example
 * ```ts
 * isRetryableReverseFailure('SYSTEMERROR', 'N'); // true
 * isRetryableReverseFailure('REVERSE_EXPIRE', 'N'); // false
 * ```
 */
export function isRetryableReverseFailure(code: string, recall: string | undefined): boolean {
  if (recall === 'Y') return true;
  return !FINAL_REVERSE_CODES.has(code) && isRetryableErrCode(code);
}

/**
 * Decodes the body of a WeChat Pay v2 `reverse` answer into a {@link ReverseOrderOutcome}. A `result_code`
 * SUCCESS answer is believed only once its sign verifies (`SignatureError` otherwise) and it names the expected
 * merchant (`MismatchError`); a missing `recall` or one other than `Y`/`N` on it is a `MalformedResponseError`. Throws
 * `TransportError` `NOT_XML` and `MalformedResponseError` for unreadable bodies, like {@link decodeOrderQuery}.
 *
 * @example
 * ```ts
 * const outcome = decodeReverseOrder(body, { key, signType: 'MD5', expect: { mchId: '10000100' } });
 * if (outcome.kind === 'reversed') tellCashier('start again');
 * ```
 */
export function decodeReverseOrder(body: string | Uint8Array, options: DecodeOrderQueryOptions): ReverseOrderOutcome {
  const answer = decodePayAnswer(body, options, (code, fields) => isRetryableReverseFailure(code, fields['recall']));
  if (answer.kind === 'error') return answer;
  const recall = answer.fields['recall'];
  if (recall === 'Y') return { kind: 'recall', fields: answer.fields };
  if (recall === 'N') return { kind: 'reversed', fields: answer.fields };
  throw new MalformedResponseError('MALFORMED_RESPONSE', 'recall is neither Y nor N');
}
