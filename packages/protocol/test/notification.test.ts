import { describe, expect, it } from 'vitest';
import { buildXml, parseXml, sign } from '../src/codec.ts';
import {
  decodeNotification,
  InvalidArgumentError,
  MalformedResponseError,
  MismatchError,
  NotificationError,
  notificationReply,
  SignatureError,
  TradestateError,
  TransportError,
} from '../src/index.ts';
import { KEY, PAID_FIELDS, signedXml } from './fixtures.ts';

const { trade_state: _none, trade_state_desc: _neither, ...NOTIFIED } = PAID_FIELDS;
/** The merchant, order and amount of NOTIFIED. */
const BOUND = { appId: 'wx2421b1c4370ec43b', mchId: '10000100', outTradeNo: '1415757673', totalFee: 101 } as const;

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

function without(fields: Readonly<Record<string, string>>, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([name]) => !names.includes(name)));
}

describe('decodeNotification: payment results', () => {
  it('verifies an MD5 notification by default and yields SUCCESS with the order', () => {
    const body = signedXml({ ...NOTIFIED, coupon_fee_0: '1', coupon_count: '1' });
    const notification = decodeNotification(body, { key: KEY });
    expect(notification.tradeState).toBe('SUCCESS');
    expect(notification.order).toMatchObject({ outTradeNo: '1415757673', totalFee: 101, coupons: [{ fee: 1 }] });
    expect(notification.fields['transaction_id']).toBe('1008450740201411110005820873');
  });

  it('verifies HMAC-SHA256 when configured, and only then', () => {
    const body = signedXml(NOTIFIED, 'HMAC-SHA256');
    expect(decodeNotification(body, { key: KEY, signType: 'HMAC-SHA256' }).tradeState).toBe('SUCCESS');
    expect(thrown(() => decodeNotification(body, { key: KEY }))).toBeInstanceOf(SignatureError);
  });

  it('decodes a duplicate the same way (duplicates are normal)', () => {
    const body = signedXml(NOTIFIED);
    expect(decodeNotification(body, { key: KEY })).toEqual(decodeNotification(Buffer.from(body), { key: KEY }));
  });

  it('accepts a notification bound to its merchant, order and amount', () => {
    const notification = decodeNotification(signedXml(NOTIFIED), { key: KEY, expect: BOUND });
    expect(notification.order.totalFee).toBe(101);
  });

  it('accepts a signed orderquery answer saying SUCCESS: it states the same facts as a notification', () => {
    expect(decodeNotification(signedXml(PAID_FIELDS), { key: KEY, expect: BOUND }).tradeState).toBe('SUCCESS');
  });

  it('accepts a body whose own sign_type is the configured one', () => {
    const body = signedXml({ ...NOTIFIED, sign_type: 'HMAC-SHA256' }, 'HMAC-SHA256');
    expect(decodeNotification(body, { key: KEY, signType: 'HMAC-SHA256' }).tradeState).toBe('SUCCESS');
  });
});

describe('decodeNotification: anything but a payment result is NOT_A_PAYMENT', () => {
  it.each(['NOTPAY', 'CLOSED', 'REFUND', 'USERPAYING', 'REVOKED', 'PAYERROR', 'ACCEPT', 'SOMETHING_NEW', ''])(
    'a genuine signed orderquery answer saying %j, replayed to the notify route, is refused',
    (state) => {
      // What WeChat signs for an unpaid order: no transaction_id nor time_end, but the amount and the state.
      const unpaid = { ...without(PAID_FIELDS, 'transaction_id', 'time_end', 'bank_type'), trade_state: state };
      for (const fields of [unpaid, { ...PAID_FIELDS, trade_state: state }]) {
        const err = thrown(() => decodeNotification(signedXml(fields), { key: KEY, expect: BOUND }));
        expect(err).toBeInstanceOf(NotificationError);
        expect(err).toMatchObject({
          code: 'NOT_A_PAYMENT',
          reason: 'TRADE_STATE',
          field: 'trade_state',
          retryable: false,
        });
      }
    },
  );

  it('a forged NOTPAY answer (wrong sign) is a SignatureError: only genuine bodies are called replays', () => {
    const forged = signedXml({ ...PAID_FIELDS, trade_state: 'NOTPAY' }).replace(/<sign>[0-9A-F]/, '<sign>G');
    expect(thrown(() => decodeNotification(forged, { key: KEY }))).toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('a refund notification (unsigned, req_info encrypted) is refused as a refund, before any signature', () => {
    const refund = buildXml({
      return_code: 'SUCCESS',
      appid: BOUND.appId,
      mch_id: BOUND.mchId,
      nonce_str: 'TeqClE3i0mvn3DrK',
      req_info: 'T87GAHG17TGAHG1TGHAHAHA1Y1CIOA9UGJH1GAHV871HAGAGQYQQPOOJMXNBCXBVNMNMAJAA',
    });
    expect(thrown(() => decodeNotification(refund, { key: KEY }))).toMatchObject({
      name: 'NotificationError',
      code: 'NOT_A_PAYMENT',
      reason: 'REFUND',
      field: 'req_info',
    });
  });

  it('a signed refund answer or decrypted refund result, with every payment field, is refused as a refund', () => {
    const refundAnswer = {
      ...NOTIFIED,
      out_refund_no: 'R1415757673',
      refund_id: '50000408942018111907145868882',
      refund_fee: '101',
      refund_channel: '',
    };
    const decrypted = { ...NOTIFIED, refund_status: 'SUCCESS', success_time: '2014-11-11 17:10:43' };
    for (const fields of [refundAnswer, decrypted]) {
      expect(thrown(() => decodeNotification(signedXml(fields), { key: KEY }))).toMatchObject({ reason: 'REFUND' });
    }
  });

  it('a signed closeorder or reverse answer is refused: it carries no payment', () => {
    const closed = {
      return_code: 'SUCCESS',
      return_msg: 'OK',
      appid: BOUND.appId,
      mch_id: BOUND.mchId,
      nonce_str: 'BFK89FC6rxKCOjLX',
      result_code: 'SUCCESS',
      result_msg: 'OK',
    };
    for (const fields of [closed, { ...closed, recall: 'N' }]) {
      expect(thrown(() => decodeNotification(signedXml(fields), { key: KEY }))).toMatchObject({
        code: 'NOT_A_PAYMENT',
        reason: 'MISSING_FIELD',
        field: 'transaction_id',
      });
    }
  });

  it('a signed ORDERNOTEXIST or other result_code FAIL body is RESULT_FAIL', () => {
    for (const fields of [
      { ...NOTIFIED, result_code: 'FAIL', err_code: 'SYSTEMERROR' },
      {
        return_code: 'SUCCESS',
        appid: BOUND.appId,
        mch_id: BOUND.mchId,
        result_code: 'FAIL',
        err_code: 'ORDERNOTEXIST',
      },
    ]) {
      expect(thrown(() => decodeNotification(signedXml(fields), { key: KEY }))).toMatchObject({
        name: 'NotificationError',
        reason: 'RESULT_FAIL',
      });
    }
  });

  it('return_code FAIL is RETURN_FAIL; an unknown return_code or result_code is malformed', () => {
    expect(thrown(() => decodeNotification('<xml><return_code>FAIL</return_code></xml>', { key: KEY }))).toMatchObject({
      name: 'NotificationError',
      reason: 'RETURN_FAIL',
    });
    expect(thrown(() => decodeNotification(signedXml(without(NOTIFIED, 'return_code')), { key: KEY }))).toMatchObject({
      code: 'MALFORMED_RESPONSE',
    });
    expect(
      thrown(() => decodeNotification(signedXml({ ...NOTIFIED, result_code: 'MAYBE' }), { key: KEY })),
    ).toMatchObject({ code: 'MALFORMED_RESPONSE' });
  });

  it.each(['transaction_id', 'out_trade_no', 'total_fee', 'time_end'])(
    'a signed body without %s, or with it empty, is MISSING_FIELD naming it',
    (field) => {
      for (const fields of [without(NOTIFIED, field), { ...NOTIFIED, [field]: '' }]) {
        expect(thrown(() => decodeNotification(signedXml(fields), { key: KEY }))).toMatchObject({
          code: 'NOT_A_PAYMENT',
          reason: 'MISSING_FIELD',
          field,
        });
      }
    },
  );
});

describe('decodeNotification: signatures and sign types', () => {
  it('refuses a forged, unsigned or tampered notification', () => {
    const body = signedXml(NOTIFIED);
    expect(
      thrown(() => decodeNotification(body.replace('<total_fee>101', '<total_fee>1'), { key: KEY })),
    ).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(thrown(() => decodeNotification(body.replace(/<sign>.*<\/sign>/, ''), { key: KEY }))).toMatchObject({
      code: 'SIGNATURE_MISSING',
    });
  });

  it('refuses a body whose own sign_type differs from the configured one, even when it verifies', () => {
    const hmac = signedXml({ ...NOTIFIED, sign_type: 'HMAC-SHA256' }, 'HMAC-SHA256');
    const err = thrown(() => decodeNotification(hmac, { key: KEY, signType: 'MD5' }));
    expect(err).toBeInstanceOf(SignatureError);
    expect((err as Error).message).toMatch(/sign_type other than MD5: set signType/);
    // Signed with MD5 but saying HMAC-SHA256: the declaration alone is enough to refuse.
    const lying = signedXml({ ...NOTIFIED, sign_type: 'HMAC-SHA256' }, 'MD5');
    expect(thrown(() => decodeNotification(lying, { key: KEY }))).toMatchObject({ code: 'SIGNATURE_INVALID' });
    const md5 = signedXml({ ...NOTIFIED, sign_type: 'MD5' }, 'MD5');
    expect(thrown(() => decodeNotification(md5, { key: KEY, signType: 'HMAC-SHA256' }))).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });

  it('quotes neither the key nor the declared sign_type in its errors', () => {
    const body = signedXml({ ...NOTIFIED, sign_type: `X${KEY}` });
    const err = thrown(() => decodeNotification(body, { key: KEY })) as Error;
    expect(err.message).not.toContain(KEY);
    expect(JSON.stringify(err)).not.toContain(KEY);
  });
});

describe('decodeNotification: binding to merchant, order and amount', () => {
  const body = signedXml(NOTIFIED);

  it.each([
    ['total_fee', { totalFee: 10_000 }],
    ['total_fee', { totalFee: 100 }],
    ['fee_type', { totalFee: 101, feeType: 'USD' }],
    ['appid', { appId: 'wxd930ea5d5a258f4f' }],
    ['mch_id', { mchId: '10000101' }],
    ['out_trade_no', { outTradeNo: 'another-order' }],
    ['transaction_id', { transactionId: '4200000000000000000000000001' }],
  ] as const)('another %s than expected is a MismatchError naming it', (field, other) => {
    const err = thrown(() => decodeNotification(body, { key: KEY, expect: { ...BOUND, ...other } }));
    expect(err).toBeInstanceOf(MismatchError);
    expect(err).toMatchObject({ code: 'MISMATCH', field, retryable: false });
  });

  it('a notification in another currency is not the CNY amount expected by default', () => {
    const usd = signedXml({ ...NOTIFIED, fee_type: 'USD' });
    expect(thrown(() => decodeNotification(usd, { key: KEY, expect: BOUND }))).toMatchObject({ field: 'fee_type' });
    expect(decodeNotification(usd, { key: KEY, expect: { ...BOUND, feeType: 'USD' } }).order.feeType).toBe('USD');
  });

  it('a notification without fee_type counts as CNY', () => {
    const plain = signedXml(without(NOTIFIED, 'fee_type'));
    expect(decodeNotification(plain, { key: KEY, expect: BOUND }).tradeState).toBe('SUCCESS');
    expect(thrown(() => decodeNotification(plain, { key: KEY, expect: { ...BOUND, feeType: 'HKD' } }))).toMatchObject({
      field: 'fee_type',
    });
  });

  it('service-provider mode: another sub_mch_id or sub_appid is a MismatchError', () => {
    const sub = signedXml({ ...NOTIFIED, sub_mch_id: '1900000109', sub_appid: 'wxsub' });
    const spExpect = { ...BOUND, subMchId: '1900000109', subAppId: 'wxsub' };
    expect(decodeNotification(sub, { key: KEY, expect: spExpect }).order.subMchId).toBe('1900000109');
    expect(
      thrown(() => decodeNotification(sub, { key: KEY, expect: { ...spExpect, subMchId: '1900000110' } })),
    ).toMatchObject({
      field: 'sub_mch_id',
    });
    expect(
      thrown(() => decodeNotification(sub, { key: KEY, expect: { ...spExpect, subAppId: 'wxother' } })),
    ).toMatchObject({
      field: 'sub_appid',
    });
  });

  it('a notification that does not name the expected appid, mch_id or sub_mch_id is refused', () => {
    for (const [field, fields, extra] of [
      ['appid', without(NOTIFIED, 'appid'), {}],
      ['mch_id', without(NOTIFIED, 'mch_id'), {}],
      ['mch_id', { ...NOTIFIED, mch_id: '' }, {}],
      ['sub_mch_id', NOTIFIED, { subMchId: '1900000109' }],
    ] as const) {
      expect(
        thrown(() => decodeNotification(signedXml(fields), { key: KEY, expect: { ...BOUND, ...extra } })),
      ).toMatchObject({
        name: 'MismatchError',
        field,
      });
    }
  });

  it('a notification without sub_appid is accepted: WeChat sends it only for orders placed with one', () => {
    const sub = signedXml({ ...NOTIFIED, sub_mch_id: '1900000109' });
    const notification = decodeNotification(sub, {
      key: KEY,
      expect: { ...BOUND, subMchId: '1900000109', subAppId: 'wxsub' },
    });
    expect(notification.order.subAppId).toBeUndefined();
  });

  it.each([1.5, Number.NaN, -1, Number.POSITIVE_INFINITY, 2 ** 53])(
    'expect.totalFee %s is an InvalidArgumentError',
    (totalFee) => {
      expect(thrown(() => decodeNotification(body, { key: KEY, expect: { totalFee } }))).toBeInstanceOf(
        InvalidArgumentError,
      );
    },
  );

  it.each(['cny', '', 'RMB '])('expect.feeType %j is an InvalidArgumentError', (feeType) => {
    expect(thrown(() => decodeNotification(body, { key: KEY, expect: { totalFee: 101, feeType } }))).toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

describe('decodeNotification: bodies and options of the wrong type', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an object (a JSON body parser ran first)', {}],
    ['a parsed notification object', { ...NOTIFIED, sign: sign(NOTIFIED, KEY) }],
    ['an array', [signedXml(NOTIFIED)]],
    ['a number', 42],
    ['a boolean', true],
  ])('%s is an InvalidArgumentError, never a raw TypeError', (_name, body) => {
    const err = thrown(() => decodeNotification(body, { key: KEY }));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', retryable: false });
    expect((err as Error).message).toMatch(/string or a Buffer/);
  });

  it('options without a key, or with an unknown sign type, are an InvalidArgumentError', () => {
    const body = signedXml(NOTIFIED);
    for (const options of [undefined, {}, { key: '' }, { key: KEY, signType: 'SHA1' }]) {
      expect(thrown(() => decodeNotification(body, options as never))).toBeInstanceOf(InvalidArgumentError);
    }
  });

  it('refuses hostile bodies with typed errors', () => {
    expect(thrown(() => decodeNotification('<!DOCTYPE x [<!ENTITY e "1">]><xml/>', { key: KEY }))).toMatchObject({
      code: 'XML_DOCTYPE',
    });
    expect(thrown(() => decodeNotification('<html>502</html>', { key: KEY }))).toBeInstanceOf(TransportError);
    expect(thrown(() => decodeNotification('', { key: KEY }))).toMatchObject({ code: 'NOT_XML' });
    expect(thrown(() => decodeNotification(signedXml(NOTIFIED), { key: KEY, maxBytes: 64 }))).toMatchObject({
      code: 'XML_TOO_LARGE',
    });
    expect(thrown(() => decodeNotification(signedXml({ ...NOTIFIED, total_fee: '1e2' }), { key: KEY }))).toBeInstanceOf(
      MalformedResponseError,
    );
  });

  it('every refusal is a TradestateError with a stable code', () => {
    const bodies: unknown[] = [
      undefined,
      7,
      '<xml/>',
      '<xml><a>1</a></xml>',
      signedXml({ ...PAID_FIELDS, trade_state: 'NOTPAY' }),
    ];
    for (const body of bodies)
      expect(thrown(() => decodeNotification(body, { key: KEY }))).toBeInstanceOf(TradestateError);
  });
});

describe('notificationReply', () => {
  it('acknowledges with the exact XML WeChat expects', () => {
    expect(notificationReply(true)).toBe(
      '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>',
    );
  });

  it('refuses with FAIL and a message that round-trips, ]]> included', () => {
    const reply = notificationReply(false, 'bad ]]> sign <x>');
    expect(parseXml(reply)).toEqual({ return_code: 'FAIL', return_msg: 'bad ]]> sign <x>' });
    expect(parseXml(notificationReply(false))).toEqual({ return_code: 'FAIL', return_msg: 'FAIL' });
  });
});
