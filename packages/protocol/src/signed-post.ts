import { type Axios, AxiosError, type AxiosRequestConfig, isAxiosError } from 'axios';
import { TransportError } from './errors.ts';
import { toTransportError } from './transport-error.ts';

/**
 * How {@link postSignedXml} reaches WeChat: the client's axios instance, the hardening applied per request (empty
 * when the instance was built with it) and the total deadline.
 *
 * @example
 * ```ts
 * const via: SignedPostTransport = { instance, perRequest: {}, timeoutMs: 10_000 };
 * ```
 */
export interface SignedPostTransport {
  /** An axios instance, or a bare `Axios` built with the hardening as its only defaults. */
  readonly instance: Pick<Axios, 'request'>;
  readonly perRequest: AxiosRequestConfig;
  /** The total deadline of a request unless the call passes a shorter one. */
  readonly timeoutMs: number;
}

/**
 * The `perRequest` of a transport whose instance was built with the hardening: nothing to merge per request.
 *
 * @example
 * ```ts
 * const via: SignedPostTransport = { instance: axios.create(hardening), perRequest: NO_HARDENING, timeoutMs };
 * ```
 * @internal
 */
export const NO_HARDENING: AxiosRequestConfig = Object.freeze({});

/**
 * Posts an already signed XML body to `path` under the transport's **total** deadline (also ended by the
 * caller's `signal`) and
 * returns the answer's text. The same rules as `queryOrder`: a non-200 status is a `TransportError`
 * `HTTP_STATUS`, anything the transport throws is mapped by `toTransportError` (its `cause` never holds the
 * signed body), an already aborted signal sends nothing.
 *
 * @example
 * ```ts
 * const body = await postSignedXml(transport, '/pay/closeorder', xml, signal);
 * ```
 * @internal
 */
export async function postSignedXml(
  transport: SignedPostTransport,
  path: string,
  data: string,
  callerSignal: AbortSignal | undefined,
): Promise<string> {
  const { timeoutMs } = transport;
  if (callerSignal?.aborted) throw new TransportError('ABORTED', 'request aborted by the caller');
  let body: unknown;
  let status: number;
  try {
    const { perRequest } = transport;
    // The client's adapter holds the total deadline (`timeout`) and listens to the caller's signal itself: no
    // AbortController and no timer of our own per request.
    const config: AxiosRequestConfig = { method: 'post', url: path, data, signal: callerSignal, timeout: timeoutMs };
    // The hardening is set per request only over a caller's instance; the default instance was built with it.
    const response = await transport.instance.request<string>(
      perRequest === NO_HARDENING ? config : { ...perRequest, ...config },
    );
    body = response.data;
    status = response.status;
  } catch (err) {
    const timedOut = isAxiosError(err) && err.code === AxiosError.ETIMEDOUT;
    throw toTransportError(err, { aborted: callerSignal?.aborted === true, timedOut, timeoutMs });
  }
  if (status !== 200) {
    const retryable = status >= 500 || status === 408 || status === 429 || (status >= 300 && status < 400);
    throw new TransportError('HTTP_STATUS', `HTTP status ${status}`, { status, retryable });
  }
  if (typeof body !== 'string') throw new TransportError('NOT_XML', 'answer body is not text');
  return body;
}
