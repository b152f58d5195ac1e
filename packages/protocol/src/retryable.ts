/**
 * `err_code` values after which asking again can succeed: WeChat's own transient failures and rate limits.
 * `频率限制` is the rate-limit code some endpoints send verbatim in Chinese.
 */
const RETRYABLE_ERR_CODES: ReadonlySet<string> = new Set([
  'SYSTEMERROR',
  'SYSTEM_ERROR',
  'BANKERROR',
  'FREQUENCY_LIMITED',
  'FREQ_LIMIT',
  '频率限制',
  'USERPAYING',
]);

/**
 * `err_code` values that mean the request itself is wrong (credentials, configuration, parameters): asking
 * again with the same request gets the same answer.
 */
const PERMANENT_ERR_CODES: ReadonlySet<string> = new Set([
  'SIGNERROR',
  'NOAUTH',
  'APPID_NOT_EXIST',
  'MCHID_NOT_EXIST',
  'APPID_MCHID_NOT_MATCH',
  'SUB_MCH_ID_NOT_EXIST',
  'SUB_APPID_NOT_EXIST',
  'LACK_PARAMS',
  'XML_FORMAT_ERROR',
  'REQUIRE_POST_METHOD',
  'POST_DATA_EMPTY',
  'NOT_UTF8',
  'PARAM_ERROR',
  'INVALID_REQUEST',
  'INVALID_TRANSACTIONID',
  'OUT_TRADE_NO_USED',
  'ORDERNOTEXIST',
]);

/**
 * Tells whether an `orderquery` failure with this `err_code` is worth asking again.
 *
 * Known transient codes (SYSTEMERROR, BANKERROR, FREQUENCY_LIMITED, 频率限制…) are retryable; codes that mean the
 * request is wrong (SIGNERROR, NOAUTH, APPID/MCHID errors, LACK_PARAMS, XML_FORMAT_ERROR…) are not.
 * **An unknown code is retryable**: WeChat adds codes over time, and for a watcher the cost of one more query
 * within its deadline is far below the cost of giving up on an order that may still be paid. The caller's
 * schedule and deadline bound the retries.
 *
 * @example
 * ```ts
 * isRetryableErrCode('SYSTEMERROR'); // true
 * isRetryableErrCode('SIGNERROR'); // false
 * isRetryableErrCode('SOMETHING_NEW'); // true (documented default)
 * ```
 */
export function isRetryableErrCode(code: string): boolean {
  if (RETRYABLE_ERR_CODES.has(code)) return true;
  return !PERMANENT_ERR_CODES.has(code);
}

const TRANSIENT_RETURN_MESSAGE = /系统繁忙|系统错误|稍后再试|频率|SYSTEMERROR|SYSTEM_ERROR|FREQUENCY|BUSY/i;

/**
 * Tells whether a `return_code` FAIL answer is worth asking again, from its `return_msg`.
 *
 * `return_code` FAIL is WeChat's communication-level refusal: almost always a bad signature, a parameter format
 * error or a mismatched appid/mch_id, which repeat forever. Only messages that say the system is busy or
 * rate-limited (系统繁忙, 频率…) are retryable; **anything else, including an empty message, is not**.
 *
 * @example
 * ```ts
 * isRetryableReturnMessage('签名错误'); // false
 * isRetryableReturnMessage('系统繁忙,请稍后再试'); // true
 * ```
 */
export function isRetryableReturnMessage(message: string): boolean {
  return TRANSIENT_RETURN_MESSAGE.test(message);
}
