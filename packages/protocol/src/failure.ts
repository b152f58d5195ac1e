import type { ErrorOutcome, WireFields } from './types.ts';

/**
 * What a well-known WeChat Pay v2 refusal means for the merchant's configuration, on an `error` outcome. Each one
 * repeats for ever until someone changes the configuration, so an outcome carrying one is never retryable:
 *
 * | reason | WeChat says (err_code / return_msg) | check |
 * | --- | --- | --- |
 * | `WRONG_KEY_OR_SIGN_TYPE` | SIGNERROR, 签名错误, 签名失败, sign_type参数格式错误 | `key` (the v2 API key, not the APIv3 key) and `signType` |
 * | `APPID_MCHID_MISMATCH` | APPID_MCHID_NOT_MATCH, appid和mch_id不匹配 | `appId` is bound to `mchId` |
 * | `UNKNOWN_APPID` | APPID_NOT_EXIST, appid不存在 | `appId` |
 * | `UNKNOWN_MCH_ID` | MCHID_NOT_EXIST, 商户号mch_id不存在, mch_id参数格式错误 | `mchId`, and `baseURL` |
 * | `MISSING_SUB_MCH_ID` | 受理机构必须传入sub_mch_id, LACK_PARAMS naming sub_mch_id | `subMchId` (a service provider's mch_id) |
 * | `SUB_MERCHANT_MISMATCH` | SUB_MCH_ID_NOT_EXIST, SUB_APPID_NOT_EXIST, sub_appid与sub_mch_id不匹配… | `subMchId`, `subAppId` |
 * | `NO_PERMISSION` | NOAUTH, 商户无此接口权限 | the product is enabled for the merchant |
 * | `MISSING_PARAMETER` | LACK_PARAMS, 缺少参数 | nothing rewrites the request on its way |
 * | `MALFORMED_REQUEST` | XML_FORMAT_ERROR, POST_DATA_EMPTY, NOT_UTF8, REQUIRE_POST_METHOD | nothing rewrites the request on its way |
 * | `INVALID_PARAMETER` | PARAM_ERROR, INVALID_REQUEST, INVALID_TRANSACTIONID | the order identifier |
 * | `DUPLICATE_OUT_TRADE_NO` | OUT_TRADE_NO_USED, 商户订单号重复 | each order has its own `outTradeNo` |
 *
 * @example
 * ```ts
 * if (outcome.kind === 'error' && outcome.reason === 'WRONG_KEY_OR_SIGN_TYPE') alertOperator(outcome.message);
 * ```
 */
export type FailureReason =
  | 'WRONG_KEY_OR_SIGN_TYPE'
  | 'APPID_MCHID_MISMATCH'
  | 'UNKNOWN_APPID'
  | 'UNKNOWN_MCH_ID'
  | 'MISSING_SUB_MCH_ID'
  | 'SUB_MERCHANT_MISMATCH'
  | 'NO_PERMISSION'
  | 'MISSING_PARAMETER'
  | 'MALFORMED_REQUEST'
  | 'INVALID_PARAMETER'
  | 'DUPLICATE_OUT_TRADE_NO';

const PROXY_HINT =
  'check that nothing between this client and WeChat (a proxy, a gateway, the baseURL) rewrites the request';

/** What to tell the user, per reason. Static text: nothing from the request (no key, no signed string) goes in. */
const REASON_MESSAGES: Readonly<Record<FailureReason, string>> = {
  WRONG_KEY_OR_SIGN_TYPE:
    'WeChat rejected the signature: the API key or sign type does not match this merchant (check key: the 32-character v2 API key of this mch_id, not the APIv3 key; and signType)',
  APPID_MCHID_MISMATCH:
    'WeChat says the appid and mch_id do not belong together: check that appId is bound to mchId in the merchant platform (in service-provider mode, the provider’s own appid and mch_id)',
  UNKNOWN_APPID: 'WeChat does not know this appid: check appId',
  UNKNOWN_MCH_ID:
    'WeChat does not know this mch_id: check mchId, and that baseURL is the environment the merchant lives in',
  MISSING_SUB_MCH_ID:
    'WeChat requires a sub-merchant: this mch_id is a service provider, so set subMchId (and subAppId when the sub-merchant has its own appid)',
  SUB_MERCHANT_MISMATCH:
    'WeChat refused the sub-merchant: check that subMchId is a sub-merchant of this service provider and that subAppId belongs to it',
  NO_PERMISSION:
    'WeChat says this merchant has no permission for this API: check that the product is enabled for mchId (and, in service-provider mode, authorised for subMchId)',
  MISSING_PARAMETER: `WeChat says a required parameter is missing: ${PROXY_HINT}`,
  MALFORMED_REQUEST: `WeChat could not read the request (XML, encoding or HTTP method): ${PROXY_HINT}`,
  INVALID_PARAMETER:
    'WeChat refused a parameter of the request: check the order identifier (outTradeNo or transactionId)',
  DUPLICATE_OUT_TRADE_NO: 'WeChat says this out_trade_no was already used: each order needs its own outTradeNo',
};

/** err_code values whose meaning is fixed, whatever their description says. */
const CODE_REASONS: ReadonlyMap<string, FailureReason> = new Map([
  ['SIGNERROR', 'WRONG_KEY_OR_SIGN_TYPE'],
  ['APPID_MCHID_NOT_MATCH', 'APPID_MCHID_MISMATCH'],
  ['APPID_NOT_EXIST', 'UNKNOWN_APPID'],
  ['MCHID_NOT_EXIST', 'UNKNOWN_MCH_ID'],
  ['SUB_MCH_ID_NOT_EXIST', 'SUB_MERCHANT_MISMATCH'],
  ['SUB_APPID_NOT_EXIST', 'SUB_MERCHANT_MISMATCH'],
  ['SUB_APPID_MCHID_NOT_MATCH', 'SUB_MERCHANT_MISMATCH'],
  ['NOAUTH', 'NO_PERMISSION'],
  ['LACK_PARAMS', 'MISSING_PARAMETER'],
  ['XML_FORMAT_ERROR', 'MALFORMED_REQUEST'],
  ['POST_DATA_EMPTY', 'MALFORMED_REQUEST'],
  ['NOT_UTF8', 'MALFORMED_REQUEST'],
  ['REQUIRE_POST_METHOD', 'MALFORMED_REQUEST'],
  ['PARAM_ERROR', 'INVALID_PARAMETER'],
  ['INVALID_REQUEST', 'INVALID_PARAMETER'],
  ['INVALID_TRANSACTIONID', 'INVALID_PARAMETER'],
  ['OUT_TRADE_NO_USED', 'DUPLICATE_OUT_TRADE_NO'],
]);

/** English for the err_codes that are not configuration failures: transient, or about the order's state. */
const CODE_MESSAGES: ReadonlyMap<string, string> = new Map([
  ['SYSTEMERROR', 'WeChat had a system error: ask again later'],
  ['SYSTEM_ERROR', 'WeChat had a system error: ask again later'],
  ['BANKERROR', 'The bank had an error: ask again later'],
  ['FREQUENCY_LIMITED', 'WeChat rate-limited this merchant: ask again later, less often'],
  ['FREQ_LIMIT', 'WeChat rate-limited this merchant: ask again later, less often'],
  ['频率限制', 'WeChat rate-limited this merchant: ask again later, less often'],
  ['USERPAYING', 'The customer is still paying (entering a password, for instance): ask again shortly'],
  ['ORDERPAID', 'The order is already paid: query it and deliver rather than close it'],
  ['ORDERCLOSED', 'The order is already closed'],
  ['ORDERNOTEXIST', 'WeChat does not know this order'],
  ['TRADE_ERROR', 'WeChat refused because of the order’s state: query it to learn that state'],
  ['REVERSE_EXPIRE', 'The order is too old to reverse: refund it instead'],
]);

// return_msg and err_code_des as WeChat words them (its v2 error tables and the answers SDK users report), tried in
// this order: the sub-merchant texts name appid and mch_id too, so they go before the merchant ones.
const TEXT_REASONS: ReadonlyArray<readonly [RegExp, FailureReason]> = [
  [/受理机构必须传入sub_mch_id|缺少参数\s*sub_mch_id|sub_mch_id\s*(?:为空|不能为空|必填)/i, 'MISSING_SUB_MCH_ID'],
  [/(?:sub_mch_?id|sub_appid|子商户)[\s\S]*(?:不匹配|不存在|not match|not exist)/i, 'SUB_MERCHANT_MISMATCH'],
  [/签名错误|签名失败|sign_type|signature|SIGNERROR/i, 'WRONG_KEY_OR_SIGN_TYPE'],
  [
    /appid\s*(?:和|与)\s*mch_?id\s*不匹配|mch_?id\s*(?:和|与)\s*appid\s*不匹配|appid and mch_?id (?:do )?not match/i,
    'APPID_MCHID_MISMATCH',
  ],
  [/appid\s*不存在|appid参数(?:格式)?错误|APPID_NOT_EXIST/i, 'UNKNOWN_APPID'],
  [/mch_?id\s*不存在|商户号不存在|mch_?id参数(?:格式)?错误|MCHID_NOT_EXIST/i, 'UNKNOWN_MCH_ID'],
  [/无此接口权限|无权限|没有权限|未授权|NOAUTH/i, 'NO_PERMISSION'],
  [/缺少参数|缺少必要|LACK_PARAMS/i, 'MISSING_PARAMETER'],
  [
    /XML格式错误|post数据为空|编码格式错误|请使用post方法|XML_FORMAT_ERROR|POST_DATA_EMPTY|NOT_UTF8|REQUIRE_POST_METHOD/i,
    'MALFORMED_REQUEST',
  ],
  [/参数错误|参数格式错误|无效\s*transaction_id|INVALID_REQUEST|PARAM_ERROR/i, 'INVALID_PARAMETER'],
  [/商户订单号重复|OUT_TRADE_NO_USED/i, 'DUPLICATE_OUT_TRADE_NO'],
];

// WeChat's texts are a sentence; reading only their start keeps a hostile 64 KB return_msg from costing more.
const MAX_TEXT_CHARS = 256;
const BUSY = /系统繁忙|系统错误|稍后再试|频率|SYSTEMERROR|SYSTEM_ERROR|FREQUENCY|BUSY/i;
const PRINTABLE_CODE = /^[A-Z0-9_]{1,40}$/;

function reasonFromText(text: string): FailureReason | undefined {
  if (text === '') return undefined;
  const head = text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
  for (const [pattern, reason] of TEXT_REASONS) if (pattern.test(head)) return reason;
  return undefined;
}

/**
 * The reason and English message of a refusal: `code` is `err_code` (or `RETURN_FAIL`, `RESULT_FAIL`, CloudPay's
 * `UNKNOWN`), `wechatMessage` WeChat's own text (`return_msg` or `err_code_des`). A known err_code decides by
 * itself, except that LACK_PARAMS and NOAUTH naming the sub-merchant say so; `RETURN_FAIL` and unknown codes are
 * read from WeChat's text.
 *
 * @example
 * ```ts
 * describeFailure('RETURN_FAIL', '签名错误'); // { reason: 'WRONG_KEY_OR_SIGN_TYPE', message: 'WeChat rejected the signature: …' }
 * ```
 * @internal
 */
export function describeFailure(
  code: string,
  wechatMessage: string,
): { readonly reason: FailureReason | undefined; readonly message: string } {
  const known = CODE_REASONS.get(code);
  let reason: FailureReason | undefined;
  if (known === 'MISSING_PARAMETER' || known === 'NO_PERMISSION') {
    const refined = reasonFromText(wechatMessage);
    reason = refined === 'MISSING_SUB_MCH_ID' || refined === 'SUB_MERCHANT_MISMATCH' ? refined : known;
  } else if (known !== undefined) reason = known;
  else if (!CODE_MESSAGES.has(code)) reason = reasonFromText(wechatMessage);
  if (reason !== undefined) return { reason, message: REASON_MESSAGES[reason] };
  const message =
    CODE_MESSAGES.get(code) ??
    (code === 'RETURN_FAIL'
      ? BUSY.test(wechatMessage.slice(0, MAX_TEXT_CHARS))
        ? 'WeChat is busy: ask again later'
        : 'WeChat refused the request (return_code FAIL); its own words are in wechatMessage'
      : `WeChat answered ${PRINTABLE_CODE.test(code) ? code : 'an unrecognised err_code'}; its own words are in wechatMessage`);
  return { reason: undefined, message };
}

/**
 * The {@link ErrorOutcome} of a refusal, with {@link describeFailure}'s reason and English message beside
 * WeChat's text. An outcome with a reason is never retryable, whatever `retryable` says.
 *
 * @example
 * ```ts
 * failureOutcome('RETURN_FAIL', fields['return_msg'] ?? '', false, fields);
 * ```
 * @internal
 */
export function failureOutcome(
  code: string,
  wechatMessage: string,
  retryable: boolean,
  fields: WireFields,
): ErrorOutcome {
  const { reason, message } = describeFailure(code, wechatMessage);
  return { kind: 'error', code, reason, message, wechatMessage, retryable: reason === undefined && retryable, fields };
}
