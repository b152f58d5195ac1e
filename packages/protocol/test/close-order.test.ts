import { describe, expect, it } from 'vitest';
import { decodeCloseOrder, isRetryableCloseErrCode } from '../src/close-order.ts';
import { parseXml, verifySignature } from '../src/codec.ts';
import { InvalidArgumentError, MismatchError, SignatureError, type SignType, TransportError } from '../src/index.ts';
import { KEY, signedXml } from './fixtures.ts';
import type { Handler } from './http-server.ts';
import { clientOf, serverPool } from './pay-client-harness.ts';

const serve = serverPool();

/** Answers closeorder like WeChat: checks the request's sign, then signs `fields` about the caller's merchant. */
function wechat(fields: Record<string, string>, signType: SignType = 'MD5', answerKey = KEY): Handler {
  return (_req, res, body) => {
    const request = parseXml(body);
    if (!verifySignature(request, KEY, signType)) {
      res.end('<xml><return_code>FAIL</return_code><return_msg>签名错误</return_msg></xml>');
      return;
    }
    const answer = {
      return_code: 'SUCCESS',
      appid: request['appid'],
      mch_id: request['mch_id'],
      nonce_str: 'n1',
      ...fields,
    };
    const xml = signedXml(answer, signType);
    res.end(
      answerKey === KEY
        ? xml
        : xml.replace(/<sign>.*<\/sign>/, '<sign><![CDATA[0123456789ABCDEF0123456789ABCDEF]]></sign>'),
    );
  };
}

const CLOSED = { result_code: 'SUCCESS', result_msg: 'OK' };

describe('closeOrder', () => {
  it('posts a signed closeorder for the out_trade_no and resolves closed from a verified answer', async () => {
    const server = await serve(wechat(CLOSED));
    const outcome = await clientOf(server).closeOrder({ outTradeNo: 'A1' });
    expect(outcome).toMatchObject({ kind: 'closed', fields: { result_code: 'SUCCESS' } });
    const [request] = server.received;
    expect(request).toMatchObject({ method: 'POST', url: '/pay/closeorder' });
    const fields = parseXml(request!.body);
    expect(Object.keys(fields).sort()).toEqual(['appid', 'mch_id', 'nonce_str', 'out_trade_no', 'sign']);
    expect(fields['out_trade_no']).toBe('A1');
    expect(verifySignature(fields, KEY, 'MD5')).toBe(true);
  });

  it('HMAC-SHA256: the request carries sign_type and the answer is verified with HMAC', async () => {
    const server = await serve(wechat(CLOSED, 'HMAC-SHA256'));
    expect(await clientOf(server, { signType: 'HMAC-SHA256' }).closeOrder({ outTradeNo: 'A2' })).toMatchObject({
      kind: 'closed',
    });
    expect(parseXml(server.received[0]!.body)['sign_type']).toBe('HMAC-SHA256');
  });

  it('passes WeChat refusals through as error outcomes with retryable', async () => {
    const refusal = (code: string) =>
      serve(wechat({ result_code: 'FAIL', err_code: code, err_code_des: `${code} des` }));
    for (const [code, retryable] of [
      ['ORDERPAID', false],
      ['ORDERCLOSED', false],
      ['SYSTEMERROR', true],
      ['USERPAYING', true],
      ['ORDERNOTEXIST', false],
    ] as const) {
      const outcome = await clientOf(await refusal(code)).closeOrder({ outTradeNo: 'A3' });
      expect(outcome).toMatchObject({ kind: 'error', code, wechatMessage: `${code} des`, retryable });
    }
    // The server refused our sign: an unsigned return_code FAIL, never "closed".
    const wrongKey = await serve(wechat(CLOSED));
    expect(await clientOf(wrongKey, { key: 'f'.repeat(32) }).closeOrder({ outTradeNo: 'A4' })).toMatchObject({
      kind: 'error',
      code: 'RETURN_FAIL',
      retryable: false,
    });
  });

  it('a SUCCESS answer with a wrong or missing sign is a SignatureError, never closed', async () => {
    const forged = await serve(wechat(CLOSED, 'MD5', 'forged'));
    await expect(clientOf(forged).closeOrder({ outTradeNo: 'A5' })).rejects.toMatchObject({
      name: 'SignatureError',
      code: 'SIGNATURE_INVALID',
    });
    const unsigned = await serve((_q, res) =>
      res.end('<xml><return_code>SUCCESS</return_code><result_code>SUCCESS</result_code></xml>'),
    );
    await expect(clientOf(unsigned).closeOrder({ outTradeNo: 'A5' })).rejects.toBeInstanceOf(SignatureError);
  });

  it('a verified answer about another merchant is a MismatchError', async () => {
    const server = await serve(wechat({ ...CLOSED, mch_id: '10000999' }));
    await expect(clientOf(server).closeOrder({ outTradeNo: 'A6' })).rejects.toBeInstanceOf(MismatchError);
  });

  it('refuses a transactionId or a bad out_trade_no before any request', async () => {
    const server = await serve(wechat(CLOSED));
    const closing = clientOf(server);
    await expect(closing.closeOrder({ transactionId: '42' } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(closing.closeOrder({ outTradeNo: 'has space' })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(server.received).toHaveLength(0);
  });

  it('shares the transport rules: HTTP status, total deadline, abort — and no secret in the error', async () => {
    const failing = await serve((_q, res) => {
      res.statusCode = 503;
      res.end();
    });
    await expect(clientOf(failing).closeOrder({ outTradeNo: 'A7' })).rejects.toMatchObject({
      code: 'HTTP_STATUS',
      status: 503,
      retryable: true,
    });
    const silent = await serve(() => {});
    const err = await clientOf(silent, { timeoutMs: 100 })
      .closeOrder({ outTradeNo: 'SECRETORDER7' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
    const text = `${String(err)} ${JSON.stringify(err)} ${String((err as Error).cause)}`;
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('SECRETORDER7');
    await silent.closed[0];
    const aborted = AbortSignal.abort();
    await expect(clientOf(silent).closeOrder({ outTradeNo: 'A8' }, { signal: aborted })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(silent.received).toHaveLength(1);
  });
});

describe('decodeCloseOrder', () => {
  it('refuses bodies that are not XML or lack return_code, like decodeOrderQuery', () => {
    const options = { key: KEY, signType: 'MD5' as const };
    expect(() => decodeCloseOrder('<html><body>502</body></html>', options)).toThrow(TransportError);
    expect(() => decodeCloseOrder('<xml><result_code>SUCCESS</result_code></xml>', options)).toThrow(/return_code/);
  });

  it('isRetryableCloseErrCode: final refusals are not retryable, unknown codes are', () => {
    expect(isRetryableCloseErrCode('ORDERPAID')).toBe(false);
    expect(isRetryableCloseErrCode('SIGNERROR')).toBe(false);
    expect(isRetryableCloseErrCode('SOMETHING_NEW')).toBe(true);
  });
});
