import { describe, expect, it } from 'vitest';
import { decodeCloseOrder } from '../src/close-order.ts';
import { buildXml, parseXml, verifySignature } from '../src/codec.ts';
import { decodeCloudPayResult, decodeOrderQuery, type FailureReason, type OrderQueryOutcome } from '../src/index.ts';
import { decodeReverseOrder } from '../src/reverse-order.ts';
import { KEY, signedXml } from './fixtures.ts';
import { clientOf, MERCHANT, serverPool } from './pay-client-harness.ts';

const MD5 = { key: KEY, signType: 'MD5' } as const;
// English only (and the typographic apostrophe): a user who reads no Chinese can act on it.
const ENGLISH = /^[\x20-\x7E’]+$/;

function returnFail(message: string): string {
  return buildXml({ return_code: 'FAIL', return_msg: message });
}

function resultFail(errCode: string, description: string, extra: Record<string, string> = {}): string {
  return signedXml({
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: MERCHANT.appId,
    mch_id: MERCHANT.mchId,
    nonce_str: 'failureTests0001',
    result_code: 'FAIL',
    err_code: errCode,
    err_code_des: description,
    ...extra,
  });
}

function error(outcome: OrderQueryOutcome | { kind: string }) {
  if (outcome.kind !== 'error') throw new Error(`expected an error outcome, got ${outcome.kind}`);
  return outcome as Extract<OrderQueryOutcome, { kind: 'error' }>;
}

/** WeChat's return_msg texts (its v2 docs and what SDK users report it sends), with what each must say. */
const RETURN_MESSAGES: ReadonlyArray<readonly [string, FailureReason, RegExp]> = [
  ['签名错误', 'WRONG_KEY_OR_SIGN_TYPE', /API key or sign type does not match this merchant/],
  ['签名错误，请检查后再试', 'WRONG_KEY_OR_SIGN_TYPE', /check key: .*and signType/],
  ['签名失败', 'WRONG_KEY_OR_SIGN_TYPE', /signature/],
  ['sign_type参数格式错误', 'WRONG_KEY_OR_SIGN_TYPE', /sign type/],
  ['appid和mch_id不匹配', 'APPID_MCHID_MISMATCH', /appId is bound to mchId/],
  ['appid和mch_id不匹配，请检查后再试', 'APPID_MCHID_MISMATCH', /appid and mch_id do not belong together/],
  ['商户号mch_id不存在', 'UNKNOWN_MCH_ID', /check mchId/],
  ['mch_id参数格式错误', 'UNKNOWN_MCH_ID', /check mchId/],
  ['appid不存在', 'UNKNOWN_APPID', /check appId/],
  ['受理机构必须传入sub_mch_id', 'MISSING_SUB_MCH_ID', /service provider, so set subMchId/],
  ['缺少参数sub_mch_id', 'MISSING_SUB_MCH_ID', /set subMchId/],
  ['sub_appid与sub_mch_id不匹配', 'SUB_MERCHANT_MISMATCH', /subAppId belongs to it/],
  ['子商户号sub_mch_id与服务商商户号不匹配', 'SUB_MERCHANT_MISMATCH', /sub-merchant of this service provider/],
  ['商户无此接口权限', 'NO_PERMISSION', /no permission for this API/],
  ['缺少参数', 'MISSING_PARAMETER', /rewrites the request/],
  ['XML格式错误', 'MALFORMED_REQUEST', /could not read the request/],
  ['post数据为空', 'MALFORMED_REQUEST', /rewrites the request/],
  ['编码格式错误', 'MALFORMED_REQUEST', /rewrites the request/],
  ['请使用post方法', 'MALFORMED_REQUEST', /HTTP method/],
  ['商户订单号重复', 'DUPLICATE_OUT_TRADE_NO', /own outTradeNo/],
];

/** err_code values and the reason each is (the description does not matter, except for the sub-merchant). */
const ERR_CODES: ReadonlyArray<readonly [string, string, FailureReason]> = [
  ['SIGNERROR', '签名错误', 'WRONG_KEY_OR_SIGN_TYPE'],
  ['APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配', 'APPID_MCHID_MISMATCH'],
  ['APPID_NOT_EXIST', 'APPID不存在', 'UNKNOWN_APPID'],
  ['MCHID_NOT_EXIST', 'MCHID不存在', 'UNKNOWN_MCH_ID'],
  ['LACK_PARAMS', '缺少参数sub_mch_id', 'MISSING_SUB_MCH_ID'],
  ['LACK_PARAMS', '缺少参数nonce_str', 'MISSING_PARAMETER'],
  ['SUB_MCH_ID_NOT_EXIST', '子商户号不存在', 'SUB_MERCHANT_MISMATCH'],
  ['NOAUTH', '商户无此接口权限', 'NO_PERMISSION'],
  ['NOAUTH', '子商户号sub_mch_id与服务商商户号不匹配', 'SUB_MERCHANT_MISMATCH'],
  ['XML_FORMAT_ERROR', 'XML格式错误', 'MALFORMED_REQUEST'],
  ['POST_DATA_EMPTY', 'post数据为空', 'MALFORMED_REQUEST'],
  ['NOT_UTF8', '编码格式错误', 'MALFORMED_REQUEST'],
  ['REQUIRE_POST_METHOD', '请使用post方法', 'MALFORMED_REQUEST'],
  ['INVALID_REQUEST', '参数错误', 'INVALID_PARAMETER'],
  ['PARAM_ERROR', '参数错误', 'INVALID_PARAMETER'],
  ['INVALID_TRANSACTIONID', '无效transaction_id', 'INVALID_PARAMETER'],
  ['OUT_TRADE_NO_USED', '商户订单号重复', 'DUPLICATE_OUT_TRADE_NO'],
];

describe('error outcomes: messages a user can act on', () => {
  it.each(RETURN_MESSAGES)(
    'return_code FAIL %j is %s, in English, WeChat’s text kept, not retryable',
    (text, reason, says) => {
      const outcome = error(decodeOrderQuery(returnFail(text), MD5));
      expect(outcome).toMatchObject({ code: 'RETURN_FAIL', reason, wechatMessage: text, retryable: false });
      expect(outcome.message).toMatch(says);
      expect(outcome.message).toMatch(ENGLISH);
    },
  );

  it.each(ERR_CODES)('err_code %s (%s) is %s, not retryable', (code, description, reason) => {
    const outcome = error(decodeOrderQuery(resultFail(code, description), MD5));
    expect(outcome).toMatchObject({ code, reason, wechatMessage: description, retryable: false });
    expect(outcome.message).toMatch(ENGLISH);
  });

  it('transient and order-state failures have no reason, an English message, and keep their retryability', () => {
    for (const [code, retryable, says] of [
      ['SYSTEMERROR', true, /system error: ask again later/],
      ['FREQUENCY_LIMITED', true, /rate-limited/],
      ['频率限制', true, /rate-limited/],
      ['BANKERROR', true, /bank/],
      ['USERPAYING', true, /still paying/],
      ['SOMETHING_NEW', true, /WeChat answered SOMETHING_NEW; its own words are in wechatMessage/],
    ] as const) {
      const outcome = error(decodeOrderQuery(resultFail(code, '描述'), MD5));
      expect(outcome).toMatchObject({ code, reason: undefined, wechatMessage: '描述', retryable });
      expect(outcome.message).toMatch(says);
      expect(outcome.message).toMatch(ENGLISH);
    }
    const busy = error(decodeOrderQuery(returnFail('系统繁忙,请稍后再试'), MD5));
    expect(busy).toMatchObject({ reason: undefined, message: 'WeChat is busy: ask again later', retryable: true });
    const other = error(decodeOrderQuery(returnFail('something else'), MD5));
    expect(other).toMatchObject({ reason: undefined, retryable: false, wechatMessage: 'something else' });
    expect(other.message).toMatch(/return_code FAIL/);
  });

  it('an err_code that is not a plain code is not quoted back', () => {
    const outcome = error(decodeOrderQuery(resultFail('<weird code>', ''), MD5));
    expect(outcome.message).toBe('WeChat answered an unrecognised err_code; its own words are in wechatMessage');
  });

  it('reads only the start of a hostile 50 KB return_msg, and keeps it whole beside', () => {
    // Read whole, the sub-merchant pattern would try every one of the 6,000 starts against the rest of the text.
    const text = `${'子商户'.repeat(6_000)}不匹配`;
    const outcome = error(decodeOrderQuery(returnFail(text), MD5));
    expect(outcome).toMatchObject({ reason: undefined, wechatMessage: text });
  });

  it('closeorder and reverse refusals get the same reasons and messages', () => {
    expect(decodeCloseOrder(returnFail('签名错误'), MD5)).toMatchObject({
      kind: 'error',
      reason: 'WRONG_KEY_OR_SIGN_TYPE',
      retryable: false,
    });
    expect(decodeCloseOrder(resultFail('ORDERPAID', '订单已支付'), MD5)).toMatchObject({
      reason: undefined,
      message: 'The order is already paid: query it and deliver rather than close it',
      wechatMessage: '订单已支付',
      retryable: false,
    });
    expect(decodeReverseOrder(resultFail('REVERSE_EXPIRE', '订单已过期'), MD5)).toMatchObject({
      reason: undefined,
      message: 'The order is too old to reverse: refund it instead',
    });
    // Even when WeChat says recall=Y, a permission failure does not go away by calling again.
    expect(decodeReverseOrder(resultFail('NOAUTH', '商户无此接口权限', { recall: 'Y' }), MD5)).toMatchObject({
      reason: 'NO_PERMISSION',
      retryable: false,
    });
    expect(decodeReverseOrder(resultFail('SYSTEMERROR', '系统错误', { recall: 'Y' }), MD5)).toMatchObject({
      reason: undefined,
      retryable: true,
    });
  });

  it('CloudPay refusals get the same reasons and messages', () => {
    expect(decodeCloudPayResult({ returnCode: 'FAIL', returnMsg: '签名错误' })).toMatchObject({
      kind: 'error',
      reason: 'WRONG_KEY_OR_SIGN_TYPE',
      wechatMessage: '签名错误',
      retryable: false,
    });
    expect(
      decodeCloudPayResult({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'NOAUTH', err_code_des: '无权限' }),
    ).toMatchObject({ reason: 'NO_PERMISSION', retryable: false });
    // The SDK overwrites err_code with 0; the description still says what is wrong.
    expect(
      decodeCloudPayResult({
        returnCode: 'SUCCESS',
        resultCode: 'FAIL',
        errCode: 0,
        errCodeDes: '受理机构必须传入sub_mch_id',
      }),
    ).toMatchObject({ code: 'UNKNOWN', reason: 'MISSING_SUB_MCH_ID', retryable: false });
    expect(
      decodeCloudPayResult({ returnCode: 'SUCCESS', resultCode: 'FAIL', errCode: 0, errCodeDes: '其他' }),
    ).toMatchObject({ code: 'UNKNOWN', reason: undefined, retryable: true });
  });
});

describe('error outcomes over HTTP', () => {
  const serve = serverPool();

  it('a client with the wrong key learns, in English, to check its key and sign type, and sees no key quoted', async () => {
    const server = await serve((_req, res, body) => {
      const ok = verifySignature(parseXml(body), KEY, 'MD5');
      res.end(ok ? resultFail('SYSTEMERROR', '系统错误') : returnFail('签名错误，请检查后再试'));
    });
    const wrongKey = 'f'.repeat(32);
    const outcome = error(await clientOf(server, { key: wrongKey }).queryOrder({ outTradeNo: 'A1' }));
    expect(outcome).toMatchObject({ code: 'RETURN_FAIL', reason: 'WRONG_KEY_OR_SIGN_TYPE', retryable: false });
    expect(JSON.stringify(outcome)).not.toContain(wrongKey);
    expect(outcome.message).not.toContain(server.received[0]!.body);
    expect(error(await clientOf(server).queryOrder({ outTradeNo: 'A1' }))).toMatchObject({ reason: undefined });
  });

  it('a service provider without subMchId is told to set it', async () => {
    const server = await serve((_req, res, body) => {
      const request = parseXml(body);
      res.end(
        request['sub_mch_id'] === undefined ? returnFail('受理机构必须传入sub_mch_id') : resultFail('SYSTEMERROR', ''),
      );
    });
    const outcome = error(await clientOf(server).closeOrder({ outTradeNo: 'A1' }));
    expect(outcome).toMatchObject({ reason: 'MISSING_SUB_MCH_ID', retryable: false });
    expect(error(await clientOf(server, { subMchId: '1900000109' }).closeOrder({ outTradeNo: 'A1' }))).toMatchObject({
      reason: undefined,
    });
  });
});
