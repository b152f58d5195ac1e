import { AxiosError, type AxiosRequestConfig, isAxiosError } from 'axios';
import { TransportError } from '../errors.ts';
import { NO_HARDENING, type SignedPostTransport } from '../signed-post.ts';
import { toTransportError } from '../transport-error.ts';
import type { V3Answer } from './answer.ts';
import { type RequestSigner, signRequest } from './authorization.ts';
import type { HeaderSource } from './headers.ts';

/**
 * How the APIv3 client reaches WeChat: the v2 client's hardened axios transport plus what signs each request.
 *
 * @example
 * ```ts
 * const via: V3Transport = { instance, perRequest, timeoutMs, signer, basePath: '', platformPublicKeyId };
 * ```
 * @internal
 */
export interface V3Transport extends SignedPostTransport {
  readonly signer: RequestSigner;
  /** The path of `baseURL` (no trailing slash): WeChat checks the signed URL against the path it received. */
  readonly basePath: string;
  /** Sent as `Wechatpay-Serial`: which WeChat Pay key the merchant expects (and encrypts with). */
  readonly platformPublicKeyId: string;
  readonly userAgent: string;
}

/**
 * Sends one signed APIv3 request (`GET` with no body, `POST` with JSON text) under the transport's total deadline
 * and resolves with every status, its headers and the raw body bytes: verifying and decoding are the caller's.
 * Anything the transport throws becomes a {@link TransportError} whose `cause` holds neither the `Authorization`
 * header nor the body.
 *
 * @example
 * ```ts
 * const answer = await sendV3(transport, 'GET', '/v3/pay/transactions/out-trade-no/A1?mchid=1900000109', undefined, signal);
 * ```
 * @internal
 */
export async function sendV3(
  transport: V3Transport,
  method: 'GET' | 'POST',
  path: string,
  body: string | undefined,
  callerSignal: AbortSignal | undefined,
): Promise<V3Answer> {
  const { timeoutMs } = transport;
  if (callerSignal?.aborted) throw new TransportError('ABORTED', 'request aborted by the caller');
  const authorization = signRequest(transport.signer, method, `${transport.basePath}${path}`, body ?? '');
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Authorization: authorization,
    'User-Agent': transport.userAgent,
    'Wechatpay-Serial': transport.platformPublicKeyId,
  };
  if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
  const config: AxiosRequestConfig = {
    method,
    url: path,
    data: body,
    headers,
    signal: callerSignal,
    timeout: timeoutMs,
  };
  const { perRequest } = transport;
  try {
    const response = await transport.instance.request<unknown>(
      perRequest === NO_HARDENING ? config : { ...perRequest, ...config },
    );
    const data = response.data;
    if (!(data instanceof Uint8Array) && typeof data !== 'string') {
      throw new TransportError('NOT_XML', 'answer body is not bytes');
    }
    return { status: response.status, headers: response.headers as HeaderSource, body: data };
  } catch (err) {
    const timedOut = isAxiosError(err) && err.code === AxiosError.ETIMEDOUT;
    throw toTransportError(err, { aborted: callerSignal?.aborted === true, timedOut, timeoutMs });
  }
}
