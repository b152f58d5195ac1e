import { describe, expect, it } from 'vitest';
import { isRetryableErrCode, isRetryableReturnMessage } from '../src/retryable.ts';

describe('isRetryableErrCode', () => {
  it.each(['SYSTEMERROR', 'BANKERROR', 'FREQUENCY_LIMITED', '频率限制', 'USERPAYING'])('%s is retryable', (code) => {
    expect(isRetryableErrCode(code)).toBe(true);
  });
  it.each([
    'SIGNERROR',
    'NOAUTH',
    'APPID_NOT_EXIST',
    'MCHID_NOT_EXIST',
    'APPID_MCHID_NOT_MATCH',
    'LACK_PARAMS',
    'XML_FORMAT_ERROR',
    'REQUIRE_POST_METHOD',
    'POST_DATA_EMPTY',
    'NOT_UTF8',
    'PARAM_ERROR',
    'INVALID_TRANSACTIONID',
  ])('%s is not retryable', (code) => {
    expect(isRetryableErrCode(code)).toBe(false);
  });
  it('treats an unknown code as retryable (the documented choice)', () => {
    expect(isRetryableErrCode('SOMETHING_WECHAT_ADDED_LATER')).toBe(true);
  });
  it('does not normalise spelling: another spelling is an unknown code', () => {
    expect(isRetryableErrCode('signerror')).toBe(true);
    expect(isRetryableErrCode('SIGNERROR ')).toBe(true);
  });
});

describe('isRetryableReturnMessage', () => {
  it.each(['系统繁忙,请稍后再试', '系统错误', 'SYSTEMERROR', '频率限制', 'frequency limited'])(
    '%s is retryable',
    (m) => {
      expect(isRetryableReturnMessage(m)).toBe(true);
    },
  );
  it.each(['签名错误', '签名失败', '参数格式校验错误', 'appid和mch_id不匹配', 'XML格式错误', ''])('%s is not', (m) => {
    expect(isRetryableReturnMessage(m)).toBe(false);
  });
});
