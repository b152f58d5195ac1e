import type { SignType, TradeState } from '@tradestate/protocol';
import { buildXml, parseXml, sign } from '@tradestate/protocol/codec';
import { defaultMerchant, type Sandbox } from '../src/index.ts';

/** A signed v2 request body, as a merchant would post it. */
export function signedRequest(
  fields: Record<string, string | undefined>,
  key: string = defaultMerchant.key,
  signType: SignType = 'MD5',
): string {
  const params: Record<string, string | undefined> = {
    appid: defaultMerchant.appId,
    mch_id: defaultMerchant.mchId,
    nonce_str: 'n0nce5tr1ng',
    ...(signType === 'HMAC-SHA256' ? { sign_type: 'HMAC-SHA256' } : {}),
    ...fields,
  };
  params['sign'] = sign(params, key, signType);
  return buildXml(params);
}

/** Posts a raw body to a pay endpoint; returns the status, content type and text. */
export async function post(
  sandbox: Sandbox,
  path: string,
  body: string,
  method = 'POST',
): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${sandbox.url}${path}`, method === 'GET' ? { method } : { method, body });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** Posts a signed request and parses the XML answer. */
export async function call(
  sandbox: Sandbox,
  path: string,
  fields: Record<string, string | undefined>,
  key?: string,
  signType?: SignType,
): Promise<Record<string, string>> {
  const { status, text } = await post(sandbox, path, signedRequest(fields, key, signType));
  if (status !== 200) throw new Error(`HTTP ${status}`);
  return parseXml(text);
}

/** JSON control API call, as a program on this machine makes it: JSON content type, its own Host. */
export async function control(
  sandbox: Sandbox,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sandbox.url}/sandbox/${path}`, {
    method,
    headers: { ...(method === 'GET' ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

/** Polls until `check` returns true; fails after `timeoutMs` (a bound, not a timing assertion). */
export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A path of allowed moves from NOTPAY to each state, for the trade type that allows it. */
export const PATHS: Record<TradeState, { tradeType: 'NATIVE' | 'MICROPAY'; path: TradeState[] }> = {
  NOTPAY: { tradeType: 'NATIVE', path: [] },
  SUCCESS: { tradeType: 'NATIVE', path: ['SUCCESS'] },
  REFUND: { tradeType: 'NATIVE', path: ['SUCCESS', 'REFUND'] },
  CLOSED: { tradeType: 'NATIVE', path: ['CLOSED'] },
  ACCEPT: { tradeType: 'NATIVE', path: ['ACCEPT'] },
  USERPAYING: { tradeType: 'MICROPAY', path: ['USERPAYING'] },
  PAYERROR: { tradeType: 'MICROPAY', path: ['USERPAYING', 'PAYERROR'] },
  REVOKED: { tradeType: 'MICROPAY', path: ['USERPAYING', 'REVOKED'] },
};
