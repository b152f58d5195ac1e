import { describe, expect, it } from 'vitest';
import { decodeCloseOrder } from '../src/close-order.ts';
import {
  type DecodeOrderQueryOptions,
  decodeOrderQuery,
  InvalidArgumentError,
  MalformedResponseError,
  MismatchError,
  type OrderQueryOutcome,
  SignatureError,
  TransportError,
} from '../src/index.ts';
import { decodeReverseOrder } from '../src/reverse-order.ts';
import { KEY, PAID_FIELDS, signedXml, vector } from './fixtures.ts';

const MD5: DecodeOrderQueryOptions = { key: KEY, signType: 'MD5' };

function order(outcome: OrderQueryOutcome) {
  if (outcome.kind !== 'order') throw new Error(`expected an order, got ${outcome.kind}`);
  return outcome;
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('decodeOrderQuery: shared vectors', () => {
  it('orderquery-success.md5.xml is a verified SUCCESS order', () => {
    const outcome = order(decodeOrderQuery(vector('orderquery-success.md5.xml'), MD5));
    expect(outcome.tradeState).toBe('SUCCESS');
    expect(outcome.order.totalFee).toBe(1);
    expect(outcome.order.transactionId).toBe('1008450740201411110005820873');
    expect(outcome.order.outTradeNo).toBe('1415757673');
    expect(outcome.order.attach).toBe('订单额外描述');
    expect(outcome.order.paidAt?.toISOString()).toBe('2014-11-11T09:00:43.000Z');
    expect(outcome.fields['mch_id']).toBe('10000100');
    expect(Object.isFrozen(outcome.fields)).toBe(true);
  });

  it('orderquery-success.md5.xml as a Buffer decodes the same', () => {
    const outcome = order(decodeOrderQuery(Buffer.from(vector('orderquery-success.md5.xml')), MD5));
    expect(outcome.order.attach).toBe('订单额外描述');
  });

  it('orderquery-notexist.md5.xml is not-found', () => {
    const outcome = decodeOrderQuery(vector('orderquery-notexist.md5.xml'), MD5);
    expect(outcome).toMatchObject({ kind: 'not-found', message: '此交易订单号不存在' });
  });

  it('orderquery-return-fail.xml is a non-retryable error without a trade state', () => {
    const outcome = decodeOrderQuery(vector('orderquery-return-fail.xml'), MD5);
    expect(outcome).toEqual({
      kind: 'error',
      code: 'RETURN_FAIL',
      reason: 'WRONG_KEY_OR_SIGN_TYPE',
      message: expect.stringMatching(/^WeChat rejected the signature: the API key or sign type does not match/),
      wechatMessage: '签名失败',
      retryable: false,
      fields: { return_code: 'FAIL', return_msg: '签名失败' },
    });
    expect('tradeState' in outcome).toBe(false);
  });

  it('the success vector does not verify under HMAC-SHA256 or another key', () => {
    const body = vector('orderquery-success.md5.xml');
    expect(thrown(() => decodeOrderQuery(body, { key: KEY, signType: 'HMAC-SHA256' }))).toBeInstanceOf(SignatureError);
    expect(thrown(() => decodeOrderQuery(body, { key: '0'.repeat(32), signType: 'MD5' }))).toBeInstanceOf(
      SignatureError,
    );
  });
});

describe('decodeOrderQuery: signatures', () => {
  it('verifies HMAC-SHA256 answers with HMAC-SHA256', () => {
    const body = signedXml(PAID_FIELDS, 'HMAC-SHA256');
    expect(order(decodeOrderQuery(body, { key: KEY, signType: 'HMAC-SHA256' })).tradeState).toBe('SUCCESS');
    expect(thrown(() => decodeOrderQuery(body, MD5))).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('verifies unknown extra fields too', () => {
    const body = signedXml({ ...PAID_FIELDS, promotion_detail: 'new', settlement_total_fee: '101' });
    const outcome = order(decodeOrderQuery(body, MD5));
    expect(outcome.fields['promotion_detail']).toBe('new');
  });

  it('refuses an unsigned field added to a signed answer', () => {
    const body = vector('orderquery-success.md5.xml').replace('</xml>', '<cash_fee>1</cash_fee></xml>');
    expect(thrown(() => decodeOrderQuery(body, MD5))).toMatchObject({
      name: 'SignatureError',
      code: 'SIGNATURE_INVALID',
    });
  });

  it('refuses a SUCCESS answer whose trade_state was changed', () => {
    const body = vector('orderquery-success.md5.xml').replace('[SUCCESS]]></trade_state>', '[NOTPAY]]></trade_state>');
    expect(thrown(() => decodeOrderQuery(body, MD5))).toMatchObject({ code: 'SIGNATURE_INVALID', retryable: true });
  });

  it('refuses a SUCCESS answer with no sign, or an empty one', () => {
    const unsigned = vector('orderquery-success.md5.xml').replace(/<sign>.*<\/sign>/, '');
    expect(thrown(() => decodeOrderQuery(unsigned, MD5))).toMatchObject({ code: 'SIGNATURE_MISSING' });
    const empty = vector('orderquery-success.md5.xml').replace(/<sign>.*<\/sign>/, '<sign></sign>');
    expect(thrown(() => decodeOrderQuery(empty, MD5))).toMatchObject({ code: 'SIGNATURE_MISSING' });
  });

  it('signs "0": coupon_fee 0 is verified like any value', () => {
    const body = signedXml({ ...PAID_FIELDS, coupon_fee: '0', coupon_count: '0' });
    expect(order(decodeOrderQuery(body, MD5)).order.couponFee).toBe(0);
    const tampered = body.replace('<coupon_fee>0</coupon_fee>', '<coupon_fee>1</coupon_fee>');
    expect(thrown(() => decodeOrderQuery(tampered, MD5))).toBeInstanceOf(SignatureError);
  });

  it('keeps no secret in a SignatureError', () => {
    const body = vector('orderquery-success.md5.xml').replace('<total_fee>1<', '<total_fee>2<');
    const err = thrown(() => decodeOrderQuery(body, MD5)) as Error;
    for (const text of [String(err), err.message, JSON.stringify(err), String(err.cause)]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain('appid=');
      expect(text).not.toContain('9C2A03FD2D080D1B9618946C73C7608D');
    }
  });
});

describe('decodeOrderQuery: coupons and service providers', () => {
  it.each([0, 1, 2, 3])('reads %i coupons from a signed answer', (count) => {
    const coupons: Record<string, string> = {};
    for (let n = 0; n < count; n++) {
      coupons[`coupon_id_${n}`] = `20000${n}`;
      coupons[`coupon_type_${n}`] = 'CASH';
      coupons[`coupon_fee_${n}`] = String(n + 1);
    }
    const body = signedXml({ ...PAID_FIELDS, coupon_count: String(count), ...coupons });
    const outcome = order(decodeOrderQuery(body, MD5));
    expect(outcome.order.coupons.map((c) => c.fee)).toEqual(Array.from({ length: count }, (_, n) => n + 1));
  });

  it('reads coupons with a gap in N', () => {
    const body = signedXml({
      ...PAID_FIELDS,
      coupon_count: '2',
      coupon_fee_0: '5',
      coupon_fee_3: '7',
      coupon_id_3: 'X',
    });
    expect(order(decodeOrderQuery(body, MD5)).order.coupons).toEqual([
      { id: undefined, type: undefined, fee: 5 },
      { id: 'X', type: undefined, fee: 7 },
    ]);
  });

  it('decodes a service-provider answer bound to its sub-merchant', () => {
    const fields = {
      ...PAID_FIELDS,
      sub_appid: 'wxsub',
      sub_mch_id: '1900000109',
      sub_openid: 'o-sub',
      sub_is_subscribe: 'N',
    };
    const body = signedXml(fields, 'HMAC-SHA256');
    const options: DecodeOrderQueryOptions = {
      key: KEY,
      signType: 'HMAC-SHA256',
      expect: { mchId: '10000100', subMchId: '1900000109' },
    };
    const outcome = order(decodeOrderQuery(body, options));
    expect(outcome.order).toMatchObject({ subAppId: 'wxsub', subMchId: '1900000109', subIsSubscribe: false });
    const other = { ...options, expect: { subMchId: '1900000110' } };
    expect(thrown(() => decodeOrderQuery(body, other))).toMatchObject({ name: 'MismatchError', field: 'sub_mch_id' });
  });
});

describe('decodeOrderQuery: expect binding', () => {
  const body = signedXml(PAID_FIELDS);
  it.each([
    ['appId', 'appid', 'wxanother'],
    ['mchId', 'mch_id', '10000101'],
    ['outTradeNo', 'out_trade_no', '1415757674'],
    ['transactionId', 'transaction_id', '1008450740201411110005820874'],
  ] as const)('a verified answer about another %s is a MismatchError', (option, field, value) => {
    const err = thrown(() => decodeOrderQuery(body, { ...MD5, expect: { [option]: value } }));
    expect(err).toBeInstanceOf(MismatchError);
    expect(err).toMatchObject({ code: 'MISMATCH', field, retryable: false });
    expect(String(err)).not.toContain(value);
  });

  it('accepts the answer about the order asked for', () => {
    const expect_ = {
      appId: 'wx2421b1c4370ec43b',
      mchId: '10000100',
      outTradeNo: '1415757673',
      transactionId: PAID_FIELDS['transaction_id'],
    };
    expect(order(decodeOrderQuery(body, { ...MD5, expect: expect_ })).tradeState).toBe('SUCCESS');
  });

  it('an order answer that names no out_trade_no cannot be bound to one', () => {
    const { out_trade_no: _omitted, ...rest } = PAID_FIELDS;
    expect(
      thrown(() => decodeOrderQuery(signedXml(rest), { ...MD5, expect: { outTradeNo: '1415757673' } })),
    ).toBeInstanceOf(MismatchError);
  });

  it('a NOTPAY answer without transaction_id still binds by out_trade_no', () => {
    const { transaction_id: _none, time_end: _no, ...notpay } = PAID_FIELDS;
    const outcome = decodeOrderQuery(signedXml({ ...notpay, trade_state: 'NOTPAY' }), {
      ...MD5,
      expect: { outTradeNo: '1415757673', transactionId: undefined },
    });
    expect(order(outcome).tradeState).toBe('NOTPAY');
  });

  it('a signed not-found for another merchant is a MismatchError', () => {
    const err = thrown(() =>
      decodeOrderQuery(vector('orderquery-notexist.md5.xml'), { ...MD5, expect: { mchId: '1' } }),
    );
    expect(err).toMatchObject({ field: 'mch_id' });
  });
});

describe('decodeOrderQuery: failures WeChat reports', () => {
  const fail = (err_code: string, err_code_des: string) =>
    signedXml({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      appid: 'wx2421b1c4370ec43b',
      mch_id: '10000100',
      err_code,
      err_code_des,
      nonce_str: 'n',
    });

  it.each([
    ['SYSTEMERROR', true],
    ['FREQUENCY_LIMITED', true],
    ['频率限制', true],
    ['BANKERROR', true],
    ['SIGNERROR', false],
    ['NOAUTH', false],
    ['LACK_PARAMS', false],
  ] as const)('%s is an error outcome, retryable %s', (code, retryable) => {
    expect(decodeOrderQuery(fail(code, '描述'), MD5)).toMatchObject({
      kind: 'error',
      code,
      wechatMessage: '描述',
      retryable,
    });
  });

  it('an unsigned SYSTEMERROR is still an error outcome (it can carry no state)', () => {
    const body =
      '<xml><return_code>SUCCESS</return_code><result_code>FAIL</result_code><err_code>SYSTEMERROR</err_code></xml>';
    expect(decodeOrderQuery(body, MD5)).toMatchObject({
      kind: 'error',
      code: 'SYSTEMERROR',
      retryable: true,
      wechatMessage: '',
    });
  });

  it('result_code FAIL without err_code is an error outcome', () => {
    const body = '<xml><return_code>SUCCESS</return_code><result_code>FAIL</result_code></xml>';
    expect(decodeOrderQuery(body, MD5)).toMatchObject({ kind: 'error', code: 'RESULT_FAIL' });
  });

  it('return_code FAIL saying the system is busy is retryable', () => {
    const body = '<xml><return_code>FAIL</return_code><return_msg>系统繁忙,请稍后再试</return_msg></xml>';
    expect(decodeOrderQuery(body, MD5)).toMatchObject({ kind: 'error', code: 'RETURN_FAIL', retryable: true });
  });

  it('ORDERNOTEXIST with a wrong sign is a SignatureError', () => {
    const body = vector('orderquery-notexist.md5.xml').replace('4CBD9AF1', '4CBD9AF2');
    expect(thrown(() => decodeOrderQuery(body, MD5))).toMatchObject({
      name: 'SignatureError',
      code: 'SIGNATURE_INVALID',
    });
  });

  it('ORDERNOTEXIST without a sign is a SignatureError, not a not-found that could end a watch', () => {
    const body = vector('orderquery-notexist.md5.xml').replace(/<sign>.*<\/sign>/, '');
    expect(thrown(() => decodeOrderQuery(body, MD5))).toMatchObject({
      name: 'SignatureError',
      code: 'SIGNATURE_MISSING',
    });
  });
});

describe('decoders given a body that is not a string or bytes', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an object', {}],
    ['a number', 200],
  ])('%s is an InvalidArgumentError for every decoder, never a raw TypeError', (_name, body) => {
    for (const decode of [decodeOrderQuery, decodeCloseOrder, decodeReverseOrder]) {
      expect(thrown(() => decode(body as never, MD5))).toBeInstanceOf(InvalidArgumentError);
    }
  });
});

describe('decodeOrderQuery: what cannot be read', () => {
  it('keeps an unknown trade_state, typed, after verification', () => {
    const outcome = order(decodeOrderQuery(signedXml({ ...PAID_FIELDS, trade_state: 'PARTIAL_REFUND' }), MD5));
    expect(outcome.tradeState).toEqual({ unknown: 'PARTIAL_REFUND' });
    expect(outcome.fields['trade_state']).toBe('PARTIAL_REFUND');
  });

  it.each([
    ['no trade_state', { trade_state: undefined }],
    ['a decimal total_fee', { total_fee: '1.00' }],
    ['an impossible time_end', { time_end: '20141131170043' }],
    ['result_code neither SUCCESS nor FAIL', { result_code: 'MAYBE' }],
    ['no result_code', { result_code: undefined }],
  ])('a signed answer with %s is a MalformedResponseError', (_name, change) => {
    const err = thrown(() => decodeOrderQuery(signedXml({ ...PAID_FIELDS, ...change }), MD5));
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect(err).toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });

  it('no return_code is a MalformedResponseError', () => {
    expect(thrown(() => decodeOrderQuery('<xml><a>1</a></xml>', MD5))).toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });

  it.each([
    ['an HTML page', '<html><head><title>502</title></head><body>Bad Gateway</body></html>'],
    ['an HTML page with a doctype', '\n<!DOCTYPE html>\n<html></html>'],
    ['JSON', '{"return_code":"SUCCESS","trade_state":"SUCCESS"}'],
    ['a JSON array', '[1]'],
    ['an empty body', ''],
    ['whitespace', '  \n'],
  ])('%s is a TransportError NOT_XML', (_name, body) => {
    const err = thrown(() => decodeOrderQuery(body, MD5));
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: 'NOT_XML', retryable: true });
    expect(thrown(() => decodeOrderQuery(Buffer.from(body), MD5))).toMatchObject({ code: 'NOT_XML' });
  });

  it('honours maxBytes', () => {
    const body = vector('orderquery-success.md5.xml');
    expect(thrown(() => decodeOrderQuery(body, { ...MD5, maxBytes: 100 }))).toMatchObject({ code: 'XML_TOO_LARGE' });
  });

  it('a DOCTYPE answer is refused before parsing', () => {
    expect(thrown(() => decodeOrderQuery(vector('xxe.xml'), MD5))).toMatchObject({ code: 'XML_DOCTYPE' });
  });
});
