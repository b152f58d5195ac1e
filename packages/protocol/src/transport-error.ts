import { isAxiosError } from 'axios';
import { TradestateError, TransportError } from './errors.ts';
import { ERR_RESPONSE_TOO_LARGE } from './node-adapter.ts';

/**
 * Why a request ended early, as the client knows it: the caller aborted, or the total deadline passed.
 *
 * @example
 * ```ts
 * const ended: RequestEnd = { aborted: false, timedOut: true, timeoutMs: 10_000 };
 * ```
 */
export interface RequestEnd {
  readonly aborted: boolean;
  readonly timedOut: boolean;
  readonly timeoutMs: number;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * Keeps what explains a failure (name, code, message) and drops the rest: an AxiosError carries the request
 * config, whose body is signed, and the socket; neither belongs in logs.
 */
function sanitizedCause(err: unknown): Error {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const cause = new Error(err.message);
    cause.name = err.name;
    if (typeof code === 'string') Object.defineProperty(cause, 'code', { value: code, enumerable: true });
    return cause;
  }
  return new Error('non-error thrown by the transport');
}

/**
 * Maps whatever a request threw into a {@link TransportError} (`ABORTED`, `TIMEOUT`, `RESPONSE_TOO_LARGE`,
 * `NOT_XML`, `NETWORK`); a {@link TradestateError} passes through. The `cause` is a plain `Error` with only the
 * original name, code and message: never the axios config, request body or socket.
 *
 * @example
 * ```ts
 * try { await instance.post('/pay/orderquery', xml); }
 * catch (err) { throw toTransportError(err, { aborted: signal.aborted, timedOut, timeoutMs }); }
 * ```
 */
export function toTransportError(err: unknown, end: RequestEnd): TradestateError {
  if (err instanceof TradestateError) return err;
  const cause = sanitizedCause(err);
  if (end.aborted) return new TransportError('ABORTED', 'query aborted by the caller', { cause });
  if (end.timedOut) {
    return new TransportError('TIMEOUT', `no complete answer within ${end.timeoutMs} ms`, { cause });
  }
  const code = isAxiosError(err) ? err.code : undefined;
  if (code === ERR_RESPONSE_TOO_LARGE) {
    return new TransportError('RESPONSE_TOO_LARGE', 'answer exceeds the size cap', { cause });
  }
  if (code === 'ERR_BAD_RESPONSE') return new TransportError('NOT_XML', 'answer body is unreadable', { cause });
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
    return new TransportError('TIMEOUT', 'request timed out', { cause });
  }
  const reason = code !== undefined && NETWORK_CODES.has(code) ? code : 'network failure';
  return new TransportError('NETWORK', `request failed: ${reason}`, { cause });
}
