import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Wechatpay } from 'wechatpay-axios-plugin';
import { CLOSE_MIN_AGE_MS, type Sandbox, startSandbox } from '../../src/index.ts';

// wechatpay-axios-plugin's v3 client (written by nobody here) is the judge: its own signer makes the requests and
// its own verifier checks every answer's Wechatpay-Signature against the sandbox's platform key.

let sandbox: Sandbox;

interface Answer {
  readonly status: number;
  readonly data: Record<string, unknown> | string;
}
type Call = (config: Record<string, unknown>) => Promise<Answer>;
type PostCall = (data: Record<string, unknown>, config: Record<string, unknown>) => Promise<Answer>;

function plugin(certs?: Record<string, string>): Wechatpay {
  const v3 = sandbox.v3;
  if (v3 === undefined) throw new Error('no v3');
  return new Wechatpay({
    mchid: v3.mchId,
    serial: v3.serialNo,
    privateKey: v3.privateKey,
    certs: certs ?? { [v3.platformPublicKeyId]: v3.platformPublicKey },
    baseURL: sandbox.url,
  });
}

/** `wxpay.v3.pay.transactions.outTradeNo._out_trade_no_`, reached through the plugin's chain. */
function byOutTradeNo(client: Wechatpay): { get: Call } & Record<string, { post: PostCall }> {
  const chain = client as unknown as Record<
    string,
    Record<string, Record<string, Record<string, Record<string, unknown>>>>
  >;
  return chain['v3']?.['pay']?.['transactions']?.['outTradeNo']?.['_out_trade_no_'] as never;
}

async function failure(
  promise: Promise<unknown>,
): Promise<{ code?: string; response?: { status: number; data: unknown } }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string };
  }
  throw new Error('expected the plugin to reject');
}

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

describe("wechatpay-axios-plugin's v3 client against the sandbox", () => {
  it('queries an order and verifies the signed answer', async () => {
    sandbox.createOrder({ outTradeNo: 'IOP1', totalFee: 888, tradeType: 'JSAPI', initialState: 'SUCCESS' });
    const { status, data } = await byOutTradeNo(plugin()).get({
      params: { mchid: sandbox.v3?.mchId },
      out_trade_no: 'IOP1',
    });
    expect(status).toBe(200);
    expect(data).toMatchObject({
      mchid: sandbox.v3?.mchId,
      out_trade_no: 'IOP1',
      trade_state: 'SUCCESS',
      amount: { total: 888, currency: 'CNY' },
    });
  });

  it('closes an order, verifying the signature of the empty 204', async () => {
    sandbox.createOrder({ outTradeNo: 'IOP2', totalFee: 1, tradeType: 'NATIVE', ageMs: CLOSE_MIN_AGE_MS });
    const close = byOutTradeNo(plugin())['close'] as { post: PostCall };
    const { status } = await close.post({ mchid: sandbox.v3?.mchId }, { out_trade_no: 'IOP2' });
    expect(status).toBe(204);
    expect(sandbox.getOrder('IOP2')?.tradeState).toBe('CLOSED');
  });

  it('refuses a sandbox answer whose signature is bad, as it should', async () => {
    sandbox.createOrder({ outTradeNo: 'IOP3', totalFee: 1, tradeType: 'NATIVE' });
    sandbox.setFaults({ badSignature: 1 });
    try {
      const err = await failure(
        byOutTradeNo(plugin()).get({ params: { mchid: sandbox.v3?.mchId }, out_trade_no: 'IOP3' }),
      );
      expect(err.code).toBe('EV3_RES_HEADER_SIGNATURE_DIGEST');
    } finally {
      sandbox.setFaults({});
    }
  });

  it('refuses the sandbox answer when configured with another platform key id', async () => {
    sandbox.createOrder({ outTradeNo: 'IOP4', totalFee: 1, tradeType: 'NATIVE' });
    const other = plugin({ PUB_KEY_ID_SOMEONE_ELSE: sandbox.v3?.platformPublicKey ?? '' });
    const err = await failure(byOutTradeNo(other).get({ params: { mchid: sandbox.v3?.mchId }, out_trade_no: 'IOP4' }));
    expect(err.code).toBe('EV3_RES_HEADER_PLATFORM_SERIAL');
  });

  it('gets the unsigned 404 ORDER_NOT_EXIST body for an unknown order', async () => {
    const err = await failure(
      byOutTradeNo(plugin()).get({ params: { mchid: sandbox.v3?.mchId }, out_trade_no: 'NOPE' }),
    );
    expect(err.response?.status).toBe(404);
    expect(err.response?.data).toMatchObject({ code: 'ORDER_NOT_EXIST' });
  });
});
