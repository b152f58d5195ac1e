/** APIv3 error codes after which asking again can succeed: WeChat's transient failures and rate limits. */
const RETRYABLE_V3_CODES: ReadonlySet<string> = new Set([
  'SYSTEM_ERROR',
  'SYSTEMERROR',
  'FREQUENCY_LIMITED',
  'BANK_ERROR',
  'USER_PAYING',
]);

/** APIv3 error codes that mean the request itself is wrong or forbidden: the same request gets the same answer. */
const PERMANENT_V3_CODES: ReadonlySet<string> = new Set([
  'SIGN_ERROR',
  'PARAM_ERROR',
  'INVALID_REQUEST',
  'MCH_NOT_EXISTS',
  'APPID_MCHID_NOT_MATCH',
  'RULE_LIMIT',
  'NO_AUTH',
  'ACCOUNT_ERROR',
  'NOT_ENOUGH',
  'OUT_TRADE_NO_USED',
  'ORDER_NOT_EXIST',
  'ORDER_CLOSED',
  'ORDER_PAID',
  'ORDERPAID',
  'TRADE_ERROR',
]);

/**
 * Tells whether an APIv3 error answer (`{ code, message }` of a 4xx/5xx) is worth asking again. SYSTEM_ERROR,
 * FREQUENCY_LIMITED, BANK_ERROR, USER_PAYING are; SIGN_ERROR, PARAM_ERROR, INVALID_REQUEST, MCH_NOT_EXISTS,
 * APPID_MCHID_NOT_MATCH, RULE_LIMIT, NO_AUTH (and the final states ORDER_CLOSED, ORDER_PAID, TRADE_ERROR) are not.
 * An unknown code is retryable, as for v2: the caller's schedule and deadline bound the retries, and giving up on an
 * order that may still be paid costs more than one more query.
 *
 * @example
 * ```ts
 * isRetryableV3Code('FREQUENCY_LIMITED'); // true
 * isRetryableV3Code('NO_AUTH'); // false
 * ```
 */
export function isRetryableV3Code(code: string): boolean {
  if (RETRYABLE_V3_CODES.has(code)) return true;
  return !PERMANENT_V3_CODES.has(code);
}
