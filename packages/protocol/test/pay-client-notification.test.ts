import { describe, expect, it } from 'vitest';
import { createPayClient, MismatchError, NotificationError, type PayClientOptions } from '../src/index.ts';
import { KEY, PAID_FIELDS, signedXml } from './fixtures.ts';
import { MERCHANT } from './pay-client-harness.ts';

const { trade_state: _none, trade_state_desc: _neither, ...NOTIFIED } = PAID_FIELDS;
const SP: Partial<PayClientOptions> = { subMchId: '1900000109', subAppId: 'wxsub' };

function client(options: Partial<PayClientOptions> = {}) {
  // No request is ever sent: the port is closed on purpose.
  return createPayClient({ ...MERCHANT, baseURL: 'http://127.0.0.1:9', ...options });
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('PayClient.decodeNotification', () => {
  it('decodes a payment result for its own merchant with its own key', () => {
    const notification = client().decodeNotification(signedXml(NOTIFIED));
    expect(notification).toMatchObject({ tradeState: 'SUCCESS', order: { outTradeNo: '1415757673', totalFee: 101 } });
  });

  it('refuses a notification for another appid or mch_id signed with the same key', () => {
    for (const [field, change] of [
      ['appid', { appid: 'wxd930ea5d5a258f4f' }],
      ['mch_id', { mch_id: '10000101' }],
    ] as const) {
      const err = thrown(() => client().decodeNotification(signedXml({ ...NOTIFIED, ...change })));
      expect(err).toBeInstanceOf(MismatchError);
      expect(err).toMatchObject({ field });
    }
  });

  it('service-provider mode: binds the sub-merchant, which a shared provider key does not', () => {
    const sp = client(SP);
    const own = { ...NOTIFIED, sub_mch_id: '1900000109', sub_appid: 'wxsub' };
    expect(sp.decodeNotification(signedXml(own)).order.subMchId).toBe('1900000109');
    expect(thrown(() => sp.decodeNotification(signedXml({ ...own, sub_mch_id: '1900000110' })))).toMatchObject({
      name: 'MismatchError',
      field: 'sub_mch_id',
    });
    expect(thrown(() => sp.decodeNotification(signedXml({ ...own, sub_appid: 'wxother' })))).toMatchObject({
      field: 'sub_appid',
    });
    // The provider's own notification names no sub-merchant: not this client's.
    expect(thrown(() => sp.decodeNotification(signedXml(NOTIFIED)))).toMatchObject({ field: 'sub_mch_id' });
  });

  it('the caller adds the order and its amount', () => {
    const c = client();
    const body = signedXml(NOTIFIED);
    expect(c.decodeNotification(body, { expect: { outTradeNo: '1415757673', totalFee: 101 } }).tradeState).toBe(
      'SUCCESS',
    );
    expect(thrown(() => c.decodeNotification(body, { expect: { totalFee: 10_000 } }))).toMatchObject({
      field: 'total_fee',
    });
    expect(thrown(() => c.decodeNotification(body, { expect: { totalFee: 101, feeType: 'USD' } }))).toMatchObject({
      field: 'fee_type',
    });
    expect(thrown(() => c.decodeNotification(body, { expect: { outTradeNo: 'A2' } }))).toMatchObject({
      field: 'out_trade_no',
    });
  });

  it("the client's own ids win: a caller cannot widen the binding to another merchant", () => {
    const other = signedXml({ ...NOTIFIED, mch_id: '10000101', appid: 'wxd930ea5d5a258f4f' });
    const err = thrown(() =>
      client().decodeNotification(other, { expect: { mchId: '10000101', appId: 'wxd930ea5d5a258f4f' } }),
    );
    expect(err).toMatchObject({ name: 'MismatchError' });
    const sp = signedXml({ ...NOTIFIED, sub_mch_id: '1900000110' });
    expect(thrown(() => client(SP).decodeNotification(sp, { expect: { subMchId: '1900000110' } }))).toMatchObject({
      field: 'sub_mch_id',
    });
  });

  it("uses the client's sign type: an HMAC-SHA256 client refuses an MD5 notification and the reverse", () => {
    expect(client({ signType: 'HMAC-SHA256' }).decodeNotification(signedXml(NOTIFIED, 'HMAC-SHA256')).tradeState).toBe(
      'SUCCESS',
    );
    expect(thrown(() => client({ signType: 'HMAC-SHA256' }).decodeNotification(signedXml(NOTIFIED)))).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
    expect(thrown(() => client().decodeNotification(signedXml(NOTIFIED, 'HMAC-SHA256')))).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
    expect(thrown(() => client({ key: 'f'.repeat(32) }).decodeNotification(signedXml(NOTIFIED)))).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });

  it("uses the client's size cap", () => {
    expect(thrown(() => client({ maxBytes: 100 }).decodeNotification(signedXml(NOTIFIED)))).toMatchObject({
      code: 'XML_TOO_LARGE',
    });
  });

  it('refuses a replayed orderquery answer and a body of the wrong type like decodeNotification', () => {
    const notpay = signedXml({ ...PAID_FIELDS, trade_state: 'NOTPAY' });
    expect(thrown(() => client().decodeNotification(notpay))).toBeInstanceOf(NotificationError);
    expect(thrown(() => client().decodeNotification({}))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(thrown(() => client().decodeNotification(undefined))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('puts no key in any of its errors', () => {
    const c = client();
    const bodies: unknown[] = [
      {},
      '<xml/>',
      signedXml(NOTIFIED).replace('101', '102'),
      signedXml({ ...NOTIFIED, mch_id: '1' }),
    ];
    for (const body of bodies) {
      const err = thrown(() => c.decodeNotification(body));
      expect(`${String(err)} ${JSON.stringify(err)}`).not.toContain(KEY);
    }
  });
});
