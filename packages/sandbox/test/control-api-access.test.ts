import { request } from 'node:http';
import { connect } from 'node:net';
import { InvalidArgumentError } from '@tradestate/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs, runCli } from '../src/cli.ts';
import { type Sandbox, startSandbox } from '../src/index.ts';
import { control, post, signedRequest } from './helpers.ts';

interface Raw {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** A request with exactly these headers (fetch would not let a test set Host, nor leave out Content-Type). */
function raw(sandbox: Sandbox, method: string, path: string, headers: Record<string, string>, body?: string) {
  const url = new URL(`/sandbox/${path}`, sandbox.url);
  return new Promise<Raw>((resolve, reject) => {
    const req = request(
      url,
      { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': Buffer.byteLength(body) }) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const ORDER = JSON.stringify({ outTradeNo: 'X1', totalFee: 1, tradeType: 'NATIVE', notifyUrl: 'http://evil.example/' });

let sandbox: Sandbox;
let own: string;
beforeAll(async () => {
  sandbox = await startSandbox({ timeScale: 0.001 });
  own = new URL(sandbox.url).host;
});
afterAll(() => sandbox.close());

describe('the control API refuses what a web page on another site can send', () => {
  // What a page can send cross-site without a preflight: fetch with a string body (text/plain), a form
  // (urlencoded, multipart, text/plain), or no body type at all.
  it.each([
    ['text/plain;charset=UTF-8'],
    ['application/x-www-form-urlencoded'],
    ['multipart/form-data; boundary=x'],
    ['text/plain'],
  ])('refuses a POST sent as %s with 415, and creates nothing', async (type) => {
    const answer = await raw(sandbox, 'POST', 'orders', { host: own, 'content-type': type }, ORDER);
    expect(answer.status).toBe(415);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect(sandbox.listOrders()).toEqual([]);
  });

  it('refuses a POST without a content type, and every other state-changing method sent that way', async () => {
    expect((await raw(sandbox, 'POST', 'orders', { host: own }, ORDER)).status).toBe(415);
    sandbox.createOrder({ outTradeNo: 'KEEP', totalFee: 1, tradeType: 'NATIVE' });
    await post(sandbox, '/pay/orderquery', signedRequest({ out_trade_no: 'KEEP' }));
    const state = JSON.stringify({ tradeState: 'SUCCESS' });
    expect(
      (await raw(sandbox, 'POST', 'orders/KEEP/state', { host: own, 'content-type': 'text/plain' }, state)).status,
    ).toBe(415);
    const faults = JSON.stringify({ systemError: 1 });
    expect((await raw(sandbox, 'PUT', 'faults', { host: own, 'content-type': 'text/plain' }, faults)).status).toBe(415);
    expect((await raw(sandbox, 'DELETE', 'counters', { host: own })).status).toBe(415);
    // Nothing changed: the order is still unpaid, no fault is injected, the counters still count.
    expect(sandbox.getOrder('KEEP')?.tradeState).toBe('NOTPAY');
    expect((await post(sandbox, '/pay/orderquery', signedRequest({ out_trade_no: 'KEEP' }))).text).toContain('NOTPAY');
    expect(sandbox.counters().requests).toBe(2);
    expect(sandbox.listOrders().map((o) => o.outTradeNo)).toEqual(['KEEP']);
  });

  it('serves the same requests sent as application/json (with a charset too)', async () => {
    const created = await raw(
      sandbox,
      'POST',
      'orders',
      { host: own, 'content-type': 'Application/JSON; charset=utf-8' },
      JSON.stringify({ outTradeNo: 'J1', totalFee: 1, tradeType: 'NATIVE' }),
    );
    expect(created.status).toBe(201);
    expect((await control(sandbox, 'DELETE', 'counters')).status).toBe(200);
    expect(sandbox.counters().requests).toBe(0);
  });

  it('refuses a Host that is not its own address with 421 (DNS rebinding), reads and writes alike', async () => {
    const port = new URL(sandbox.url).port;
    const before = sandbox.listOrders().length;
    for (const host of [
      `evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `127.0.0.1:${Number(port) + 1}`,
      '127.0.0.1',
    ]) {
      const json = { host, 'content-type': 'application/json' };
      const created = await raw(
        sandbox,
        'POST',
        'orders',
        json,
        JSON.stringify({ outTradeNo: 'R1', totalFee: 1, tradeType: 'NATIVE' }),
      );
      expect(created.status).toBe(421);
      expect(JSON.parse(created.text)).toMatchObject({ error: { code: 'HOST_REFUSED' } });
      // The name it was reached by is not repeated back.
      expect(created.text).not.toMatch(/evil|nip\.io/);
      expect((await raw(sandbox, 'GET', 'orders', { host })).status).toBe(421);
    }
    expect(sandbox.listOrders()).toHaveLength(before);
  });

  it('refuses a request with no Host at all (HTTP/1.0)', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(sandbox.url).port), '127.0.0.1', () => {
        socket.end('GET /sandbox/orders HTTP/1.0\r\n\r\n');
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 421 /);
  });

  it('answers its own address and localhost', async () => {
    const port = new URL(sandbox.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await raw(sandbox, 'GET', 'orders', { host })).status).toBe(200);
    }
  });

  it('refuses an Origin of another site with 403, even a page on another port of this machine', async () => {
    const before = sandbox.listOrders().length;
    for (const origin of ['http://evil.example', 'http://localhost:3000', 'null', `https://${own}`]) {
      const headers = { host: own, origin, 'content-type': 'application/json' };
      const created = await raw(
        sandbox,
        'POST',
        'orders',
        headers,
        JSON.stringify({ outTradeNo: 'O1', totalFee: 1, tradeType: 'NATIVE' }),
      );
      expect(created.status).toBe(403);
      expect(JSON.parse(created.text)).toMatchObject({ error: { code: 'ORIGIN_REFUSED' } });
      // A preflight for the JSON POST is refused too, so the browser never sends it.
      const preflight = await raw(sandbox, 'OPTIONS', 'orders', {
        host: own,
        origin,
        'access-control-request-method': 'POST',
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(sandbox.listOrders()).toHaveLength(before);
    const ownOrigin = { host: own, origin: `http://${own}`, 'content-type': 'application/json' };
    expect(
      (
        await raw(
          sandbox,
          'POST',
          'orders',
          ownOrigin,
          JSON.stringify({ outTradeNo: 'O2', totalFee: 1, tradeType: 'NATIVE' }),
        )
      ).status,
    ).toBe(201);
  });
});

describe('a control token', () => {
  const TOKEN = 'c0ntrol-T0ken.for_tests~1';

  it('is then required on every control request, and never repeated', async () => {
    const guarded = await startSandbox({ controlToken: TOKEN });
    try {
      const order = JSON.stringify({ outTradeNo: 'T1', totalFee: 1, tradeType: 'NATIVE' });
      const host = new URL(guarded.url).host;
      const json = { host, 'content-type': 'application/json' };
      const missing = await raw(guarded, 'POST', 'orders', json, order);
      expect(missing.status).toBe(401);
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer /);
      expect(JSON.parse(missing.text)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN]) {
        const wrong = await raw(guarded, 'POST', 'orders', { ...json, authorization }, order);
        expect(wrong.status).toBe(401);
        expect(wrong.text).not.toContain(TOKEN.slice(0, 8));
      }
      expect((await raw(guarded, 'GET', 'orders', { host })).status).toBe(401);
      expect(guarded.listOrders()).toEqual([]);

      const authorized = { ...json, authorization: `Bearer ${TOKEN}` };
      expect((await raw(guarded, 'POST', 'orders', authorized, order)).status).toBe(201);
      expect((await raw(guarded, 'GET', 'orders/T1', { host, authorization: `bearer ${TOKEN}` })).status).toBe(200);
      // The token adds to the other checks, it does not replace them.
      expect(
        (await raw(guarded, 'POST', 'orders', { ...authorized, 'content-type': 'text/plain' }, order)).status,
      ).toBe(415);
      expect(
        (await raw(guarded, 'GET', 'orders', { host: 'evil.example', authorization: `Bearer ${TOKEN}` })).status,
      ).toBe(421);
    } finally {
      await guarded.close();
    }
  });

  it('is refused at start when it could not be sent as a bearer token, without quoting it', async () => {
    for (const controlToken of ['', 'has space', 'new\nline', 42 as unknown as string]) {
      const error = await startSandbox({ controlToken }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(InvalidArgumentError);
      if (typeof controlToken === 'string' && controlToken !== '') expect(String(error)).not.toContain(controlToken);
    }
  });
});

describe('the control token on the command line', () => {
  it('comes from --control-token, else TRADESTATE_SANDBOX_CONTROL_TOKEN, and is never printed', async () => {
    expect(
      parseCliArgs(['--control-token', 'from-flag'], { TRADESTATE_SANDBOX_CONTROL_TOKEN: 'from-env' }),
    ).toMatchObject({
      controlToken: 'from-flag',
    });
    expect(parseCliArgs([], { TRADESTATE_SANDBOX_CONTROL_TOKEN: 'from-env' })).toMatchObject({
      controlToken: 'from-env',
    });
    expect(parseCliArgs([])).not.toHaveProperty('controlToken');
    const lines: string[] = [];
    const secret = 'Sandbox-Control-Token-0123456789';
    const started = await runCli(['--port', '0'], (line) => lines.push(line), {
      TRADESTATE_SANDBOX_CONTROL_TOKEN: secret,
    });
    try {
      if (started === undefined) throw new Error('no sandbox');
      const host = new URL(started.url).host;
      expect((await raw(started, 'GET', 'orders', { host })).status).toBe(401);
      expect((await raw(started, 'GET', 'orders', { host, authorization: `Bearer ${secret}` })).status).toBe(200);
      expect(lines.join('\n')).toMatch(/authorization: Bearer <your token>/);
      expect(lines.join('\n')).not.toContain(secret);
    } finally {
      await started?.close();
    }
  });

  it('never quotes a stray argument, which may be the token or a key typed in the wrong place', () => {
    const secret = 'Stray-Secret-0123456789abcdef';
    expect(() => parseCliArgs(['--quiet', secret])).toThrow(InvalidArgumentError);
    expect(() => parseCliArgs(['--quiet', secret])).not.toThrow(secret);
  });
});
