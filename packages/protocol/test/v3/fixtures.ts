import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Test keys made once with `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048` and committed. */
export function fixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8');
}

export const MERCHANT_PRIVATE_PEM = fixture('merchant-private.pem');
export const MERCHANT_PUBLIC_PEM = fixture('merchant-public.pem');
export const PLATFORM_PRIVATE_PEM = fixture('platform-private.pem');
export const PLATFORM_PUBLIC_PEM = fixture('platform-public.pem');
export const merchantPublicKey = createPublicKey(MERCHANT_PUBLIC_PEM);
export const platformPrivateKey = createPrivateKey(PLATFORM_PRIVATE_PEM);
export const platformPublicKey = createPublicKey(PLATFORM_PUBLIC_PEM);

export const PLATFORM_KEY_ID = 'PUB_KEY_ID_0112300001092026120100000000';
export const MERCHANT_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';
export const MCH_ID = '1230000109';
export const APP_ID = 'wxd678efh567hg6787';
export const API_V3_KEY = 'tradestateV3testKey0123456789abc';

export interface SignedAnswerParts {
  readonly timestamp?: number | string;
  readonly nonce?: string;
  readonly serial?: string;
  /** Sign this text instead of the body (a signature over another body). */
  readonly signedBody?: string;
  readonly signature?: string;
}

/**
 * The `Wechatpay-*` headers WeChat would send with `body`, signed with the test platform key, written
 * independently of the library's signer (node:crypto directly).
 */
export function wechatpayHeaders(body: string, parts: SignedAnswerParts = {}): Record<string, string> {
  const timestamp = String(parts.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = parts.nonce ?? 'zVnc0rDHwQZ5pGr8kLtT9fYmBq2uX3aE';
  const message = `${timestamp}\n${nonce}\n${parts.signedBody ?? body}\n`;
  const signature = parts.signature ?? sign('sha256', Buffer.from(message), platformPrivateKey).toString('base64');
  return {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': signature,
    'wechatpay-serial': parts.serial ?? PLATFORM_KEY_ID,
    'request-id': '08F78BB5AF0610D302A1C7D10D3',
  };
}

/** A v3 order answer as WeChat documents it (direct merchant, paid). */
export function transaction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    appid: APP_ID,
    mchid: MCH_ID,
    out_trade_no: '1217752501201407033233368018',
    transaction_id: '1217752501201407033233368018',
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'CMC',
    attach: '自定义数据',
    success_time: '2018-06-08T10:34:56+08:00',
    payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    amount: { total: 100, payer_total: 90, currency: 'CNY', payer_currency: 'CNY' },
    scene_info: { device_id: '013467007045764' },
    promotion_detail: [
      {
        coupon_id: '109519',
        name: '单品惠-6',
        scope: 'SINGLE',
        type: 'CASH',
        amount: 10,
        stock_id: '931386',
        wechatpay_contribute: 0,
        merchant_contribute: 10,
        other_contribute: 0,
        currency: 'CNY',
      },
    ],
    ...overrides,
  };
}
