import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPayClient, SignatureError } from '@tradestate/protocol';
import { buildXml, parseXml, sign, verifySignature } from '@tradestate/protocol/codec';
import { defaultMerchant, type Sandbox, startSandbox } from '@tradestate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reverse } from '../src/reverse.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
});
afterAll(() => sandbox.close());

const sandboxClient = (options: { key?: string; signType?: 'HMAC-SHA256' } = {}) =>
  createPayClient({ ...defaultMerchant, ...options, baseURL: sandbox.url });

describe('reverse against the sandbox', () => {
  it('reverses a micropay still waiting for the password in one call: the order becomes REVOKED', async () => {
    sandbox.createOrder({ outTradeNo: 'REV1', totalFee: 100, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
    const result = await reverse(sandboxClient(), 'REV1', { delayMs: 1 });
    expect(result).toMatchObject({ reversed: true, calls: 1, last: { kind: 'reversed' } });
    expect(sandbox.getOrder('REV1')?.tradeState).toBe('REVOKED');
    expect(sandbox.counters().byEndpoint['/secapi/pay/reverse']).toBe(1);
  });

  it('signs with HMAC-SHA256 when asked, and stops at a refusal that cannot change', async () => {
    sandbox.createOrder({ outTradeNo: 'REV2', totalFee: 100, tradeType: 'NATIVE' });
    const result = await reverse(sandboxClient({ signType: 'HMAC-SHA256' }), 'REV2', { delayMs: 1 });
    expect(result).toMatchObject({ reversed: false, calls: 1, last: { kind: 'error', code: 'TRADE_ERROR' } });
    expect(sandbox.getOrder('REV2')?.tradeState).toBe('NOTPAY');
  });

  it('is refused by WeChat when signed with another key: nothing is reversed', async () => {
    sandbox.createOrder({ outTradeNo: 'REV3', totalFee: 100, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
    // The sandbox refuses the request's signature with an unsigned return_code FAIL: nothing is reversed.
    const result = await reverse(sandboxClient({ key: 'f'.repeat(32) }), 'REV3', { delayMs: 1 });
    expect(result).toMatchObject({
      reversed: false,
      calls: 1,
      last: { kind: 'error', code: 'RETURN_FAIL', retryable: false },
    });
    expect(sandbox.getOrder('REV3')?.tradeState).toBe('USERPAYING');
  });
});

/** A WeChat stand-in on 127.0.0.1 answering reverse with `recall` values in turn, signed with `answerKey`. */
async function reverseServer(recalls: string[], answerKey: () => string = () => defaultMerchant.key) {
  const seen: Record<string, string>[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push(parseXml(Buffer.concat(chunks)));
      const answer: Record<string, string> = {
        return_code: 'SUCCESS',
        appid: defaultMerchant.appId,
        mch_id: defaultMerchant.mchId,
        nonce_str: 'n',
        result_code: 'SUCCESS',
        recall: (recalls.length > 1 ? recalls.shift() : recalls[0]) ?? 'N',
      };
      answer['sign'] = sign(answer, answerKey());
      response.writeHead(200, { 'content-type': 'text/xml' }).end(buildXml(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = createPayClient({
    ...defaultMerchant,
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  });
  return { client, seen, close: () => server.close() };
}

describe('reverse', () => {
  it('calls again while WeChat answers recall=Y, each call signed', async () => {
    const wechat = await reverseServer(['Y', 'Y', 'N']);
    try {
      const result = await reverse(wechat.client, 'POS9', { attempts: 5, delayMs: 5 });
      expect(result).toMatchObject({ reversed: true, calls: 3, last: { kind: 'reversed' } });
      expect(wechat.seen).toHaveLength(3);
      for (const request of wechat.seen) {
        expect(request['out_trade_no']).toBe('POS9');
        expect(verifySignature(request, defaultMerchant.key, 'MD5')).toBe(true);
      }
    } finally {
      wechat.close();
    }
  });

  it('never believes a forged answer: retried, then not reversed, with the SignatureError as last', async () => {
    const wechat = await reverseServer(['N'], () => 'x'.repeat(32));
    try {
      const result = await reverse(wechat.client, 'POS11', { attempts: 2, delayMs: 1 });
      expect(result.reversed).toBe(false);
      expect(result.calls).toBe(2);
      expect(result.last).toBeInstanceOf(SignatureError);
    } finally {
      wechat.close();
    }
  });

  it('gives up after the allowed calls when WeChat keeps asking to call again', async () => {
    const wechat = await reverseServer(['Y']);
    try {
      const result = await reverse(wechat.client, 'POS10', { attempts: 2, delayMs: 1 });
      expect(result).toMatchObject({ reversed: false, calls: 2, last: { kind: 'recall' } });
    } finally {
      wechat.close();
    }
  });

  it('an aborted signal ends the reversal with the abort, nothing sent', async () => {
    const wechat = await reverseServer(['N']);
    try {
      await expect(reverse(wechat.client, 'POS12', { signal: AbortSignal.abort() })).rejects.toMatchObject({
        code: 'ABORTED',
      });
      expect(wechat.seen).toHaveLength(0);
    } finally {
      wechat.close();
    }
  });
});
