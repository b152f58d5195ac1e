import { describe, expect, it } from 'vitest';
import {
  decodeNotification,
  MalformedResponseError,
  notificationReply,
  parseXml,
  SignatureError,
} from '../src/index.ts';
import { KEY, PAID_FIELDS, signedXml } from './fixtures.ts';

const { trade_state: _none, trade_state_desc: _neither, ...NOTIFIED } = PAID_FIELDS;

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('decodeNotification', () => {
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

  it('refuses a forged, unsigned or tampered notification', () => {
    const body = signedXml(NOTIFIED);
    expect(
      thrown(() => decodeNotification(body.replace('<total_fee>101', '<total_fee>1'), { key: KEY })),
    ).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
    expect(thrown(() => decodeNotification(body.replace(/<sign>.*<\/sign>/, ''), { key: KEY }))).toMatchObject({
      code: 'SIGNATURE_MISSING',
    });
  });

  it('never turns result_code FAIL into SUCCESS, even when signed', () => {
    const body = signedXml({ ...NOTIFIED, result_code: 'FAIL', err_code: 'SYSTEMERROR' });
    expect(thrown(() => decodeNotification(body, { key: KEY }))).toBeInstanceOf(MalformedResponseError);
  });

  it('refuses return_code FAIL and a notification naming no order', () => {
    expect(thrown(() => decodeNotification('<xml><return_code>FAIL</return_code></xml>', { key: KEY }))).toBeInstanceOf(
      MalformedResponseError,
    );
    const { out_trade_no: _x, ...anonymous } = NOTIFIED;
    expect(thrown(() => decodeNotification(signedXml(anonymous), { key: KEY }))).toMatchObject({
      code: 'MALFORMED_RESPONSE',
    });
  });

  it('refuses hostile bodies with typed errors', () => {
    expect(thrown(() => decodeNotification('<!DOCTYPE x [<!ENTITY e "1">]><xml/>', { key: KEY }))).toMatchObject({
      code: 'XML_DOCTYPE',
    });
    expect(thrown(() => decodeNotification('<html>502</html>', { key: KEY }))).toMatchObject({ code: 'NOT_XML' });
    expect(thrown(() => decodeNotification(signedXml(NOTIFIED), { key: KEY, maxBytes: 64 }))).toMatchObject({
      code: 'XML_TOO_LARGE',
    });
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
