import type { CloseOrderOutcome } from '../close-order.ts';
import type { ReverseOrderOutcome } from '../reverse-order.ts';
import { errorOutcomeOf, readErrorBody, unexpectedStatus, type V3Answer } from './answer.ts';
import { type DecodeV3Options, type ResolvedDecodeV3, resolveDecodeV3 } from './decode.ts';
import { assertExpectedV3 } from './expect.ts';
import { parseJsonObject } from './json.ts';
import { flattenJson } from './json-fields.ts';
import { isRetryableV3Code } from './retryable.ts';
import { verifyWechatpaySignature } from './verify-response.ts';

const NO_FIELDS = Object.freeze({});

/** Reverse refusals after which reversing again cannot work. */
const FINAL_REVERSE_CODES: ReadonlySet<string> = new Set(['TRADE_ERROR', 'REVERSE_EXPIRE', 'ORDER_NOT_EXIST']);

/**
 * Decodes the answer of APIv3 `POST …/out-trade-no/{out_trade_no}/close`. A **204** (no body) is `{ kind: 'closed' }`
 * once its signature over the empty body verifies (`ts\nnonce\n\n`); a 4xx/5xx `{ code }` is an `error`
 * (ORDER_CLOSED, ORDER_PAID, TRADE_ERROR final; SYSTEM_ERROR, FREQUENCY_LIMITED, USER_PAYING retryable). WeChat
 * has answered 204 for an order number it does not know: `closed` says the request was accepted, and only a
 * verified query afterwards says the order is CLOSED.
 *
 * @example
 * ```ts
 * const outcome = decodeCloseOrderV3(answer, { platformPublicKey, platformPublicKeyId });
 * ```
 */
export function decodeCloseOrderV3(answer: V3Answer, options: DecodeV3Options | ResolvedDecodeV3): CloseOrderOutcome {
  const { verifier, maxBytes } = resolveDecodeV3(options);
  const { status } = answer;
  if (status === 204 || status === 200) {
    verifyWechatpaySignature(answer.headers, answer.body, verifier);
    return { kind: 'closed', fields: NO_FIELDS };
  }
  if (status === 202) {
    // USER_PAYING: the payer is entering a password; ask again after a query.
    return errorOutcomeOf({ code: 'USER_PAYING', message: '', fields: NO_FIELDS }, status);
  }
  if (status < 400) throw unexpectedStatus(status);
  return errorOutcomeOf(readErrorBody(answer, maxBytes), status);
}

/**
 * Decodes the answer of APIv3 `POST …/out-trade-no/{out_trade_no}/reverse` (code payments). A **200** naming this
 * merchant and order (verified, bound to `expect`) or a verified **204** is `{ kind: 'reversed' }`; v3 has no
 * `recall` flag, so "call again" is a retryable `error` (SYSTEM_ERROR, USER_PAYING, FREQUENCY_LIMITED);
 * TRADE_ERROR, REVERSE_EXPIRE and ORDER_NOT_EXIST are final.
 *
 * @example
 * ```ts
 * const outcome = decodeReverseOrderV3(answer, { platformPublicKey, platformPublicKeyId, expect: { mchId, outTradeNo } });
 * ```
 */
export function decodeReverseOrderV3(
  answer: V3Answer,
  options: DecodeV3Options | ResolvedDecodeV3,
): ReverseOrderOutcome {
  const { verifier, expect, maxBytes } = resolveDecodeV3(options);
  const { status } = answer;
  if (status === 200 || status === 204) {
    verifyWechatpaySignature(answer.headers, answer.body, verifier);
    if (status === 204) return { kind: 'reversed', fields: NO_FIELDS };
    const body = parseJsonObject(answer.body, maxBytes);
    assertExpectedV3(body, expect, 'ids');
    return { kind: 'reversed', fields: flattenJson(body) };
  }
  if (status === 202) return errorOutcomeOf({ code: 'USER_PAYING', message: '', fields: NO_FIELDS }, status);
  if (status < 400) throw unexpectedStatus(status);
  return errorOutcomeOf(
    readErrorBody(answer, maxBytes),
    status,
    (code) => !FINAL_REVERSE_CODES.has(code) && isRetryableV3Code(code),
  );
}
