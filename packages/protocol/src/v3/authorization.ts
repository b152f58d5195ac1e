import type { KeyObject } from 'node:crypto';
import { nextNonce } from '../nonce.ts';
import { signSha256Rsa } from './rsa.ts';
import { requestSigningMessage } from './signing-message.ts';

/** The only APIv3 authentication scheme: SHA256-RSA2048 with the merchant's API certificate key. */
export const AUTHORIZATION_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

/**
 * The parts of an APIv3 `Authorization` header.
 *
 * @example
 * ```ts
 * const parts: AuthorizationParts = { mchId: '1900000109', nonce, timestamp: 1554208460, serialNo, signature };
 * ```
 */
export interface AuthorizationParts {
  readonly mchId: string;
  readonly nonce: string;
  readonly timestamp: number | string;
  /** The serial number of the merchant's API certificate (whose private key signed). */
  readonly serialNo: string;
  readonly signature: string;
}

/**
 * Formats `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"`.
 *
 * @example
 * ```ts
 * authorizationHeader({ mchId: '1900000109', nonce: 'n', timestamp: 1, serialNo: 'S', signature: 'x' });
 * // 'WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="n",timestamp="1",serial_no="S",signature="x"'
 * ```
 */
export function authorizationHeader(parts: AuthorizationParts): string {
  return (
    `${AUTHORIZATION_SCHEME} mchid="${parts.mchId}",nonce_str="${parts.nonce}",timestamp="${parts.timestamp}",` +
    `serial_no="${parts.serialNo}",signature="${parts.signature}"`
  );
}

const PAIR = /^([a-z_]+)="([^"]*)"$/;
const NAMES: Readonly<Record<string, keyof AuthorizationParts>> = {
  mchid: 'mchId',
  nonce_str: 'nonce',
  timestamp: 'timestamp',
  serial_no: 'serialNo',
  signature: 'signature',
};

/**
 * Reads an APIv3 `Authorization` header back into its parts (what a server, such as the sandbox, checks), or
 * `undefined` when it is not exactly the scheme and the five quoted fields, each once.
 *
 * @example
 * ```ts
 * parseAuthorizationHeader(req.headers.authorization)?.mchId; // '1900000109'
 * ```
 */
export function parseAuthorizationHeader(header: string | undefined): AuthorizationParts | undefined {
  if (header === undefined || !header.startsWith(`${AUTHORIZATION_SCHEME} `)) return undefined;
  const found: Record<string, string> = {};
  for (const item of header.slice(AUTHORIZATION_SCHEME.length + 1).split(',')) {
    const match = PAIR.exec(item.trim());
    const name = match === null ? undefined : NAMES[match[1] as string];
    if (match === null || name === undefined || Object.hasOwn(found, name)) return undefined;
    found[name] = match[2] as string;
  }
  const { mchId, nonce, timestamp, serialNo, signature } = found;
  if (!mchId || !nonce || !timestamp || !serialNo || !signature) return undefined;
  return { mchId, nonce, timestamp, serialNo, signature };
}

/**
 * What signs a merchant's requests: its id, the serial of its API certificate and the parsed private key.
 *
 * @example
 * ```ts
 * const signer: RequestSigner = { mchId, serialNo, privateKey: privateKeyOf(pem, 'privateKey') };
 * ```
 */
export interface RequestSigner {
  readonly mchId: string;
  readonly serialNo: string;
  readonly privateKey: KeyObject;
}

/**
 * Signs one request and returns its `Authorization` header: a fresh 32-character CSPRNG nonce and the current Unix
 * time in seconds, over `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`.
 *
 * @example
 * ```ts
 * const authorization = signRequest(signer, 'GET', '/v3/pay/transactions/out-trade-no/A1?mchid=1900000109', '');
 * ```
 */
export function signRequest(
  signer: RequestSigner,
  method: string,
  url: string,
  body: string,
  timestamp: number = Math.floor(Date.now() / 1000),
  nonce: string = nextNonce(),
): string {
  const signature = signSha256Rsa(requestSigningMessage(method, url, timestamp, nonce, body), signer.privateKey);
  return authorizationHeader({ mchId: signer.mchId, nonce, timestamp, serialNo: signer.serialNo, signature });
}
