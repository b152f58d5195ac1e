import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildXml, parseXml, sign, verifySignature } from '@tradestate/protocol';
import { defaultMerchant, type Sandbox, startSandbox } from '@tradestate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reverse, reverseOnce } from '../src/reverse.ts';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
});
afterAll(() => sandbox.close());

describe('reverseOnce against the sandbox', () => {
  it('reverses a micropay still waiting for the password: the order becomes REVOKED', async () => {
    sandbox.createOrder({ outTradeNo: 'REV1', totalFee: 100, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
    expect(await reverseOnce(sandbox.url, defaultMerchant, 'REV1')).toEqual({ kind: 'reversed' });
    expect(sandbox.getOrder('REV1')?.tradeState).toBe('REVOKED');
    expect(sandbox.counters().byEndpoint['/secapi/pay/reverse']).toBe(1);
  });

  it('signs with HMAC-SHA256 when asked, and reports WeChat refusals as failed, not reversed', async () => {
    sandbox.createOrder({ outTradeNo: 'REV2', totalFee: 100, tradeType: 'NATIVE' });
    const answer = await reverseOnce(sandbox.url, { ...defaultMerchant, signType: 'HMAC-SHA256' }, 'REV2');
    expect(answer).toEqual({ kind: 'failed', errCode: 'TRADE_ERROR', retryable: false });
    expect(sandbox.getOrder('REV2')?.tradeState).toBe('NOTPAY');
  });

  it('is refused by WeChat when signed with another key: nothing is reversed', async () => {
    sandbox.createOrder({ outTradeNo: 'REV3', totalFee: 100, tradeType: 'MICROPAY', initialState: 'USERPAYING' });
    // The sandbox refuses the request's signature with an unsigned return_code FAIL: nothing is reversed.
    const wrongKey = { ...defaultMerchant, key: 'f'.repeat(32) };
    expect(await reverseOnce(sandbox.url, wrongKey, 'REV3')).toEqual({
      kind: 'failed',
      errCode: 'RETURN_FAIL',
      retryable: false,
    });
    expect(sandbox.getOrder('REV3')?.tradeState).toBe('USERPAYING');
  });
});

describe('reverse', () => {
  it('calls again while WeChat answers recall=Y, and refuses a forged answer', async () => {
    const answers = ['Y', 'Y', 'N'];
    const seen: Record<string, string>[] = [];
    let forge = false;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const fields = parseXml(Buffer.concat(chunks));
        seen.push(fields);
        const answer: Record<string, string> = {
          return_code: 'SUCCESS',
          appid: defaultMerchant.appId,
          mch_id: defaultMerchant.mchId,
          nonce_str: 'n',
          result_code: 'SUCCESS',
          recall: answers.shift() ?? 'N',
        };
        answer['sign'] = sign(answer, forge ? 'x'.repeat(32) : defaultMerchant.key);
        response.writeHead(200, { 'content-type': 'text/xml' }).end(buildXml(answer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const result = await reverse(url, defaultMerchant, 'POS9', { attempts: 5, delayMs: 5 });
      expect(result).toEqual({ reversed: true, calls: 3, last: { kind: 'reversed' } });
      expect(seen).toHaveLength(3);
      for (const request of seen) {
        expect(request['out_trade_no']).toBe('POS9');
        expect(verifySignature(request, defaultMerchant.key, 'MD5')).toBe(true);
      }
      forge = true;
      await expect(reverseOnce(url, defaultMerchant, 'POS9')).rejects.toThrow(/bad signature/);
    } finally {
      server.close();
    }
  });

  it('gives up after the allowed calls when WeChat keeps asking to call again', async () => {
    const server = createServer((_request, response) => {
      const answer: Record<string, string> = { return_code: 'SUCCESS', result_code: 'SUCCESS', recall: 'Y' };
      answer['sign'] = sign(answer, defaultMerchant.key);
      response.writeHead(200, { 'content-type': 'text/xml' }).end(buildXml(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await reverse(url, defaultMerchant, 'POS10', { attempts: 2, delayMs: 1 })).toEqual({
        reversed: false,
        calls: 2,
        last: { kind: 'recall' },
      });
    } finally {
      server.close();
    }
  });
});
