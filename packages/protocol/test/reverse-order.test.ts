import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { parseXml, verifySignature } from '../src/codec.ts';
import { createPayClient, MalformedResponseError, SignatureError } from '../src/index.ts';
import { decodeReverseOrder, isRetryableReverseFailure } from '../src/reverse-order.ts';
import { KEY, signedXml } from './fixtures.ts';
import type { Handler } from './http-server.ts';
import { clientOf, MERCHANT, serverPool } from './pay-client-harness.ts';

const serve = serverPool();

/** Answers reverse like WeChat, one answer per call from `answers` (the last repeats). */
function wechat(...answers: Array<Record<string, string>>): Handler {
  return (_req, res, body) => {
    const request = parseXml(body);
    const fields = answers.length > 1 ? answers.shift() : answers[0];
    res.end(signedXml({ return_code: 'SUCCESS', appid: request['appid'], mch_id: request['mch_id'], ...fields }));
  };
}

describe('reverseOrder', () => {
  it('posts a signed reverse to /secapi/pay/reverse and reads recall=N as reversed', async () => {
    const server = await serve(wechat({ result_code: 'SUCCESS', recall: 'N' }));
    expect(await clientOf(server).reverseOrder({ outTradeNo: 'POS1' })).toMatchObject({ kind: 'reversed' });
    const [request] = server.received;
    expect(request).toMatchObject({ method: 'POST', url: '/secapi/pay/reverse' });
    const fields = parseXml(request!.body);
    expect(fields['out_trade_no']).toBe('POS1');
    expect(verifySignature(fields, KEY, 'MD5')).toBe(true);
  });

  it('reverses by transaction_id, and recall=Y asks for another call', async () => {
    const server = await serve(
      wechat({ result_code: 'SUCCESS', recall: 'Y' }, { result_code: 'SUCCESS', recall: 'N' }),
    );
    const reversing = clientOf(server);
    const transactionId = '4200000001202611270000000001';
    expect(await reversing.reverseOrder({ transactionId })).toMatchObject({ kind: 'recall' });
    expect(await reversing.reverseOrder({ transactionId })).toMatchObject({ kind: 'reversed' });
    const sent = parseXml(server.received[0]!.body);
    expect(sent['transaction_id']).toBe(transactionId);
    expect(sent['out_trade_no']).toBeUndefined();
  });

  it('refusals are error outcomes: USERPAYING/SYSTEMERROR or recall=Y retryable, TRADE_ERROR/REVERSE_EXPIRE not', async () => {
    for (const [code, recall, retryable] of [
      ['USERPAYING', 'N', true],
      ['SYSTEMERROR', 'N', true],
      ['TRADE_ERROR', 'N', false],
      ['REVERSE_EXPIRE', 'N', false],
      ['TRADE_ERROR', 'Y', true],
    ] as const) {
      const server = await serve(wechat({ result_code: 'FAIL', err_code: code, recall }));
      expect(await clientOf(server).reverseOrder({ outTradeNo: 'POS2' })).toMatchObject({
        kind: 'error',
        code,
        retryable,
      });
    }
  });

  it('a forged SUCCESS is a SignatureError; a SUCCESS without a Y/N recall is malformed', async () => {
    const forged = await serve((_q, res) =>
      res.end(
        signedXml({ return_code: 'SUCCESS', result_code: 'SUCCESS', recall: 'N' }).replace(
          /<sign>.*<\/sign>/,
          '<sign>0123456789ABCDEF0123456789ABCDEF</sign>',
        ),
      ),
    );
    await expect(clientOf(forged).reverseOrder({ outTradeNo: 'POS3' })).rejects.toBeInstanceOf(SignatureError);
    const noRecall = await serve(wechat({ result_code: 'SUCCESS' }));
    await expect(clientOf(noRecall).reverseOrder({ outTradeNo: 'POS3' })).rejects.toBeInstanceOf(
      MalformedResponseError,
    );
    expect(() =>
      decodeReverseOrder(signedXml({ return_code: 'SUCCESS', result_code: 'SUCCESS', recall: 'maybe' }), {
        key: KEY,
        signType: 'MD5',
      }),
    ).toThrow(/recall/);
  });

  it('isRetryableReverseFailure follows recall first', () => {
    expect(isRetryableReverseFailure('SIGNERROR', 'Y')).toBe(true);
    expect(isRetryableReverseFailure('SIGNERROR', undefined)).toBe(false);
  });
});

describe('reverseOrder with a client certificate (httpsAgent)', () => {
  it('presents the certificate of the httpsAgent option on the TLS connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradestate-cert-'));
    try {
      // One self-signed pair plays both the server's certificate and the merchant's apiclient_cert.
      execFileSync(
        'openssl',
        [
          ...[
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-days',
            '1',
            '-subj',
            '/CN=127.0.0.1',
            '-addext',
            'subjectAltName=IP:127.0.0.1',
          ],
          ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
        ],
        { stdio: 'ignore' },
      );
      const key = readFileSync(join(dir, 'key.pem'));
      const cert = readFileSync(join(dir, 'cert.pem'));
      const peers: string[] = [];
      const server = https.createServer({ key, cert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const peer = (req.socket as TLSSocket).getPeerCertificate();
          peers.push(String(peer.subject?.CN ?? 'none'));
          const request = parseXml(Buffer.concat(chunks));
          const answer = { return_code: 'SUCCESS', result_code: 'SUCCESS', recall: 'N', mch_id: request['mch_id'] };
          res.end(signedXml(answer as Record<string, string>));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const baseURL = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const httpsAgent = new https.Agent({ key, cert, ca: cert });
      try {
        const reversing = createPayClient({ ...MERCHANT, baseURL, httpsAgent });
        expect(await reversing.reverseOrder({ outTradeNo: 'POS4' })).toMatchObject({ kind: 'reversed' });
        expect(peers).toEqual(['127.0.0.1']);
      } finally {
        httpsAgent.destroy();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
