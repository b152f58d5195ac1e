import { MalformedResponseError } from './errors.ts';
import { assertExpected, type ExpectedAnswer } from './expect.ts';
import { failureOutcome } from './failure.ts';
import { normaliseOrderOf } from './order.ts';
import { isRetryableErrCode, isRetryableReturnMessage } from './retryable.ts';
import { rejectNonXml } from './sniff.ts';
import { isTradeState, type OrderQueryOutcome, type SignType, type WireFields } from './types.ts';
import { assertSignedOf } from './verify.ts';
import { parseXmlListing } from './xml.ts';

/**
 * Options of {@link decodeOrderQuery}.
 *
 * @example
 * ```ts
 * const options: DecodeOrderQueryOptions = { key, signType: 'MD5', expect: { mchId: '10000100', outTradeNo: 'A1' } };
 * ```
 */
export interface DecodeOrderQueryOptions {
  /** The merchant API key the answer is verified with. */
  readonly key: string;
  /** The algorithm the request was signed with: answers carry no `sign_type`. */
  readonly signType: SignType;
  /** What the answer must be about; a verified answer about anything else is a `MismatchError`. */
  readonly expect?: ExpectedAnswer | undefined;
  /** Size cap of the body in bytes (default `DEFAULT_MAX_XML_BYTES`). */
  readonly maxBytes?: number | undefined;
}

/**
 * How the fields of an answer are authenticated before they are believed: the signature check of the HTTP
 * transport, or nothing for CloudPay, whose SDK authenticates server-side. Throws when they cannot be.
 *
 * @example
 * ```ts
 * const authenticate: Authenticate = (fields) => assertSigned(fields, key, 'MD5');
 * ```
 */
export type Authenticate = (fields: WireFields) => void;

function malformed(message: string): MalformedResponseError {
  return new MalformedResponseError('MALFORMED_RESPONSE', message);
}

/**
 * Turns the parsed fields of an `orderquery` answer into an outcome. Internal: shared by the XML decoder and the
 * CloudPay decoder, which differ only in how fields are authenticated. `names`, when given, lists the own names
 * of `fields` in insertion order (the XML scanner's listing), so that they are not enumerated again.
 *
 * @example
 * ```ts
 * interpretOrderQuery(parseXml(body), (fields) => assertSigned(fields, key, 'MD5'), { outTradeNo: 'A1' });
 * ```
 * @internal
 */
export function interpretOrderQuery(
  fields: Record<string, string>,
  authenticate: Authenticate,
  expect: ExpectedAnswer | undefined,
  names?: readonly string[],
): OrderQueryOutcome {
  const frozen: WireFields = Object.freeze(fields);
  const returnCode = fields['return_code'];
  if (returnCode === 'FAIL') {
    // Communication-level refusal, usually unsigned: it can only ever say "no answer", never a state.
    const message = fields['return_msg'] ?? '';
    return failureOutcome('RETURN_FAIL', message, isRetryableReturnMessage(message), frozen);
  }
  if (returnCode !== 'SUCCESS') throw malformed('return_code is neither SUCCESS nor FAIL');

  const resultCode = fields['result_code'];
  if (resultCode === 'FAIL') {
    const code = fields['err_code'] || 'RESULT_FAIL';
    const message = fields['err_code_des'] ?? '';
    if (code === 'ORDERNOTEXIST') {
      // "Not found" can end a watch (and so lose a paid order), and WeChat signs every result_code answer:
      // an unsigned one is as untrustworthy as an unsigned SUCCESS.
      authenticate(fields);
      assertExpected(fields, expect, false);
      return { kind: 'not-found', message, fields: frozen };
    }
    return failureOutcome(code, message, isRetryableErrCode(code), frozen);
  }
  if (resultCode !== 'SUCCESS') throw malformed('result_code is neither SUCCESS nor FAIL');

  authenticate(fields);
  assertExpected(fields, expect, true);
  const tradeState = fields['trade_state'];
  if (tradeState === undefined || tradeState === '') throw malformed('a SUCCESS answer carries no trade_state');
  return {
    kind: 'order',
    tradeState: isTradeState(tradeState) ? tradeState : Object.freeze({ unknown: tradeState }),
    order: normaliseOrderOf(frozen, names ?? Object.keys(frozen)),
    fields: frozen,
  };
}

/**
 * Decodes the body of a WeChat Pay v2 `orderquery` answer into an {@link OrderQueryOutcome}.
 *
 * - `return_code` FAIL → `{ kind: 'error', code: 'RETURN_FAIL' }`, retryable only when WeChat says it is busy.
 *   Every `error` outcome carries an English `message` naming what to check, WeChat's own text as
 *   `wechatMessage`, and for the well-known configuration failures a `reason` (`WRONG_KEY_OR_SIGN_TYPE`,
 *   `APPID_MCHID_MISMATCH`, `UNKNOWN_MCH_ID`, `MISSING_SUB_MCH_ID`, `NO_PERMISSION`…), which is never retryable.
 * - `result_code` FAIL with ORDERNOTEXIST → `{ kind: 'not-found' }` (its sign must verify: it can end a watch).
 * - other `result_code` FAIL → `{ kind: 'error', code: err_code, retryable }` (SYSTEMERROR, FREQUENCY_LIMITED… true).
 * - `result_code` SUCCESS → signature verified, then bound to `expect`, then `{ kind: 'order' }`; an unknown
 *   `trade_state` is kept as `{ unknown: value }`.
 *
 * Throws, never guesses: `TransportError` `NOT_XML` (empty, HTML, JSON), `MalformedResponseError` (bad XML,
 * oversized, missing codes, bad amounts or dates), `SignatureError` (SUCCESS answer with a missing or wrong sign),
 * `MismatchError` (a verified answer about another appid, mch_id, sub_mch_id, out_trade_no or transaction_id).
 *
 * @example
 * ```ts
 * const outcome = decodeOrderQuery(body, { key, signType: 'MD5', expect: { mchId: '10000100', outTradeNo: 'A1' } });
 * if (outcome.kind === 'order' && outcome.tradeState === 'SUCCESS') ship(outcome.order.totalFee);
 * ```
 */
export function decodeOrderQuery(body: string | Uint8Array, options: DecodeOrderQueryOptions): OrderQueryOutcome {
  rejectNonXml(body);
  const { fields, names } = parseXmlListing(body, options.maxBytes);
  const { key, signType } = options;
  // `names` lists exactly the fields of `fields`, which interpretOrderQuery authenticates (frozen, not copied).
  return interpretOrderQuery(
    fields,
    (received) => assertSignedOf(received, names, key, signType),
    options.expect,
    names,
  );
}
