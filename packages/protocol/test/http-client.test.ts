import axios, { type AxiosHeaders } from 'axios';
import { afterEach, describe, expect, it } from 'vitest';
import { parseXml, signingString, verifySignature } from '../src/codec.ts';
import { DEFAULT_BASE_URL } from '../src/http-client.ts';
import {
  createPayClient,
  InvalidArgumentError,
  MismatchError,
  type PayClientOptions,
  type SignType,
  TransportError,
} from '../src/index.ts';
import { createNodeAdapter } from '../src/node-adapter.ts';
import { KEY, PAID_FIELDS, signedXml } from './fixtures.ts';
import { type Handler, startServer, type TestServer } from './http-server.ts';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Handler): Promise<TestServer> {
  const server = await startServer(handler);
  servers.push(server);
  return server;
}

/** A server that answers 200 and then one byte every `everyMs`, for ever: only a total deadline ends it. */
async function trickling(everyMs: number): Promise<{ server: TestServer; sent: () => number }> {
  let sent = 0;
  const server = await serve((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/xml' });
    const timer = setInterval(() => {
      sent++;
      res.write('<');
    }, everyMs);
    res.on('close', () => clearInterval(timer));
  });
  return { server, sent: () => sent };
}

const MERCHANT = { appId: 'wx2421b1c4370ec43b', mchId: '10000100', key: KEY };

/** Answers like WeChat: verifies the request with the same algorithm and signs an answer about the order asked. */
function wechat(
  signType: SignType = 'MD5',
  change: Record<string, string | undefined> = {},
  answerSignType: SignType = signType,
): Handler {
  return (_req, res, body) => {
    const request = parseXml(body);
    if (!verifySignature(request, KEY, signType)) {
      res.end('<xml><return_code>FAIL</return_code><return_msg>签名错误</return_msg></xml>');
      return;
    }
    const fields = {
      ...PAID_FIELDS,
      appid: request['appid'],
      mch_id: request['mch_id'],
      sub_appid: request['sub_appid'],
      sub_mch_id: request['sub_mch_id'],
      out_trade_no: request['out_trade_no'] ?? PAID_FIELDS['out_trade_no'],
      transaction_id: request['transaction_id'] ?? PAID_FIELDS['transaction_id'],
      ...change,
    };
    res.setHeader('Content-Type', 'text/plain');
    res.end(signedXml(fields, answerSignType));
  };
}

function client(server: TestServer, options: Partial<PayClientOptions> = {}) {
  return createPayClient({ ...MERCHANT, baseURL: server.url, ...options });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const result = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(result instanceof Error)) throw new Error('expected a rejection');
  return result;
}

/** Everything an error exposes to a logger: message, string form, JSON, and the whole cause chain. */
function exposed(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    parts.push(String(current), JSON.stringify(current) ?? '');
    if (current instanceof Error) {
      parts.push(
        current.message,
        current.stack ?? '',
        JSON.stringify(Object.getOwnPropertyNames(current).map((n) => [n, String((current as never)[n])])),
      );
      current = current.cause;
    } else current = undefined;
  }
  return parts.join('\n');
}

describe('createPayClient: requests', () => {
  it('posts a signed MD5 orderquery and decodes the verified answer', async () => {
    const server = await serve(wechat());
    const outcome = await client(server).queryOrder({ outTradeNo: '1415757673' });
    expect(outcome).toMatchObject({ kind: 'order', tradeState: 'SUCCESS', order: { totalFee: 101 } });
    const [request] = server.received;
    expect(request).toMatchObject({ method: 'POST', url: '/pay/orderquery' });
    const fields = parseXml(request!.body);
    expect(Object.keys(fields).sort()).toEqual(['appid', 'mch_id', 'nonce_str', 'out_trade_no', 'sign']);
    expect(fields['nonce_str']).toMatch(/^[0-9a-f]{32}$/);
    expect(verifySignature(fields, KEY, 'MD5')).toBe(true);
    expect(request!.headers['content-type']).toContain('xml');
  });

  it('HMAC-SHA256: the request carries sign_type and the answer is verified with HMAC', async () => {
    const server = await serve(wechat('HMAC-SHA256'));
    const outcome = await client(server, { signType: 'HMAC-SHA256' }).queryOrder({ outTradeNo: 'A1' });
    expect(outcome.kind).toBe('order');
    const fields = parseXml(server.received[0]!.body);
    expect(fields['sign_type']).toBe('HMAC-SHA256');
    expect(verifySignature(fields, KEY, 'HMAC-SHA256')).toBe(true);
  });

  it('an MD5 client refuses an HMAC-signed answer', async () => {
    const server = await serve(wechat('MD5', {}, 'HMAC-SHA256'));
    const err = await rejection(client(server).queryOrder({ outTradeNo: 'A1' }));
    expect(err).toMatchObject({ name: 'SignatureError', code: 'SIGNATURE_INVALID' });
  });

  it('service-provider mode sends sub_appid and sub_mch_id and binds the answer to them', async () => {
    const server = await serve(wechat());
    const sp = client(server, { subAppId: 'wxsub', subMchId: '1900000109' });
    const outcome = await sp.queryOrder({ transactionId: '4200000000000000000000000001' });
    expect(outcome).toMatchObject({ kind: 'order', order: { subMchId: '1900000109', subAppId: 'wxsub' } });
    const fields = parseXml(server.received[0]!.body);
    expect(fields).toMatchObject({
      sub_appid: 'wxsub',
      sub_mch_id: '1900000109',
      transaction_id: '4200000000000000000000000001',
    });
    expect(fields['out_trade_no']).toBeUndefined();
    expect(fields['sign_type']).toBeUndefined();
  });

  it('each request has a fresh nonce and reuses one keep-alive connection', async () => {
    const server = await serve(wechat());
    const c = client(server);
    await c.queryOrder({ outTradeNo: 'A1' });
    await c.queryOrder({ outTradeNo: 'A1' });
    await c.queryOrder({ outTradeNo: 'A2' });
    const nonces = server.received.map((r) => parseXml(r.body)['nonce_str']);
    expect(new Set(nonces).size).toBe(3);
    expect(server.connections).toBe(1);
  });

  it('a signed answer about another order or merchant is a MismatchError', async () => {
    const otherOrder = await serve(wechat('MD5', { out_trade_no: 'SOMEONE_ELSE' }));
    expect(await rejection(client(otherOrder).queryOrder({ outTradeNo: 'A1' }))).toBeInstanceOf(MismatchError);
    const otherMerchant = await serve(wechat('MD5', { mch_id: '10000999' }));
    expect(await rejection(client(otherMerchant).queryOrder({ outTradeNo: 'A1' }))).toMatchObject({ field: 'mch_id' });
    const otherSub = await serve(wechat('MD5', { sub_mch_id: '1900000110' }));
    const sp = client(otherSub, { subMchId: '1900000109' });
    expect(await rejection(sp.queryOrder({ outTradeNo: 'A1' }))).toMatchObject({ field: 'sub_mch_id' });
  });

  it('passes WeChat failures through as outcomes', async () => {
    const server = await serve((_req, res) => {
      res.end(
        signedXml({
          return_code: 'SUCCESS',
          result_code: 'FAIL',
          err_code: 'SYSTEMERROR',
          appid: MERCHANT.appId,
          mch_id: MERCHANT.mchId,
        }),
      );
    });
    expect(await client(server).queryOrder({ outTradeNo: 'A1' })).toMatchObject({
      kind: 'error',
      code: 'SYSTEMERROR',
      retryable: true,
    });
  });
});

describe('createPayClient: invalid arguments', () => {
  it.each([
    ['an out_trade_no over 32 characters', { outTradeNo: 'a'.repeat(33) }],
    ['a space', { outTradeNo: 'a b' }],
    ['a slash', { outTradeNo: 'a/b' }],
    ['XML in the id', { outTradeNo: '<x>' }],
    ['an empty id', { outTradeNo: '' }],
    ['both identifiers', { outTradeNo: 'A', transactionId: 'B' }],
    ['neither identifier', {}],
    ['a non-string id', { outTradeNo: 12 }],
  ])('%s is an InvalidArgumentError before any request', async (_name, query) => {
    const server = await serve(wechat());
    const err = await rejection(client(server).queryOrder(query as never));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', retryable: false });
    expect(server.received).toHaveLength(0);
  });

  it('accepts the whole allowed alphabet at 32 characters', async () => {
    const server = await serve(wechat());
    const id = 'Az09_*|-'.repeat(4);
    await expect(client(server).queryOrder({ outTradeNo: id })).resolves.toMatchObject({ order: { outTradeNo: id } });
  });

  it('refuses bad options without echoing the key', () => {
    expect(() => createPayClient({ ...MERCHANT, key: '' })).toThrow(InvalidArgumentError);
    expect(() => createPayClient({ ...MERCHANT, appId: 'wx<1>' })).toThrow(InvalidArgumentError);
    expect(() => createPayClient({ ...MERCHANT, timeoutMs: 0 })).toThrow(InvalidArgumentError);
    expect(() => createPayClient({ ...MERCHANT, baseURL: 'ftp://x' })).toThrow(InvalidArgumentError);
    let message = '';
    try {
      createPayClient({ ...MERCHANT, signType: 'SHA1' as SignType });
    } catch (err) {
      message = String(err);
    }
    expect(message).toContain('signType');
    expect(message).not.toContain(KEY);
  });

  it('defaults to the WeChat Pay API host', () => {
    expect(new URL(DEFAULT_BASE_URL).origin).toBe('https://api.mch.weixin.qq.com');
  });
});

describe('createPayClient: transport failures', () => {
  it('500 is a retryable HTTP_STATUS TransportError', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 500;
      res.end('<xml><return_code>SUCCESS</return_code></xml>');
    });
    const err = await rejection(client(server).queryOrder({ outTradeNo: 'A1' }));
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: 'HTTP_STATUS', status: 500, retryable: true });
  });

  it('an HTML 502 page is an HTTP_STATUS error; an HTML 200 page is NOT_XML', async () => {
    const bad = await serve((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    });
    expect(await rejection(client(bad).queryOrder({ outTradeNo: 'A1' }))).toMatchObject({
      code: 'HTTP_STATUS',
      status: 502,
    });
    const portal = await serve((_req, res) => res.end('<!DOCTYPE html><html><body>login</body></html>'));
    expect(await rejection(client(portal).queryOrder({ outTradeNo: 'A1' }))).toMatchObject({ code: 'NOT_XML' });
  });

  it('does not follow a redirect', async () => {
    const target = await serve(wechat());
    const redirecting = await serve((_req, res) => {
      res.writeHead(302, { Location: `${target.url}/pay/orderquery` });
      res.end();
    });
    const err = await rejection(
      client(redirecting, { axios: axios.create({ maxRedirects: 5 }) }).queryOrder({ outTradeNo: 'A1' }),
    );
    expect(err).toMatchObject({ code: 'HTTP_STATUS', status: 302 });
    expect(target.received).toHaveLength(0);
  });

  it('never sends to an absolute URL, even one an interceptor sets', async () => {
    const evil = await serve(wechat());
    const server = await serve((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    const instance = axios.create();
    instance.interceptors.request.use((config) => {
      config.url = `${evil.url}/pay/orderquery`;
      return config;
    });
    const err = await rejection(client(server, { axios: instance }).queryOrder({ outTradeNo: 'A1' }));
    expect(err).toMatchObject({ code: 'HTTP_STATUS', status: 404 });
    expect(evil.received).toHaveLength(0);
    expect(server.received[0]!.url).toBe(
      `/http:/127.0.0.1:${new URL(evil.url).port}/pay/orderquery`.replace('/http:/', '/http://'),
    );
  });

  it('runs the interceptors of a caller-supplied axios instance', async () => {
    const server = await serve(wechat());
    const instance = axios.create();
    instance.interceptors.request.use((config) => {
      config.headers.set('X-Trace', 'abc');
      return config;
    });
    await client(server, { axios: instance }).queryOrder({ outTradeNo: 'A1' });
    expect(server.received[0]!.headers['x-trace']).toBe('abc');
  });

  it("a caller's response interceptor sees the answer's headers", async () => {
    const answer = wechat();
    const server = await serve((req, res, body) => {
      res.setHeader('Request-ID', 'r-42');
      answer(req, res, body);
    });
    const instance = axios.create();
    const seen: unknown[] = [];
    instance.interceptors.response.use((response) => {
      const headers = response.headers as AxiosHeaders;
      seen.push(headers.get('request-id'), headers['content-length']);
      return response;
    });
    await client(server, { axios: instance }).queryOrder({ outTradeNo: 'A1' });
    expect(seen[0]).toBe('r-42');
    expect(Number(seen[1])).toBeGreaterThan(100);
  });

  it('a connection reset is a retryable NETWORK error', async () => {
    const server = await serve((req) => req.socket.destroy());
    expect(await rejection(client(server).queryOrder({ outTradeNo: 'A1' }))).toMatchObject({
      code: 'NETWORK',
      retryable: true,
    });
  });

  it('a reset in the middle of the body is a NETWORK error', async () => {
    const server = await serve((req, res) => {
      res.writeHead(200, { 'Content-Length': '500' });
      res.write('<xml><return_code>SUCC');
      setTimeout(() => req.socket.destroy(), 10);
    });
    expect(await rejection(client(server).queryOrder({ outTradeNo: 'A1' }))).toMatchObject({ code: 'NETWORK' });
  });

  it('a server that never answers hits the total deadline, and the connection is closed', async () => {
    const server = await serve(() => {});
    const started = performance.now();
    const err = await rejection(client(server, { timeoutMs: 150 }).queryOrder({ outTradeNo: 'A1' }));
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(performance.now() - started).toBeLessThan(2000);
    await server.closed[0];
  });

  it('a body trickling one byte every 100 ms does not outlive the total deadline', async () => {
    const { server, sent } = await trickling(100);
    const started = performance.now();
    const err = await rejection(client(server, { timeoutMs: 350 }).queryOrder({ outTradeNo: 'A1' }));
    const elapsed = performance.now() - started;
    expect(err).toMatchObject({ code: 'TIMEOUT' });
    // Every byte arrived well within any idle timeout; only a total deadline ends this.
    expect(sent()).toBeGreaterThanOrEqual(2);
    expect(elapsed).toBeGreaterThanOrEqual(340);
    expect(elapsed).toBeLessThan(2000);
    await server.closed[0];
  });

  it("a caller's axios instance gets the same total deadline, whatever its own timeout says", async () => {
    const { server, sent } = await trickling(100);
    const instance = axios.create({ timeout: 60_000 });
    const started = performance.now();
    const err = await rejection(client(server, { timeoutMs: 350, axios: instance }).queryOrder({ outTradeNo: 'A1' }));
    const elapsed = performance.now() - started;
    expect(err).toMatchObject({ name: 'TransportError', code: 'TIMEOUT', retryable: true });
    expect((err as Error).message).toContain('350 ms');
    expect(sent()).toBeGreaterThanOrEqual(2);
    expect(elapsed).toBeGreaterThanOrEqual(340);
    expect(elapsed).toBeLessThan(2000);
    await server.closed[0];
  });

  it('createNodeAdapter reads timeout as a total deadline and rejects with ETIMEDOUT', async () => {
    const { server } = await trickling(50);
    const instance = axios.create({ adapter: createNodeAdapter({ maxBytes: 65_536 }), baseURL: server.url });
    const started = performance.now();
    const err = await rejection(instance.post('/pay/orderquery', '<xml/>', { timeout: 200 }));
    expect(err).toMatchObject({ code: 'ETIMEDOUT', message: 'request deadline exceeded' });
    expect(performance.now() - started).toBeLessThan(2000);
    await server.closed[0];
    // The deadline timer is cleared with the request: an answer within it resolves and nothing fires later.
    const quick = await serve((_req, res) => res.end('<xml></xml>'));
    const ok = await axios
      .create({ adapter: createNodeAdapter({ maxBytes: 65_536 }), baseURL: quick.url })
      .post('/pay/orderquery', '<xml/>', { timeout: 200, responseType: 'text' });
    expect(ok.data).toBe('<xml></xml>');
  });

  it('an abort through signal ends the request mid-flight, and the server sees the connection closed', async () => {
    let arrived: () => void = () => {};
    const requestArrived = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const server = await serve(() => arrived());
    const controller = new AbortController();
    const pending = client(server).queryOrder({ outTradeNo: 'A1' }, { signal: controller.signal });
    await requestArrived;
    controller.abort();
    const err = await rejection(pending);
    expect(err).toMatchObject({ name: 'TransportError', code: 'ABORTED', retryable: false });
    await server.closed[0];
  });

  it('an already-aborted signal sends nothing', async () => {
    const server = await serve(wechat());
    const err = await rejection(client(server).queryOrder({ outTradeNo: 'A1' }, { signal: AbortSignal.abort() }));
    expect(err).toMatchObject({ code: 'ABORTED' });
    expect(server.received).toHaveLength(0);
  });

  it('an oversized body is RESPONSE_TOO_LARGE, declared or streamed', async () => {
    const declared = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(10 * 1024 * 1024) });
      res.write('<xml>');
    });
    expect(await rejection(client(declared).queryOrder({ outTradeNo: 'A1' }))).toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
    });
    const streamed = await serve((_req, res) => {
      res.writeHead(200);
      res.end(`<xml><a>${'x'.repeat(4096)}</a></xml>`);
    });
    const err = await rejection(client(streamed, { maxBytes: 1024 }).queryOrder({ outTradeNo: 'A1' }));
    expect(err).toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
  });

  it('an invalid UTF-8 body is NOT_XML', async () => {
    const server = await serve((_req, res) => res.end(Buffer.from([0x3c, 0x78, 0xff, 0x3e])));
    expect(await rejection(client(server).queryOrder({ outTradeNo: 'A1' }))).toMatchObject({ code: 'NOT_XML' });
  });

  it('a refused connection is a NETWORK error', async () => {
    const server = await serve(wechat());
    const url = server.url;
    await server.close();
    expect(await rejection(client({ url } as TestServer).queryOrder({ outTradeNo: 'A1' }))).toMatchObject({
      code: 'NETWORK',
    });
  });
});

describe('createPayClient: secrets stay out of errors', () => {
  const signed = signingString({ appid: MERCHANT.appId, mch_id: MERCHANT.mchId });
  const failures: Array<[string, Handler, Partial<PayClientOptions>]> = [
    [
      '500',
      (_q, res) => {
        res.statusCode = 500;
        res.end();
      },
      {},
    ],
    ['reset', (req) => req.socket.destroy(), {}],
    ['timeout', () => {}, { timeoutMs: 50 }],
    ['oversized', (_q, res) => res.end('x'.repeat(2048)), { maxBytes: 512 }],
    ['bad signature', wechat('MD5', {}, 'HMAC-SHA256'), {}],
    ['mismatch', wechat('MD5', { out_trade_no: 'OTHER' }), {}],
    ['not XML', (_q, res) => res.end('{"a":1}'), {}],
  ];
  for (const [name, handler, options] of failures) {
    it(`${name}: no key, signing string or request body in message, JSON or cause chain`, async () => {
      const server = await serve(handler);
      const err = await rejection(client(server, options).queryOrder({ outTradeNo: 'SECRETORDER1' }));
      const text = exposed(err);
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(signed.slice(0, 20));
      expect(text).not.toContain('nonce_str');
      expect(text).not.toContain('<sign>');
      expect(text).not.toContain('SECRETORDER1');
    });
  }
});
