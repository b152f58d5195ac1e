import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { createRequire } from 'node:module';
import { decodeOrderQueryV3 } from '@tradestate/protocol';
import axios from 'axios';

const require = createRequire(import.meta.url);

/** The platform key id of the v3 decode fixture. */
const KEY_ID = 'PUB_KEY_ID_0110000100202612010000000000';
const MCH_ID = '1230000109';
const OUT_TRADE_NO = '1217752501201407033233368018';

/** One APIv3 answer as both clients receive it: headers, the raw bytes, the same bytes as text. */
export interface V3DecodeFixture {
  readonly headers: Readonly<Record<string, string>>;
  readonly bytes: Buffer;
  readonly text: string;
  readonly publicKey: KeyObject;
  readonly publicKeyPem: string;
}

/** A paid v3 order answer with one coupon (~0.8 KB), signed with a fresh RSA-2048 platform key now. */
export function v3DecodeFixture(): V3DecodeFixture {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const text = JSON.stringify({
    appid: 'wxd678efh567hg6787',
    mchid: MCH_ID,
    out_trade_no: OUT_TRADE_NO,
    transaction_id: '4200000000202612011234567890',
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'CMC',
    attach: '自定义数据',
    success_time: '2026-12-01T10:34:56+08:00',
    payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
    amount: { total: 1000, payer_total: 900, currency: 'CNY', payer_currency: 'CNY' },
    scene_info: { device_id: '013467007045764' },
    promotion_detail: [
      {
        coupon_id: '109519',
        name: '单品惠-6',
        scope: 'SINGLE',
        type: 'CASH',
        amount: 100,
        stock_id: '931386',
        wechatpay_contribute: 0,
        merchant_contribute: 100,
        other_contribute: 0,
        currency: 'CNY',
      },
    ],
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = 'zVnc0rDHwQZ5pGr8kLtT9fYmBq2uX3aE';
  const signature = sign(
    'sha256',
    Buffer.from(`${timestamp}\n${nonce}\n${text}\n`),
    createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })),
  ).toString('base64');
  return {
    headers: {
      server: 'nginx',
      'content-type': 'application/json; charset=utf-8',
      'request-id': '08F78BB5AF0610D302A1C7D10D3',
      'wechatpay-nonce': nonce,
      'wechatpay-serial': KEY_ID,
      'wechatpay-signature': signature,
      'wechatpay-timestamp': timestamp,
    },
    bytes: Buffer.from(text),
    text,
    publicKey: createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** One way to turn a v3 answer into a verified trade state. */
export interface V3DecodeContender {
  readonly name: string;
  decode(headers: Readonly<Record<string, string>>, bytes: Buffer, text: string): string | undefined;
}

/** `decodeOrderQueryV3`: verify the raw bytes (headers, probe, serial, ±5 min, RSA), bounded JSON, bind, normalise. */
export function tradestateV3Decoder(fixture: V3DecodeFixture): V3DecodeContender {
  const options = {
    platformPublicKey: fixture.publicKey,
    platformPublicKeyId: KEY_ID,
    expect: { mchId: MCH_ID, outTradeNo: OUT_TRADE_NO, totalFee: 1000 },
  };
  return {
    name: 'tradestate v3',
    decode: (headers, bytes) => {
      const outcome = decodeOrderQueryV3({ status: 200, headers, body: bytes }, options);
      return outcome.kind === 'order' && typeof outcome.tradeState === 'string' ? outcome.tradeState : undefined;
    },
  };
}

interface PeerDecorator {
  responseVerifier(
    certs: Record<string, unknown>,
  ): (this: object, data: string, headers: object, status: number) => unknown;
}
interface PeerRsa {
  from(thing: string, type: string): unknown;
  KEY_TYPE_PUBLIC: string;
}

/**
 * wechatpay-axios-plugin's v3 client exactly as `Decorator.jsonBased` composes `transformResponse`: its
 * `responseVerifier` (headers, ±5 min, serial, RSA) then axios's default JSON transform, called with a request
 * config as `this`, the platform key held as `Rsa.from` makes it.
 */
export function wechatpayAxiosPluginV3Decoder(fixture: V3DecodeFixture): V3DecodeContender {
  const { Decorator, Rsa } = require('wechatpay-axios-plugin') as { Decorator: PeerDecorator; Rsa: PeerRsa };
  const verifier = Decorator.responseVerifier({ [KEY_ID]: Rsa.from(fixture.publicKeyPem, Rsa.KEY_TYPE_PUBLIC) });
  const transforms = axios.defaults.transformResponse as ((this: object, data: unknown, headers?: object) => unknown)[];
  const config = {
    url: `/v3/pay/transactions/out-trade-no/${OUT_TRADE_NO}`,
    validateStatus: (status: number) => status >= 200 && status < 300,
    transitional: axios.defaults.transitional,
    responseType: 'json',
  };
  return {
    name: 'wechatpay-axios-plugin v3',
    decode: (headers, _bytes, text) => {
      let data: unknown = verifier.call(config, text, headers, 200);
      if (data instanceof Error) return undefined;
      for (const transform of transforms) data = transform.call(config, data, headers);
      return (data as { trade_state?: string }).trade_state;
    },
  };
}

/**
 * The v3 floor: the RSA-SHA256 verification of the answer alone (one-shot, parsed key), no header checks, no
 * parsing. Both clients pay it; it is most of either figure.
 */
export function floorV3Decoder(fixture: V3DecodeFixture): V3DecodeContender {
  return {
    name: 'floor v3 (RSA verify only)',
    decode: (headers, bytes) => {
      const message = Buffer.concat([
        Buffer.from(`${headers['wechatpay-timestamp']}\n${headers['wechatpay-nonce']}\n`),
        bytes,
        Buffer.from('\n'),
      ]);
      const signature = Buffer.from(headers['wechatpay-signature'] ?? '', 'base64');
      return verify('sha256', message, fixture.publicKey, signature) ? 'SUCCESS' : undefined;
    },
  };
}
