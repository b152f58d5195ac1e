/**
 * Stable machine-readable codes of every error this library throws.
 *
 * @example
 * ```ts
 * if (err instanceof TradestateError && err.code === 'SIGNATURE_INVALID') alertSecurityTeam();
 * ```
 */
export type TradestateErrorCode =
  | 'SIGNATURE_MISSING'
  | 'SIGNATURE_INVALID'
  | 'MALFORMED_XML'
  | 'MALFORMED_RESPONSE'
  | 'XML_DOCTYPE'
  | 'XML_TOO_LARGE'
  | 'MISMATCH'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'NETWORK'
  | 'HTTP_STATUS'
  | 'NOT_XML'
  | 'RESPONSE_TOO_LARGE'
  | 'INVALID_ARGUMENT'
  | 'NOT_A_PAYMENT'
  | V3ErrorCode;

/**
 * Options common to every {@link TradestateError}.
 *
 * @example
 * ```ts
 * new TransportError('TIMEOUT', 'no answer in 10 s', { retryable: true });
 * ```
 */
export interface TradestateErrorOptions {
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/**
 * Base class of everything tradestate throws. `code` is stable across versions; `retryable` says whether
 * asking again may give a trustworthy answer. Messages never contain the API key or a signed string.
 *
 * @example
 * ```ts
 * try { await client.queryOrder({ outTradeNo }); }
 * catch (err) { if (err instanceof TradestateError && err.retryable) scheduleRetry(); else throw err; }
 * ```
 */
export class TradestateError extends Error {
  readonly code: TradestateErrorCode;
  readonly retryable: boolean;

  constructor(code: TradestateErrorCode, message: string, options: TradestateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/**
 * A SUCCESS answer whose `sign` is missing or does not verify with the merchant key. Retryable: one bad
 * answer (a proxy, a corrupted body) says nothing of the next; a wrong key shows up as every answer failing.
 *
 * @example
 * ```ts
 * if (err instanceof SignatureError) metrics.increment('wechatpay.bad_signature');
 * ```
 */
export class SignatureError extends TradestateError {
  constructor(
    code: 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | V3SignatureErrorCode,
    message: string,
    options: TradestateErrorOptions = {},
  ) {
    super(code, message, { retryable: true, ...options });
  }
}

/**
 * A body that is not the flat `<xml>` WeChat sends: invalid XML, a DOCTYPE or entity, nesting, repeated or
 * dangerous names, a body over the size cap, or a well-formed answer missing what its kind requires.
 *
 * @example
 * ```ts
 * try { parseXml(body); } catch (err) { if (err instanceof MalformedResponseError) console.warn(err.code); }
 * ```
 */
export class MalformedResponseError extends TradestateError {
  constructor(
    code: 'MALFORMED_XML' | 'MALFORMED_RESPONSE' | 'XML_DOCTYPE' | 'XML_TOO_LARGE' | 'MALFORMED_JSON',
    message: string,
    options: TradestateErrorOptions = {},
  ) {
    super(code, message, { retryable: true, ...options });
  }
}

/**
 * A verified answer about another merchant or order than the one asked for. Never retryable: it means a
 * misrouted response or a misconfiguration, and believing it could ship goods for the wrong order.
 *
 * @example
 * ```ts
 * if (err instanceof MismatchError) console.error(err.field, 'differs');
 * ```
 */
export class MismatchError extends TradestateError {
  /** The wire field that differed (`out_trade_no`, `mch_id`, …). Values are not included. */
  readonly field: string;

  constructor(field: string, options: TradestateErrorOptions = {}) {
    super('MISMATCH', `answer is for another ${field} than the one asked for`, { ...options, retryable: false });
    this.field = field;
  }
}

/**
 * The request did not produce a readable answer: timeout, reset, abort, a non-200 status, an HTML page, a body
 * over the size cap.
 *
 * @example
 * ```ts
 * if (err instanceof TransportError && err.code === 'TIMEOUT') console.warn('WeChat slow');
 * ```
 */
export class TransportError extends TradestateError {
  /** The HTTP status, when one was received. */
  readonly status: number | undefined;

  constructor(
    code: 'TIMEOUT' | 'ABORTED' | 'NETWORK' | 'HTTP_STATUS' | 'NOT_XML' | 'RESPONSE_TOO_LARGE',
    message: string,
    options: TradestateErrorOptions & { readonly status?: number } = {},
  ) {
    super(code, message, { retryable: code !== 'ABORTED', ...options });
    this.status = options.status;
  }
}

/**
 * A caller's mistake caught before any request: both or neither of `outTradeNo`/`transactionId`, an
 * `out_trade_no` over 32 characters or outside `[A-Za-z0-9_*|-]`, a missing key.
 *
 * @example
 * ```ts
 * try { await client.queryOrder({ outTradeNo: 'bad id!' }); } catch (err) { err instanceof InvalidArgumentError; }
 * ```
 */
export class InvalidArgumentError extends TradestateError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message, { retryable: false });
  }
}

/**
 * Why a notification body is not a payment result (see {@link NotificationError}):
 *
 * - `RETURN_FAIL`: `return_code` FAIL, a communication failure that says nothing about a payment.
 * - `RESULT_FAIL`: `result_code` FAIL, a payment that failed.
 * - `TRADE_STATE`: a `trade_state` other than SUCCESS, such as a signed orderquery answer saying NOTPAY, CLOSED,
 *   REFUND or USERPAYING replayed to the notify route.
 * - `REFUND`: a refund notification or answer (`req_info`, `refund_id`, `out_refund_no`, `refund_fee`…).
 * - `MISSING_FIELD`: one of `transaction_id`, `out_trade_no`, `total_fee`, `time_end` is absent or empty (a
 *   closeorder or reverse answer, an ORDERNOTEXIST answer, a truncated body).
 *
 * @example
 * ```ts
 * if (err instanceof NotificationError && err.reason === 'TRADE_STATE') metrics.increment('notify.replayed_answer');
 * ```
 */
export type NotAPaymentReason = 'RETURN_FAIL' | 'RESULT_FAIL' | 'TRADE_STATE' | 'REFUND' | 'MISSING_FIELD';

/**
 * A notification body that is readable but is not a payment result, whatever its signature: a replayed orderquery,
 * closeorder or reverse answer, a refund notification, a FAIL notification, or one missing a payment field. Code
 * `NOT_A_PAYMENT`, never retryable (the same body is refused every time). Answer it with
 * `notificationReply(false, …)`; it is no evidence about the order either way.
 *
 * @example
 * ```ts
 * try { decodeNotification(body, { key }); }
 * catch (err) { if (err instanceof NotificationError) console.warn(err.reason, err.field); }
 * ```
 */
export class NotificationError extends TradestateError {
  readonly reason: NotAPaymentReason;
  /** The wire field that made the decision (`trade_state`, `time_end`, `refund_id`…), when one did. */
  readonly field: string | undefined;

  constructor(reason: NotAPaymentReason, message: string, field?: string) {
    super('NOT_A_PAYMENT', message, { retryable: false });
    this.reason = reason;
    this.field = field;
  }
}

// ---- WeChat Pay APIv3 (issue 14): the codes and the one class the v3 protocol adds. ----

/**
 * The {@link SignatureError} codes only APIv3 answers and notifications have:
 * - `SIGNATURE_PROBE`: a `WECHATPAY/SIGNTEST/` signature, WeChat's deliberate probe that merchants verify;
 * - `SIGNATURE_EXPIRED`: `Wechatpay-Timestamp` more than 5 minutes from the local clock (a replay, or a clock off);
 * - `SIGNATURE_SERIAL`: `Wechatpay-Serial` names a platform key this client was not configured with.
 *
 * @example
 * ```ts
 * if (err instanceof SignatureError && err.code === 'SIGNATURE_SERIAL') console.warn('WeChat rotated its platform key?');
 * ```
 */
export type V3SignatureErrorCode = 'SIGNATURE_PROBE' | 'SIGNATURE_EXPIRED' | 'SIGNATURE_SERIAL';

/**
 * The codes APIv3 adds to {@link TradestateErrorCode}: the {@link V3SignatureErrorCode}s, `MALFORMED_JSON` (a body
 * that is not one bounded, plain JSON object) and `DECRYPT_FAILED` (see {@link DecryptionError}).
 *
 * @example
 * ```ts
 * const code: V3ErrorCode = 'DECRYPT_FAILED';
 * ```
 */
export type V3ErrorCode = V3SignatureErrorCode | 'MALFORMED_JSON' | 'DECRYPT_FAILED';

/**
 * An APIv3 `resource` that AES-256-GCM refused: a wrong APIv3 key, a tag that does not authenticate (a changed
 * ciphertext, nonce or `associated_data`, a truncated tag), or a nonce that is not 12 bytes. Not retryable: the
 * same ciphertext never decrypts later. The message never includes the key, the nonce or the ciphertext.
 *
 * @example
 * ```ts
 * if (err instanceof DecryptionError) console.error('check the APIv3 key of this merchant');
 * ```
 */
export class DecryptionError extends TradestateError {
  constructor(message: string, options: TradestateErrorOptions = {}) {
    super('DECRYPT_FAILED', message, { ...options, retryable: false });
  }
}
