import type { AxiosInstance, AxiosRequestConfig } from 'axios';
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
  readonly instance: AxiosInstance;
  readonly perRequest: AxiosRequestConfig;
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
 * Posts an already signed XML body to `path` under a **total** deadline (also ended by the caller's `signal`) and
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
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('request deadline exceeded', 'TimeoutError'));
  }, timeoutMs);
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  let body: unknown;
  let status: number;
  try {
    const { perRequest } = transport;
    const config: AxiosRequestConfig = { method: 'post', url: path, data, signal: controller.signal };
    // The hardening is set per request only over a caller's instance; the default instance was built with it.
    const response = await transport.instance.request<string>(
      perRequest === NO_HARDENING ? config : { ...perRequest, ...config },
    );
    body = response.data;
    status = response.status;
  } catch (err) {
    throw toTransportError(err, { aborted: callerSignal?.aborted === true, timedOut, timeoutMs });
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onCallerAbort);
  }
  if (status !== 200) {
    const retryable = status >= 500 || status === 408 || status === 429 || (status >= 300 && status < 400);
    throw new TransportError('HTTP_STATUS', `HTTP status ${status}`, { status, retryable });
  }
  if (typeof body !== 'string') throw new TransportError('NOT_XML', 'answer body is not text');
  return body;
}
