import { generateKeyPairSync } from 'node:crypto';
import { TRADE_STATES } from '@tradestate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hash, Transformer, Wechatpay } from 'wechatpay-axios-plugin';
import { CLOSE_MIN_AGE_MS, defaultMerchant, type Sandbox, startSandbox } from '../src/index.ts';
import { PATHS, post, signedRequest } from './helpers.ts';

// wechatpay-axios-plugin (written by nobody here) is the independent judge: its own signer makes the requests,
// its own transformer parses and its own verifier checks every answer.

let sandbox: Sandbox;
let rsa: { privateKey: string; publicKey: string };

type V2Post = (data: Record<string, string>) => Promise<{ data: Record<string, string | undefined> }>;
interface ChainNode {
  readonly [segment: string]: ChainNode & { post: V2Post };
}

/** `wxpay.v2.pay.orderquery.post`, reached through the plugin's chain with types our strict settings accept. */
function v2(client: Wechatpay, path: string): V2Post {
  const node = path.split('/').reduce((at, segment) => at[segment] as ChainNode, client as unknown as ChainNode);
  return (node as unknown as { post: V2Post }).post;
}

function plugin(secret: string = defaultMerchant.key): Wechatpay {
  // The v3 half of the client needs an RSA key and a platform key to construct; v2 never uses them.
  return new Wechatpay({
    mchid: defaultMerchant.mchId,
    secret,
    serial: '0123456789ABCDEF',
    privateKey: rsa.privateKey,
    certs: { PUB_KEY_ID_0000000000000000000000000000: rsa.publicKey },
    baseURL: sandbox.url,
  });
}

beforeAll(async () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  rsa = {
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

interface PluginError {
  code: string;
  response?: { data?: Record<string, string> };
}

async function pluginFailure(promise: Promise<unknown>): Promise<PluginError> {
  try {
    await promise;
  } catch (err) {
    return err as PluginError;
  }
  throw new Error('expected the plugin to reject');
}

describe('wechatpay-axios-plugin queries the sandbox and verifies every answer', () => {
  for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
    for (const state of TRADE_STATES) {
      it(`${state} with ${signType}`, async () => {
        const outTradeNo = `WP_${state}_${signType === 'MD5' ? 'M' : 'H'}`;
        const { tradeType, path } = PATHS[state];
        sandbox.createOrder({
          outTradeNo,
          totalFee: 1001,
          tradeType,
          attach: '中文 & <xml>',
          coupons: [
            { id: 'A1', type: 'CASH', fee: 1 },
            { id: 'B2', type: 'NO_CASH', fee: 100 },
          ],
        });
        for (const step of path) sandbox.setTradeState(outTradeNo, step);
        const { data } = await v2(
          plugin(),
          'v2/pay/orderquery',
        )({
          appid: defaultMerchant.appId,
          mch_id: defaultMerchant.mchId,
          out_trade_no: outTradeNo,
          ...(signType === 'HMAC-SHA256' ? { sign_type: Hash.ALGO_HMAC_SHA256 } : {}),
        });
        expect(data['trade_state']).toBe(state);
        expect(data['out_trade_no']).toBe(outTradeNo);
        expect(data['sign']).toHaveLength(signType === 'MD5' ? 32 : 64);
        if (state === 'SUCCESS' || state === 'REFUND') {
          expect([data['coupon_count'], data['coupon_fee_1'], data['settlement_total_fee']]).toEqual([
            '2',
            '100',
            '901',
          ]);
          expect(data['attach']).toBe('中文 & <xml>');
        }
      });
    }
  }

  it('the plugin’s own Transformer and Hash agree with the sandbox’s sign byte for byte', async () => {
    sandbox.createOrder({ outTradeNo: 'WP_RAW', totalFee: 7, tradeType: 'JSAPI', initialState: 'SUCCESS' });
    const raw = await post(sandbox, '/pay/orderquery', signedRequest({ out_trade_no: 'WP_RAW' }));
    const parsed = Transformer.toObject(raw.text) as Record<string, string>;
    expect(Hash.sign(Hash.ALGO_MD5, parsed, Hash.keyObjectFrom(defaultMerchant.key))).toBe(parsed['sign']);
  });

  it('closeorder and reverse through the plugin are verified too', async () => {
    sandbox.createOrder({ outTradeNo: 'WP_CLOSE', totalFee: 1, tradeType: 'NATIVE', ageMs: CLOSE_MIN_AGE_MS });
    const closed = await v2(
      plugin(),
      'v2/pay/closeorder',
    )({
      appid: defaultMerchant.appId,
      mch_id: defaultMerchant.mchId,
      out_trade_no: 'WP_CLOSE',
    });
    expect(closed.data['result_code']).toBe('SUCCESS');
    expect(sandbox.getOrder('WP_CLOSE')?.tradeState).toBe('CLOSED');
    sandbox.createOrder({ outTradeNo: 'WP_REV', totalFee: 1, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
    const reversed = await v2(
      plugin(),
      'v2/secapi/pay/reverse',
    )({
      appid: defaultMerchant.appId,
      mch_id: defaultMerchant.mchId,
      out_trade_no: 'WP_REV',
      sign_type: Hash.ALGO_HMAC_SHA256,
    });
    expect(reversed.data['recall']).toBe('N');
    expect(sandbox.getOrder('WP_REV')?.tradeState).toBe('REVOKED');
  });

  it('ORDERNOTEXIST reaches the plugin as a business failure (not a signature failure)', async () => {
    const err = await pluginFailure(
      v2(
        plugin(),
        'v2/pay/orderquery',
      )({ appid: defaultMerchant.appId, mch_id: defaultMerchant.mchId, out_trade_no: 'WP_NONE' }),
    );
    expect(err.code).toBe('EV2_RES_STATUS_CODE_NOT_SUCESS');
    expect(err.response?.data?.['err_code']).toBe('ORDERNOTEXIST');
  });
});

describe('what the plugin refuses', () => {
  it('a request it signs with the wrong key gets the sandbox’s SIGNERROR answer', async () => {
    const before = sandbox.counters().byAnswer['SIGNERROR'] ?? 0;
    const err = await pluginFailure(
      v2(
        plugin('0'.repeat(32)),
        'v2/pay/orderquery',
      )({
        appid: defaultMerchant.appId,
        mch_id: defaultMerchant.mchId,
        out_trade_no: 'WP_SUCCESS_M',
      }),
    );
    expect(err.code).toBe('EV2_RES_STATUS_CODE_NOT_SUCESS');
    expect(err.response?.data).toMatchObject({ return_code: 'FAIL', return_msg: '签名错误' });
    expect(sandbox.counters().byAnswer['SIGNERROR']).toBe(before + 1);
  });

  it('its verifier rejects the sandbox’s badSignature fault (so it really checks)', async () => {
    sandbox.setFaults({ badSignature: 1 });
    try {
      const err = await pluginFailure(
        v2(
          plugin(),
          'v2/pay/orderquery',
        )({
          appid: defaultMerchant.appId,
          mch_id: defaultMerchant.mchId,
          out_trade_no: 'WP_SUCCESS_M',
        }),
      );
      expect(err.code).toBe('EV2_RES_SIGNATURE_NOT_EQUAL');
    } finally {
      sandbox.setFaults({});
    }
  });
});
