import { randomUUID } from 'node:crypto';
import { SIGNTEST_PREFIX, signSha256Rsa } from '@tradestate/protocol';
import type { GeneratedV3Keys } from './keys.ts';

/** How a v3 answer is to be signed: right, wrong, stale, as a probe, or not at all. */
export type V3Signing = 'signed' | 'unsigned' | 'corrupt' | 'stale' | 'probe';

/** One APIv3 answer before it is written: status, JSON text (empty for 204) and what it said, for the counters. */
export interface V3Answer {
  readonly status: number;
  readonly body: string;
  readonly signing: V3Signing;
  readonly label: string;
}

/** A 32-character nonce, as WeChat sends in `Wechatpay-Nonce`. */
function nonce(): string {
  return randomUUID().replaceAll('-', '').toUpperCase();
}

/** A stale timestamp is this far behind: twice the ±5 minutes a client allows. */
const STALE_SECONDS = 600;

/**
 * The headers of an APIv3 answer or notification: `Wechatpay-Timestamp/Nonce/Serial/Signature` over
 * `ts\nnonce\nbody\n` with the platform key (wrong, stale or a probe when asked), `Request-ID`, JSON type.
 */
export function v3Headers(body: string, signing: V3Signing, keys: GeneratedV3Keys): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'request-id': randomUUID(),
  };
  if (signing === 'unsigned') return headers;
  const timestamp = String(Math.floor(Date.now() / 1000) - (signing === 'stale' ? STALE_SECONDS : 0));
  const n = nonce();
  let signature = signSha256Rsa(`${timestamp}\n${n}\n${body}\n`, keys.platformPrivateKey);
  if (signing === 'corrupt') signature = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1);
  if (signing === 'probe') signature = `${SIGNTEST_PREFIX}${signature.slice(0, 40)}`;
  headers['wechatpay-timestamp'] = timestamp;
  headers['wechatpay-nonce'] = n;
  headers['wechatpay-serial'] = keys.platformPublicKeyId;
  headers['wechatpay-signature'] = signature;
  return headers;
}

/** An APIv3 error answer: `{ code, message }`, unsigned, as WeChat sends them. */
export function v3Error(status: number, code: string, message: string): V3Answer {
  return { status, body: JSON.stringify({ code, message }), signing: 'unsigned', label: code };
}
