import { TransportError } from '../errors.ts';
import type { ErrorOutcome, NotFoundOutcome, WireFields } from '../types.ts';
import type { HeaderSource } from './headers.ts';
import { parseJsonObject } from './json.ts';
import { flattenJson, jsonString } from './json-fields.ts';
import { isRetryableV3Code } from './retryable.ts';

/**
 * One APIv3 HTTP answer as received: status, headers and the **raw** body bytes the signature covers.
 *
 * @example
 * ```ts
 * const answer: V3Answer = { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
 * ```
 */
export interface V3Answer {
  readonly status: number;
  readonly headers: HeaderSource;
  readonly body: Uint8Array | string;
}

/** An APIv3 error body, once read: its code, message and fields. */
export interface V3ErrorBody {
  readonly code: string;
  readonly message: string;
  readonly fields: WireFields;
}

function statusError(status: number): TransportError {
  const retryable = status >= 500 || status === 408 || status === 429 || (status >= 300 && status < 400);
  return new TransportError('HTTP_STATUS', `HTTP status ${status}`, { status, retryable });
}

/**
 * Reads the `{ code, message, detail }` of an APIv3 error answer; a body that is not one (an HTML 502 from a
 * proxy, nothing, a code that is not a string) is a {@link TransportError} `HTTP_STATUS` instead, retryable for
 * 3xx, 408, 429 and 5xx. Unsigned, as WeChat sends it: it can say "no answer", never a state.
 *
 * @example
 * ```ts
 * const { code } = readErrorBody(answer, 65536);
 * ```
 * @internal
 */
export function readErrorBody(answer: V3Answer, maxBytes: number): V3ErrorBody {
  let body: ReturnType<typeof parseJsonObject>;
  let code: string | undefined;
  let message: string | undefined;
  try {
    body = parseJsonObject(answer.body, maxBytes);
    code = jsonString(body, 'code');
    message = jsonString(body, 'message');
  } catch {
    throw statusError(answer.status);
  }
  if (code === undefined) throw statusError(answer.status);
  return { code, message: message ?? '', fields: flattenJson(body) };
}

/**
 * The outcome of an APIv3 4xx/5xx with a readable error body: `error`, retryable when WeChat's code says so (and
 * always for a 429). Never a trade state.
 *
 * @example
 * ```ts
 * if (answer.status >= 400) return errorOutcomeOf(readErrorBody(answer, maxBytes), answer.status, isRetryableV3Code);
 * ```
 * @internal
 */
export function errorOutcomeOf(
  error: V3ErrorBody,
  status: number,
  retryable: (code: string) => boolean = isRetryableV3Code,
): ErrorOutcome {
  return {
    kind: 'error',
    code: error.code,
    message: error.message,
    retryable: status === 429 || retryable(error.code),
    fields: error.fields,
  };
}

/**
 * An answer status that carries nothing to read: 1xx, 3xx, an unexpected 2xx.
 *
 * @example
 * ```ts
 * throw unexpectedStatus(302);
 * ```
 * @internal
 */
export function unexpectedStatus(status: number): TransportError {
  return statusError(status);
}

/**
 * A v3 404 `ORDER_NOT_EXIST` as the `not-found` outcome v2's signed ORDERNOTEXIST gives.
 *
 * @example
 * ```ts
 * const outcome = notFoundOutcomeOf(readErrorBody(answer, maxBytes));
 * ```
 * @internal
 */
export function notFoundOutcomeOf(error: V3ErrorBody): NotFoundOutcome {
  return { kind: 'not-found', message: error.message, fields: error.fields };
}
