import { createHash, randomBytes, sign, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { merchantPublicKey, PLATFORM_KEY_ID, platformPrivateKey } from './fixtures.ts';

/**
 * A second, independent WeChat Pay APIv3 server for interop tests, written with node:http and node:crypto only
 * (none of the library's code): it checks each request's WECHATPAY2-SHA256-RSA2048 Authorization against the
 * merchant's public key and signs each answer with the platform key, as WeChat documents.
 */
export interface V3Request {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** Whether the Authorization header verified (scheme, fields, signature over METHOD\nURL\nTS\nNONCE\nBODY\n). */
  readonly authorized: boolean;
}

export interface V3Reply {
  readonly status: number;
  readonly body?: string;
  /** Sign the answer (default true). */
  readonly signed?: boolean;
  /** Replace or add headers after signing. */
  readonly headers?: Record<string, string | string[]>;
}

export interface IndependentServer {
  readonly url: string;
  readonly requests: V3Request[];
  close(): Promise<void>;
}

function authorized(method: string, url: string, body: string, header: string | undefined): boolean {
  const match = /^WECHATPAY2-SHA256-RSA2048 (.*)$/.exec(header ?? '');
  if (match === null) return false;
  const fields = new Map<string, string>();
  for (const part of (match[1] as string).split(',')) {
    const kv = /^(\w+)="([^"]*)"$/.exec(part);
    if (kv === null) return false;
    fields.set(kv[1] as string, kv[2] as string);
  }
  const message = `${method}\n${url}\n${fields.get('timestamp')}\n${fields.get('nonce_str')}\n${body}\n`;
  const signature = Buffer.from(fields.get('signature') ?? '', 'base64');
  return verify('sha256', Buffer.from(message), merchantPublicKey, signature);
}

export async function startIndependentServer(answer: (request: V3Request) => V3Reply): Promise<IndependentServer> {
  const requests: V3Request[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const method = req.method ?? '';
      const url = req.url ?? '';
      const request = {
        method,
        url,
        headers: req.headers,
        body,
        authorized: authorized(method, url, body, req.headers.authorization),
      };
      requests.push(request);
      const reply = answer(request);
      const text = reply.body ?? '';
      const headers: Record<string, string | string[]> = { 'content-type': 'application/json; charset=utf-8' };
      if (reply.signed !== false) {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const nonce = createHash('md5').update(randomBytes(8)).digest('hex');
        headers['wechatpay-timestamp'] = timestamp;
        headers['wechatpay-nonce'] = nonce;
        headers['wechatpay-serial'] = PLATFORM_KEY_ID;
        headers['wechatpay-signature'] = sign(
          'sha256',
          Buffer.from(`${timestamp}\n${nonce}\n${text}\n`),
          platformPrivateKey,
        ).toString('base64');
      }
      Object.assign(headers, reply.headers ?? {});
      res.writeHead(reply.status, headers);
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
