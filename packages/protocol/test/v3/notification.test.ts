import { describe, expect, it } from 'vitest';
import {
  DecryptionError,
  InvalidArgumentError,
  MalformedResponseError,
  MismatchError,
  SignatureError,
  type TradestateError,
} from '../../src/errors.ts';
import { apiV3KeyOf, encryptAesGcm } from '../../src/v3/aes-gcm.ts';
import { createPayClientV3 } from '../../src/v3/client.ts';
import { decodeNotificationV3, notificationReplyV3 } from '../../src/v3/notification.ts';
import {
  API_V3_KEY,
  APP_ID,
  MCH_ID,
  MERCHANT_PRIVATE_PEM,
  MERCHANT_SERIAL,
  PLATFORM_KEY_ID,
  PLATFORM_PUBLIC_PEM,
  platformPublicKey,
  transaction,
  wechatpayHeaders,
} from './fixtures.ts';

interface Build {
  readonly transaction?: Record<string, unknown>;
  readonly eventType?: string;
  readonly aad?: string;
  readonly decryptAad?: string;
  readonly nonce?: string;
  /** The nonce the envelope names, when it differs from the one used. */
  readonly announcedNonce?: string;
  readonly key?: string;
  readonly cutTag?: number;
  readonly originalType?: string;
}

/** A notification as WeChat POSTs it: the envelope, its resource encrypted, the whole body signed. */
function notification(build: Build = {}): { headers: Record<string, string>; body: string } {
  const nonce = build.nonce ?? 'fdasflkja484';
  const aad = build.aad ?? 'transaction';
  let ciphertext = encryptAesGcm(
    JSON.stringify(build.transaction ?? transaction()),
    apiV3KeyOf(build.key ?? API_V3_KEY),
    nonce,
    aad,
  );
  if (build.cutTag !== undefined) {
    const sealed = Buffer.from(ciphertext, 'base64');
    ciphertext = sealed.subarray(0, sealed.length - build.cutTag).toString('base64');
  }
  const body = JSON.stringify({
    id: 'EV-2018022511223320873',
    create_time: '2018-06-08T10:34:56+08:00',
    resource_type: 'encrypt-resource',
    event_type: build.eventType ?? 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: build.originalType ?? 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext,
      associated_data: build.decryptAad ?? aad,
      nonce: build.announcedNonce ?? nonce,
    },
  });
  return { headers: wechatpayHeaders(body), body };
}

const options = {
  apiV3Key: API_V3_KEY,
  platformPublicKey: PLATFORM_PUBLIC_PEM,
  platformPublicKeyId: PLATFORM_KEY_ID,
};

function failure(run: () => unknown): TradestateError {
  try {
    run();
  } catch (err) {
    return err as TradestateError;
  }
  throw new Error('expected a refusal');
}

describe('decodeNotificationV3', () => {
  it('verifies, decrypts and normalises a payment result into the same PaymentNotification as v2', () => {
    const { headers, body } = notification();
    const decoded = decodeNotificationV3(
      { headers, body: Buffer.from(body) },
      {
        ...options,
        expect: { mchId: MCH_ID, appId: APP_ID, outTradeNo: '1217752501201407033233368018', totalFee: 100 },
      },
    );
    expect(decoded.tradeState).toBe('SUCCESS');
    expect(decoded.order).toMatchObject({ outTradeNo: '1217752501201407033233368018', totalFee: 100, mchId: MCH_ID });
    expect(decoded.order.paidAt?.toISOString()).toBe('2018-06-08T02:34:56.000Z');
    expect(decoded.fields['payer.openid']).toBe('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
  });

  it('accepts a parsed KeyObject and a Buffer APIv3 key as well as PEM text and a string', () => {
    const { headers, body } = notification();
    const decoded = decodeNotificationV3(
      { headers, body },
      { ...options, platformPublicKey, apiV3Key: Buffer.from(API_V3_KEY) },
    );
    expect(decoded.order.totalFee).toBe(100);
  });

  it('checks the signature before reading anything: a bad signature over a valid payment is refused', () => {
    const { headers, body } = notification();
    const tampered = body.replace('"summary":"支付成功"', '"summary":"x"');
    expect(failure(() => decodeNotificationV3({ headers, body: tampered }, options))).toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
    const probe = { ...headers, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/QUJD' };
    expect(failure(() => decodeNotificationV3({ headers: probe, body }, options))).toBeInstanceOf(SignatureError);
    const stale = { ...notification().headers, 'wechatpay-timestamp': String(Math.floor(Date.now() / 1000) - 360) };
    expect(failure(() => decodeNotificationV3({ headers: stale, body }, options)).code).toBe('SIGNATURE_EXPIRED');
  });

  it('refuses a truncated tag, a wrong AAD, a wrong nonce and another APIv3 key as DECRYPT_FAILED', () => {
    for (const build of [
      { cutTag: 4 },
      { decryptAad: 'refund' },
      { key: 'y'.repeat(32) },
      { announcedNonce: 'abcdefghijkl' },
      { announcedNonce: 'short' },
    ]) {
      const { headers, body } = notification(build);
      const err = failure(() => decodeNotificationV3({ headers, body }, options));
      expect(err).toBeInstanceOf(DecryptionError);
      expect(err.code).toBe('DECRYPT_FAILED');
      expect(err.message).not.toContain(API_V3_KEY);
    }
  });

  it('refuses an APIv3 key that is not 32 bytes before touching the body', () => {
    const { headers, body } = notification();
    expect(
      failure(() => decodeNotificationV3({ headers, body }, { ...options, apiV3Key: '0123456789abcdef' })),
    ).toBeInstanceOf(InvalidArgumentError);
  });

  it('refuses what is not a payment: another event, another resource type, a trade state other than SUCCESS', () => {
    const notPayments: Build[] = [
      { eventType: 'REFUND.SUCCESS' },
      { originalType: 'refund' },
      { transaction: transaction({ trade_state: 'NOTPAY' }) },
      { transaction: transaction({ transaction_id: undefined }) },
      { transaction: transaction({ amount: { currency: 'CNY' } }) },
      { transaction: transaction({ success_time: undefined }) },
    ];
    for (const build of notPayments) {
      const { headers, body } = notification(build);
      expect(failure(() => decodeNotificationV3({ headers, body }, options))).toBeInstanceOf(MalformedResponseError);
    }
  });

  it('refuses a decrypted body for another merchant, order or amount with MismatchError', () => {
    const expect_ = { mchId: MCH_ID, outTradeNo: '1217752501201407033233368018', totalFee: 100 };
    const cases: [Record<string, unknown>, string][] = [
      [transaction({ mchid: '1900000999' }), 'mchid'],
      [transaction({ out_trade_no: 'OTHER' }), 'out_trade_no'],
      [transaction({ amount: { total: 1, currency: 'CNY' } }), 'amount.total'],
    ];
    for (const [tx, field] of cases) {
      const { headers, body } = notification({ transaction: tx });
      const err = failure(() => decodeNotificationV3({ headers, body }, { ...options, expect: expect_ }));
      expect(err).toBeInstanceOf(MismatchError);
      expect((err as MismatchError).field).toBe(field);
    }
  });

  it('refuses a decrypted resource with a __proto__ key or that is not JSON', () => {
    const key = apiV3KeyOf(API_V3_KEY);
    for (const plaintext of ['{"__proto__":{"trade_state":"SUCCESS"}}', 'not json']) {
      const body = JSON.stringify({
        event_type: 'TRANSACTION.SUCCESS',
        resource: {
          algorithm: 'AEAD_AES_256_GCM',
          ciphertext: encryptAesGcm(plaintext, key, 'fdasflkja484', ''),
          nonce: 'fdasflkja484',
        },
      });
      expect(failure(() => decodeNotificationV3({ headers: wechatpayHeaders(body), body }, options)).code).toBe(
        'MALFORMED_JSON',
      );
    }
  });

  it("is bound to the client's merchant when decoded through createPayClientV3", () => {
    const client = createPayClientV3({
      mchId: '1900000999',
      appId: APP_ID,
      serialNo: MERCHANT_SERIAL,
      privateKey: MERCHANT_PRIVATE_PEM,
      platformPublicKey: PLATFORM_PUBLIC_PEM,
      platformPublicKeyId: PLATFORM_KEY_ID,
      apiV3Key: API_V3_KEY,
    });
    const { headers, body } = notification();
    expect(failure(() => client.decodeNotification({ headers, body }))).toMatchObject({
      code: 'MISMATCH',
      field: 'mchid',
    });
  });
});

describe('notificationReplyV3', () => {
  it('acknowledges with a 204 and no body, and refuses with a 4xx/5xx FAIL body', () => {
    expect(notificationReplyV3(true)).toEqual({ status: 204, headers: {}, body: '' });
    const refused = notificationReplyV3(false, 'bad signature', 401);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toEqual({ code: 'FAIL', message: 'bad signature' });
    expect(notificationReplyV3(false).status).toBe(500);
    expect(notificationReplyV3(false, 'x', 200).status).toBe(500);
  });
});
