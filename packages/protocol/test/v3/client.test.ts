import http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  MismatchError,
  SignatureError,
  TradestateError,
  TransportError,
} from '../../src/errors.ts';
import { createPayClientV3, type PayClientV3Options } from '../../src/v3/client.ts';
import {
  APP_ID,
  MCH_ID,
  MERCHANT_PRIVATE_PEM,
  MERCHANT_SERIAL,
  PLATFORM_KEY_ID,
  PLATFORM_PUBLIC_PEM,
  transaction,
} from './fixtures.ts';
import { type IndependentServer, startIndependentServer, type V3Reply, type V3Request } from './independent-server.ts';

let server: IndependentServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function clientFor(answer: (request: V3Request) => V3Reply, options: Partial<PayClientV3Options> = {}) {
  server = await startIndependentServer(answer);
  const client = createPayClientV3({
    mchId: MCH_ID,
    appId: APP_ID,
    serialNo: MERCHANT_SERIAL,
    privateKey: MERCHANT_PRIVATE_PEM,
    platformPublicKey: PLATFORM_PUBLIC_PEM,
    platformPublicKeyId: PLATFORM_KEY_ID,
    baseURL: server.url,
    ...options,
  });
  return { client, server };
}

const OUT = '1217752501201407033233368018';

describe('createPayClientV3 against an independent v3 server', () => {
  it('queries by out_trade_no with a signed GET the server verifies, and reads the verified answer as an Order', async () => {
    const { client, server } = await clientFor(() => ({ status: 200, body: JSON.stringify(transaction()) }));
    const outcome = await client.queryOrder({ outTradeNo: OUT });
    const request = server.requests[0] as V3Request;
    expect(request.method).toBe('GET');
    expect(request.url).toBe(`/v3/pay/transactions/out-trade-no/${OUT}?mchid=${MCH_ID}`);
    expect(request.authorized).toBe(true);
    expect(request.headers['wechatpay-serial']).toBe(PLATFORM_KEY_ID);
    expect(request.headers.accept).toBe('application/json');
    expect(request.headers['user-agent']).toMatch(/tradestate/);
    expect(outcome.kind).toBe('order');
    if (outcome.kind !== 'order') return;
    expect(outcome.tradeState).toBe('SUCCESS');
    expect(outcome.order).toMatchObject({
      appId: APP_ID,
      mchId: MCH_ID,
      outTradeNo: OUT,
      transactionId: OUT,
      totalFee: 100,
      cashFee: 90,
      feeType: 'CNY',
      openId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      tradeStateDesc: '支付成功',
      couponFee: 10,
      couponCount: 1,
      coupons: [{ id: '109519', type: 'CASH', fee: 10 }],
      deviceInfo: '013467007045764',
      timeEnd: '20180608103456',
    });
    expect(outcome.order.paidAt?.toISOString()).toBe('2018-06-08T02:34:56.000Z');
    expect(outcome.fields['amount.total']).toBe('100');
  });

  it('queries by transaction_id, escapes path parameters and signs the URL exactly as sent', async () => {
    const { client, server } = await clientFor((request) => ({
      status: 200,
      body: JSON.stringify(transaction({ out_trade_no: request.url.includes('A%7CB') ? 'A|B*1' : OUT })),
    }));
    await client.queryOrder({ transactionId: OUT });
    await client.queryOrder({ outTradeNo: 'A|B*1' }, { expect: { totalFee: 100 } });
    expect(server.requests.map((r) => r.url)).toEqual([
      `/v3/pay/transactions/id/${OUT}?mchid=${MCH_ID}`,
      `/v3/pay/transactions/out-trade-no/A%7CB*1?mchid=${MCH_ID}`,
    ]);
    expect(server.requests.every((r) => r.authorized)).toBe(true);
  });

  it('speaks partner mode: sp_mchid and sub_mchid in the query, the partner answer bound to both', async () => {
    const partner = transaction({
      appid: undefined,
      mchid: undefined,
      sp_appid: APP_ID,
      sp_mchid: MCH_ID,
      sub_appid: 'wx1111111111111111',
      sub_mchid: '1900000110',
      payer: { sp_openid: 'sp-open', sub_openid: 'sub-open' },
    });
    const { client, server } = await clientFor(
      (request) => ({
        status: 200,
        body: JSON.stringify(
          request.url.includes('sub_mchid=1900000110') ? partner : { ...partner, sub_mchid: '1900000999' },
        ),
      }),
      { subMchId: '1900000110', subAppId: 'wx1111111111111111' },
    );
    const outcome = await client.queryOrder({ outTradeNo: OUT });
    expect(server.requests[0]?.url).toBe(
      `/v3/pay/partner/transactions/out-trade-no/${OUT}?sp_mchid=${MCH_ID}&sub_mchid=1900000110`,
    );
    expect(outcome.kind === 'order' && outcome.order).toMatchObject({
      appId: APP_ID,
      mchId: MCH_ID,
      subMchId: '1900000110',
      subAppId: 'wx1111111111111111',
      openId: 'sp-open',
      subOpenId: 'sub-open',
    });
  });

  it('keeps ACCEPT and unknown trade states typed, and reads a NOTPAY answer that carries no payment', async () => {
    const states = ['ACCEPT', 'SOMETHING_NEW', 'NOTPAY'];
    const { client } = await clientFor(() => {
      const state = states.shift() as string;
      const body =
        state === 'NOTPAY'
          ? {
              appid: APP_ID,
              mchid: MCH_ID,
              out_trade_no: OUT,
              trade_state: 'NOTPAY',
              trade_state_desc: '订单未支付',
              amount: { currency: 'CNY', payer_currency: 'CNY' },
            }
          : transaction({ trade_state: state });
      return { status: 200, body: JSON.stringify(body) };
    });
    const accept = await client.queryOrder({ outTradeNo: OUT });
    const unknown = await client.queryOrder({ outTradeNo: OUT });
    const notpay = await client.queryOrder({ outTradeNo: OUT }, { expect: { totalFee: 100 } });
    expect(accept.kind === 'order' && accept.tradeState).toBe('ACCEPT');
    expect(unknown.kind === 'order' && unknown.tradeState).toEqual({ unknown: 'SOMETHING_NEW' });
    expect(notpay.kind === 'order' && notpay.tradeState).toBe('NOTPAY');
    expect(notpay.kind === 'order' && notpay.order.paidAt).toBeUndefined();
  });

  it('maps the unsigned 404 ORDER_NOT_EXIST to not-found, but refuses one whose signature headers do not verify', async () => {
    const replies: V3Reply[] = [
      { status: 404, body: '{"code":"ORDER_NOT_EXIST","message":"订单不存在"}', signed: false },
      {
        status: 404,
        body: '{"code":"ORDER_NOT_EXIST","message":"订单不存在"}',
        headers: { 'wechatpay-signature': 'A'.repeat(344) },
      },
    ];
    const { client } = await clientFor(() => replies.shift() as V3Reply);
    expect(await client.queryOrder({ outTradeNo: OUT })).toMatchObject({ kind: 'not-found', message: '订单不存在' });
    await expect(client.queryOrder({ outTradeNo: OUT })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('maps unsigned error bodies to error outcomes, retryable only for what asking again can fix', async () => {
    const cases: [number, string, boolean][] = [
      [500, 'SYSTEM_ERROR', true],
      [429, 'FREQUENCY_LIMITED', true],
      [401, 'SIGN_ERROR', false],
      [400, 'PARAM_ERROR', false],
      [400, 'MCH_NOT_EXISTS', false],
      [403, 'RULE_LIMIT', false],
      [403, 'NO_AUTH', false],
      [400, 'APPID_MCHID_NOT_MATCH', false],
    ];
    let at = 0;
    const { client } = await clientFor(() => {
      const [status, code] = cases[at++] as [number, string, boolean];
      return { status, body: JSON.stringify({ code, message: 'm', detail: { field: 'x' } }), signed: false };
    });
    for (const [, code, retryable] of cases) {
      expect(await client.queryOrder({ outTradeNo: OUT })).toMatchObject({ kind: 'error', code, retryable });
    }
  });

  it('turns a proxy page instead of an error body into a TransportError HTTP_STATUS', async () => {
    const { client } = await clientFor(() => ({ status: 502, body: '<html>502 Bad Gateway</html>', signed: false }));
    await expect(client.queryOrder({ outTradeNo: OUT })).rejects.toMatchObject({
      code: 'HTTP_STATUS',
      status: 502,
      retryable: true,
    });
  });

  it('closes with a signed POST of { mchid } and believes only a verified 204', async () => {
    const replies: V3Reply[] = [
      { status: 204 },
      { status: 204, signed: false },
      { status: 400, body: '{"code":"ORDER_CLOSED","message":"订单已关闭"}', signed: false },
    ];
    const { client, server } = await clientFor(() => replies.shift() as V3Reply);
    expect(await client.closeOrder({ outTradeNo: OUT })).toEqual({ kind: 'closed', fields: {} });
    await expect(client.closeOrder({ outTradeNo: OUT })).rejects.toMatchObject({ code: 'SIGNATURE_MISSING' });
    expect(await client.closeOrder({ outTradeNo: OUT })).toMatchObject({
      kind: 'error',
      code: 'ORDER_CLOSED',
      retryable: false,
    });
    const request = server.requests[0] as V3Request;
    expect([request.method, request.url, request.body, request.authorized]).toEqual([
      'POST',
      `/v3/pay/transactions/out-trade-no/${OUT}/close`,
      `{"mchid":"${MCH_ID}"}`,
      true,
    ]);
    expect(request.headers['content-type']).toMatch(/^application\/json/);
    await expect(client.closeOrder({ transactionId: OUT } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('reverses with { appid, mchid }, believing a verified answer about this order only', async () => {
    const replies: V3Reply[] = [
      { status: 200, body: JSON.stringify({ appid: APP_ID, mchid: MCH_ID, out_trade_no: OUT }) },
      { status: 200, body: JSON.stringify({ appid: APP_ID, mchid: MCH_ID, out_trade_no: 'ANOTHER' }) },
      { status: 500, body: '{"code":"SYSTEM_ERROR","message":"系统错误"}', signed: false },
      { status: 400, body: '{"code":"REVERSE_EXPIRE","message":"订单已过期"}', signed: false },
    ];
    const { client, server } = await clientFor(() => replies.shift() as V3Reply);
    expect(await client.reverseOrder({ outTradeNo: OUT })).toMatchObject({ kind: 'reversed' });
    await expect(client.reverseOrder({ outTradeNo: OUT })).rejects.toMatchObject({
      code: 'MISMATCH',
      field: 'out_trade_no',
    });
    expect(await client.reverseOrder({ outTradeNo: OUT })).toMatchObject({ kind: 'error', retryable: true });
    expect(await client.reverseOrder({ outTradeNo: OUT })).toMatchObject({ kind: 'error', retryable: false });
    expect(server.requests[0]?.url).toBe(`/v3/pay/transactions/out-trade-no/${OUT}/reverse`);
    expect(server.requests[0]?.body).toBe(`{"appid":"${APP_ID}","mchid":"${MCH_ID}"}`);
  });

  it("keeps a caller's axios interceptors and still applies the hardening", async () => {
    const instance = axios.create({ baseURL: 'http://127.0.0.1:1' });
    instance.interceptors.request.use((config) => {
      config.headers.set('X-Trace', 'trace-1');
      return config;
    });
    const { client, server } = await clientFor(() => ({ status: 200, body: JSON.stringify(transaction()) }), {
      axios: instance,
    });
    const outcome = await client.queryOrder({ outTradeNo: OUT });
    expect(outcome.kind).toBe('order');
    expect(server.requests[0]?.headers['x-trace']).toBe('trace-1');
    expect(server.requests[0]?.authorized).toBe(true);
  });

  it('ends a query that gets no answer at the total deadline, and never leaks the key or the Authorization', async () => {
    server = await startIndependentServer(() => ({ status: 200 }));
    const client = createPayClientV3({
      mchId: MCH_ID,
      appId: APP_ID,
      serialNo: MERCHANT_SERIAL,
      privateKey: MERCHANT_PRIVATE_PEM,
      platformPublicKey: PLATFORM_PUBLIC_PEM,
      platformPublicKeyId: PLATFORM_KEY_ID,
      baseURL: 'http://127.0.0.1:9',
      timeoutMs: 200,
    });
    const err = await client.queryOrder({ outTradeNo: OUT }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    const text = JSON.stringify(err, Object.getOwnPropertyNames(err)) + String((err as Error).cause);
    expect(text).not.toContain('PRIVATE KEY');
    expect(text).not.toContain('WECHATPAY2');
  });

  it('ends a query whose answer never comes at the total deadline with TIMEOUT', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as AddressInfo;
      const client = createPayClientV3({
        mchId: MCH_ID,
        appId: APP_ID,
        serialNo: MERCHANT_SERIAL,
        privateKey: MERCHANT_PRIVATE_PEM,
        platformPublicKey: PLATFORM_PUBLIC_PEM,
        platformPublicKeyId: PLATFORM_KEY_ID,
        baseURL: `http://127.0.0.1:${port}`,
        timeoutMs: 150,
      });
      await expect(client.queryOrder({ outTradeNo: OUT })).rejects.toMatchObject({ code: 'TIMEOUT', retryable: true });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('refuses bad options before any request, naming the option, never the key', () => {
    const base: PayClientV3Options = {
      mchId: MCH_ID,
      appId: APP_ID,
      serialNo: MERCHANT_SERIAL,
      privateKey: MERCHANT_PRIVATE_PEM,
      platformPublicKey: PLATFORM_PUBLIC_PEM,
      platformPublicKeyId: PLATFORM_KEY_ID,
    };
    expect(() => createPayClientV3({ ...base, privateKey: PLATFORM_PUBLIC_PEM })).toThrow(/privateKey/);
    expect(() => createPayClientV3({ ...base, platformPublicKey: MERCHANT_PRIVATE_PEM })).toThrow(/platformPublicKey/);
    expect(() => createPayClientV3({ ...base, apiV3Key: 'short' })).toThrow(/32 bytes/);
    expect(() => createPayClientV3({ ...base, platformPublicKeyId: '' })).toThrow(InvalidArgumentError);
    expect(() => createPayClientV3({ ...base, subAppId: 'wx1' })).toThrow(/subMchId/);
    expect(() => createPayClientV3({ ...base, baseURL: 'ftp://x' })).toThrow(/baseURL/);
  });
});

describe('hostile v3 answers through the client', () => {
  const body = JSON.stringify(transaction());
  const now = () => Math.floor(Date.now() / 1000);
  const cases: { name: string; reply: V3Reply; code: string; type: new (...args: never[]) => TradestateError }[] = [
    {
      name: 'a 200 with no signature headers',
      reply: { status: 200, body, signed: false },
      code: 'SIGNATURE_MISSING',
      type: SignatureError,
    },
    {
      name: 'a missing Wechatpay-Serial',
      reply: { status: 200, body, headers: { 'wechatpay-serial': '' } },
      code: 'SIGNATURE_MISSING',
      type: SignatureError,
    },
    {
      name: 'a duplicated Wechatpay-Signature',
      reply: { status: 200, body, headers: { 'wechatpay-signature': ['QUJD', 'REVG'] } },
      code: 'SIGNATURE_INVALID',
      type: SignatureError,
    },
    {
      name: 'a duplicated Wechatpay-Timestamp',
      reply: { status: 200, body, headers: { 'wechatpay-timestamp': [String(now()), String(now())] } },
      code: 'SIGNATURE_INVALID',
      type: SignatureError,
    },
    {
      name: 'another serial',
      reply: { status: 200, body, headers: { 'wechatpay-serial': 'PUB_KEY_ID_OTHER' } },
      code: 'SIGNATURE_SERIAL',
      type: SignatureError,
    },
    {
      name: 'a timestamp 6 minutes old',
      reply: { status: 200, body, headers: { 'wechatpay-timestamp': String(now() - 360) } },
      code: 'SIGNATURE_EXPIRED',
      type: SignatureError,
    },
    {
      name: 'a timestamp 6 minutes ahead',
      reply: { status: 200, body, headers: { 'wechatpay-timestamp': String(now() + 360) } },
      code: 'SIGNATURE_EXPIRED',
      type: SignatureError,
    },
    {
      name: 'a SIGNTEST probe',
      reply: { status: 200, body, headers: { 'wechatpay-signature': 'WECHATPAY/SIGNTEST/QUJD' } },
      code: 'SIGNATURE_PROBE',
      type: SignatureError,
    },
    {
      name: 'a non-JSON 2xx, signed',
      reply: { status: 200, body: '<xml><return_code>SUCCESS</return_code></xml>' },
      code: 'MALFORMED_JSON',
      type: TradestateError,
    },
    {
      name: 'a JSON bomb of nesting, signed',
      reply: { status: 200, body: `{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}` },
      code: 'MALFORMED_JSON',
      type: TradestateError,
    },
    {
      name: 'a __proto__ key, signed',
      reply: { status: 200, body: '{"__proto__":{"trade_state":"SUCCESS"},"trade_state":"SUCCESS"}' },
      code: 'MALFORMED_JSON',
      type: TradestateError,
    },
    {
      name: 'a huge JSON body',
      reply: { status: 200, body: `{"a":"${'x'.repeat(200_000)}"}` },
      code: 'RESPONSE_TOO_LARGE',
      type: TransportError,
    },
    {
      name: 'an answer for another merchant',
      reply: { status: 200, body: JSON.stringify(transaction({ mchid: '1900000999' })) },
      code: 'MISMATCH',
      type: MismatchError,
    },
    {
      name: 'an answer for another order',
      reply: { status: 200, body: JSON.stringify(transaction({ out_trade_no: 'OTHER' })) },
      code: 'MISMATCH',
      type: MismatchError,
    },
    {
      name: 'an answer for another amount',
      reply: { status: 200, body: JSON.stringify(transaction({ amount: { total: 1, currency: 'CNY' } })) },
      code: 'MISMATCH',
      type: MismatchError,
    },
    {
      name: 'an answer in another currency',
      reply: { status: 200, body: JSON.stringify(transaction({ amount: { total: 100, currency: 'USD' } })) },
      code: 'MISMATCH',
      type: MismatchError,
    },
    {
      name: 'a paid answer without its amount',
      reply: { status: 200, body: JSON.stringify(transaction({ amount: undefined })) },
      code: 'MISMATCH',
      type: MismatchError,
    },
    {
      name: 'an amount that is not an integer',
      reply: { status: 200, body: JSON.stringify(transaction({ amount: { total: 1.5 } })) },
      code: 'MALFORMED_RESPONSE',
      type: TradestateError,
    },
    {
      name: 'a success_time that is not a date',
      reply: { status: 200, body: JSON.stringify(transaction({ success_time: '2018-02-30T10:00:00+08:00' })) },
      code: 'MALFORMED_RESPONSE',
      type: TradestateError,
    },
    {
      name: 'a 200 without trade_state',
      reply: { status: 200, body: JSON.stringify(transaction({ trade_state: undefined })) },
      code: 'MALFORMED_RESPONSE',
      type: TradestateError,
    },
  ];

  for (const { name, reply, code, type } of cases) {
    it(`refuses ${name} with ${code}`, async () => {
      const sign = reply.headers?.['wechatpay-signature'];
      const { client } = await clientFor(() => reply);
      const err = await client.queryOrder({ outTradeNo: OUT }, { expect: { totalFee: 100 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as TradestateError).code).toBe(code);
      expect(sign === undefined || !(err as Error).message.includes(String(sign))).toBe(true);
    });
  }

  it('refuses a signature made over another body with SIGNATURE_INVALID', async () => {
    let first = true;
    let stolen: Record<string, string> = {};
    const { client } = await clientFor(() => {
      if (first) {
        first = false;
        return { status: 200, body: JSON.stringify(transaction({ trade_state: 'NOTPAY', amount: undefined })) };
      }
      return { status: 200, body: JSON.stringify(transaction()), headers: stolen };
    });
    const probe = await startIndependentServer(() => ({
      status: 200,
      body: JSON.stringify(transaction({ trade_state: 'NOTPAY', amount: undefined })),
    }));
    const res = await fetch(`${probe.url}/x`);
    stolen = Object.fromEntries([...res.headers].filter(([k]) => k.startsWith('wechatpay-')));
    await probe.close();
    await client.queryOrder({ outTradeNo: OUT });
    await expect(client.queryOrder({ outTradeNo: OUT })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });
});
