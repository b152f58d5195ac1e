import { MalformedResponseError } from '../errors.ts';
import type { ExpectedAnswer } from '../expect.ts';
import { isTradeState, type OrderQueryOutcome, type WireFields } from '../types.ts';
import { errorOutcomeOf, notFoundOutcomeOf, readErrorBody, unexpectedStatus, type V3Answer } from './answer.ts';
import { assertExpectedV3 } from './expect.ts';
import { signatureHeader } from './headers.ts';
import { DEFAULT_MAX_JSON_BYTES, parseJsonObject } from './json.ts';
import { flattenJson } from './json-fields.ts';
import { normaliseTransactionV3 } from './order.ts';
import { type PlatformKeyOptions, platformVerifierOf } from './platform-keys.ts';
import { type PlatformVerifier, verifyWechatpaySignature } from './verify-response.ts';

/**
 * Options of {@link decodeOrderQueryV3} and the other APIv3 answer decoders.
 *
 * @example
 * ```ts
 * const options: DecodeV3Options = { platformPublicKey, platformPublicKeyId, expect: { mchId: '1900000109', outTradeNo: 'A1' } };
 * ```
 */
export interface DecodeV3Options extends PlatformKeyOptions {
  /** What the answer must be about; a verified answer about anything else is a `MismatchError`. */
  readonly expect?: ExpectedAnswer | undefined;
  /** Size cap of the body in bytes. Default 64 KiB. */
  readonly maxBytes?: number | undefined;
}

/** The resolved form the client hands its decoders: the verifier built once. @internal */
export interface ResolvedDecodeV3 {
  readonly verifier: PlatformVerifier;
  readonly expect: ExpectedAnswer | undefined;
  readonly maxBytes: number;
}

/**
 * The decoders' options with the verifier built (once, when the client or caller already holds one).
 *
 * @example
 * ```ts
 * const { verifier, expect, maxBytes } = resolveDecodeV3(options);
 * ```
 * @internal
 */
export function resolveDecodeV3(options: DecodeV3Options | ResolvedDecodeV3): ResolvedDecodeV3 {
  if ('verifier' in options) return options;
  return {
    verifier: platformVerifierOf(options),
    expect: options.expect,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_JSON_BYTES,
  };
}

function hasSignature(answer: V3Answer): boolean {
  return signatureHeader(answer.headers, 'wechatpay-signature') !== undefined;
}

/**
 * Decodes one APIv3 order query answer (`GET /v3/pay/transactions/out-trade-no/{out_trade_no}` and its partner and
 * by-id forms) into the same {@link OrderQueryOutcome} as v2:
 *
 * - **200**: the signature is verified over the raw body first (`SignatureError`: missing or repeated headers, a
 *   `WECHATPAY/SIGNTEST/` probe, another serial, a timestamp off by more than 5 minutes, a bad signature), then the
 *   JSON read safely (`MalformedResponseError` `MALFORMED_JSON`), then bound to `expect` (`MismatchError`), then
 *   `{ kind: 'order' }` with the normalised {@link Order}; an unknown `trade_state` is kept as `{ unknown }`.
 * - **404 `ORDER_NOT_EXIST`** → `{ kind: 'not-found' }`. WeChat sends APIv3 errors unsigned (the official SDKs do not
 *   verify them either), so this is unsigned evidence, unlike v2's signed ORDERNOTEXIST: if the answer does carry
 *   signature headers they must verify, and otherwise it is believed only as far as a `not-found` ever is — a watch
 *   ends `NOT_FOUND` only after its whole grace window of them from the start, and after an order has been seen it
 *   is an anomaly, never a state. It never becomes a `trade_state`.
 * - **other 4xx/5xx** with `{ code, message }` → `{ kind: 'error', code, retryable }` (SYSTEM_ERROR,
 *   FREQUENCY_LIMITED, any 429: retryable; SIGN_ERROR, PARAM_ERROR, MCH_NOT_EXISTS, RULE_LIMIT, NO_AUTH: not);
 *   without one (a proxy's HTML page), `TransportError` `HTTP_STATUS`.
 *
 * @example
 * ```ts
 * const outcome = decodeOrderQueryV3({ status, headers, body }, { platformPublicKey, platformPublicKeyId, expect });
 * if (outcome.kind === 'order' && outcome.tradeState === 'SUCCESS') ship(outcome.order);
 * ```
 */
export function decodeOrderQueryV3(answer: V3Answer, options: DecodeV3Options | ResolvedDecodeV3): OrderQueryOutcome {
  const { verifier, expect, maxBytes } = resolveDecodeV3(options);
  const { status } = answer;
  if (status === 200) {
    // Over the cap, refused before hashing it for the signature.
    if (answer.body.length > maxBytes)
      throw new MalformedResponseError('MALFORMED_JSON', `JSON body over ${maxBytes} bytes`);
    verifyWechatpaySignature(answer.headers, answer.body, verifier);
    const transaction = parseJsonObject(answer.body, maxBytes);
    const tradeState = transaction['trade_state'];
    if (typeof tradeState !== 'string' || tradeState === '') {
      throw new MalformedResponseError('MALFORMED_RESPONSE', 'a 200 answer carries no trade_state');
    }
    assertExpectedV3(transaction, expect, 'order');
    let fields: WireFields | undefined;
    return {
      kind: 'order',
      tradeState: isTradeState(tradeState) ? tradeState : Object.freeze({ unknown: tradeState }),
      order: normaliseTransactionV3(transaction),
      // Flattened when first read: a watch reads the Order, rarely the fields, and flattening costs ~10 µs.
      get fields(): WireFields {
        fields ??= flattenJson(transaction);
        return fields;
      },
    };
  }
  if (status < 400) throw unexpectedStatus(status);
  const error = readErrorBody(answer, maxBytes);
  if (status === 404 && error.code === 'ORDER_NOT_EXIST') {
    if (hasSignature(answer)) verifyWechatpaySignature(answer.headers, answer.body, verifier);
    return notFoundOutcomeOf(error);
  }
  return errorOutcomeOf(error, status);
}
