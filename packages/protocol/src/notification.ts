import { InvalidArgumentError, MalformedResponseError, NotificationError, SignatureError } from './errors.ts';
import { assertExpected, type ExpectedAnswer } from './expect.ts';
import { normaliseOrderOf } from './order.ts';
import { rejectNonXml } from './sniff.ts';
import type { Order, SignType, WireFields } from './types.ts';
import { assertSignedOf } from './verify.ts';
import { parseXmlListing } from './xml.ts';

/**
 * Options of {@link decodeNotification}.
 *
 * @example
 * ```ts
 * const options: DecodeNotificationOptions = { key: process.env.WECHATPAY_KEY!, signType: 'MD5', expect: { mchId: '10000100' } };
 * ```
 */
export interface DecodeNotificationOptions {
  /** The merchant API key the notification is verified with. */
  readonly key: string;
  /**
   * The algorithm the order was placed with: WeChat signs its notification the same way (MD5 unless the merchant
   * placed the order with HMAC-SHA256). Default `'MD5'`. A body whose own `sign_type` says otherwise is refused.
   */
  readonly signType?: SignType | undefined;
  /** Size cap of the body in bytes (default `DEFAULT_MAX_XML_BYTES`). */
  readonly maxBytes?: number | undefined;
  /**
   * What the notification must be about: the merchant (`appId`, `mchId`, `subMchId` must then be named by the
   * body), the order, and its amount (`totalFee` in fen, `feeType` default CNY). Anything else is a `MismatchError`.
   */
  readonly expect?: ExpectedAnswer | undefined;
}

/**
 * A verified payment-result notification. Duplicates are normal: WeChat resends until it gets a SUCCESS reply.
 *
 * @example
 * ```ts
 * const n: PaymentNotification = decodeNotification(body, { key });
 * n.order.outTradeNo;
 * ```
 */
export interface PaymentNotification {
  readonly tradeState: 'SUCCESS';
  readonly order: Order;
  readonly fields: WireFields;
}

/** What a payment result carries, every time (WeChat's 支付结果通知: 必填). */
const PAYMENT_FIELDS = ['transaction_id', 'out_trade_no', 'total_fee', 'time_end'] as const;

function malformed(message: string): MalformedResponseError {
  return new MalformedResponseError('MALFORMED_RESPONSE', message);
}

/**
 * A field only refunds carry: the refund notification's encrypted `req_info`, or any name with `refund` in it
 * (`refund_id`, `out_refund_no`, `refund_fee`, `refund_status_0`…). No payment result has one.
 */
function refundField(names: readonly string[]): string | undefined {
  for (const name of names) if (name === 'req_info' || name.includes('refund')) return name;
  return undefined;
}

function checkOptions(options: DecodeNotificationOptions): SignType {
  if (typeof options !== 'object' || options === null || typeof options.key !== 'string' || options.key === '') {
    throw new InvalidArgumentError('options.key must be the merchant API key');
  }
  const signType = options.signType ?? 'MD5';
  if (signType !== 'MD5' && signType !== 'HMAC-SHA256') {
    throw new InvalidArgumentError("options.signType must be 'MD5' or 'HMAC-SHA256'");
  }
  return signType;
}

/**
 * Decodes and verifies WeChat Pay v2's payment-result notification (the POST to your `notify_url`), and only that.
 *
 * A **payment result** is a body with `return_code` and `result_code` SUCCESS, a sign that verifies over every
 * field with `key` and `signType`, non-empty `transaction_id`, `out_trade_no`, `total_fee` and `time_end`, and no
 * `trade_state` other than SUCCESS. (WeChat's notifications carry no `trade_state`; a signed orderquery answer
 * saying SUCCESS states the same facts and is accepted; an empty `trade_state` is not SUCCESS.) Then `expect`
 * binds it: a `MismatchError` for another appid, mch_id, sub_appid, sub_mch_id, order, amount or currency; the
 * expected appid, mch_id and sub_mch_id must be present.
 *
 * Everything else throws, never a `SUCCESS`:
 * - `InvalidArgumentError` `INVALID_ARGUMENT`: `body` is not a string or bytes (`undefined`, `{}` from a JSON body
 *   parser, a number), or the options lack a key.
 * - `TransportError` `NOT_XML` (empty, HTML, JSON text); `MalformedResponseError` `MALFORMED_XML`, `XML_DOCTYPE`,
 *   `XML_TOO_LARGE` (unreadable), `MALFORMED_RESPONSE` (no or unknown `return_code`/`result_code`, a bad amount or
 *   `time_end`).
 * - {@link NotificationError} `NOT_A_PAYMENT`, with `reason`: `RETURN_FAIL` and `REFUND` (a refund notification or
 *   answer) are decided before the signature, since WeChat signs neither; `RESULT_FAIL`, `TRADE_STATE` (a replayed
 *   orderquery answer saying NOTPAY, CLOSED, REFUND, USERPAYING…) and `MISSING_FIELD` (a closeorder or reverse
 *   answer, an ORDERNOTEXIST answer) only once the sign verified: those mean a genuine WeChat body was replayed.
 * - `SignatureError`: `SIGNATURE_MISSING`, `SIGNATURE_INVALID` (also when the body's own `sign_type` is not
 *   `signType`).
 * - `MismatchError` `MISMATCH` (`err.field` says which).
 *
 * A body that fails can still say which order it claims to be about: {@link readNotificationHint} reads that
 * without believing it, so the route can bring the order's next query forward. Reply with {@link notificationReply}.
 *
 * @example
 * ```ts
 * try {
 *   const { order } = decodeNotification(req.body, { key, expect: { appId, mchId, outTradeNo, totalFee: 10_000 } });
 *   await markPaid(order.outTradeNo);
 *   res.end(notificationReply(true));
 * } catch {
 *   res.end(notificationReply(false, 'invalid notification'));
 * }
 * ```
 */
export function decodeNotification(body: unknown, options: DecodeNotificationOptions): PaymentNotification {
  const signType = checkOptions(options);
  rejectNonXml(body);
  const { fields, names } = parseXmlListing(body, options.maxBytes);
  const returnCode = fields['return_code'];
  if (returnCode === 'FAIL')
    throw new NotificationError('RETURN_FAIL', 'notification return_code is FAIL: not a payment');
  if (returnCode !== 'SUCCESS') throw malformed('notification return_code is neither SUCCESS nor FAIL');
  const refund = refundField(names);
  if (refund !== undefined) {
    throw new NotificationError('REFUND', `notification carries ${refund}: a refund, not a payment result`, refund);
  }
  const declared = fields['sign_type'];
  if (declared !== undefined && declared !== '' && declared !== signType) {
    // Its name only, never its value quoted back: the value is whatever the sender put there.
    throw new SignatureError(
      'SIGNATURE_INVALID',
      `notification declares a sign_type other than ${signType}: set signType to the algorithm the order was placed with`,
    );
  }
  assertSignedOf(fields, names, options.key, signType);

  const resultCode = fields['result_code'];
  if (resultCode === 'FAIL')
    throw new NotificationError('RESULT_FAIL', 'notification result_code is FAIL: the payment failed');
  if (resultCode !== 'SUCCESS') throw malformed('notification result_code is neither SUCCESS nor FAIL');
  const tradeState = fields['trade_state'];
  if (tradeState !== undefined && tradeState !== 'SUCCESS') {
    throw new NotificationError(
      'TRADE_STATE',
      'body carries a trade_state other than SUCCESS: an orderquery answer, not a payment result',
      'trade_state',
    );
  }
  for (const name of PAYMENT_FIELDS) {
    const value = fields[name];
    if (value === undefined || value === '') {
      throw new NotificationError('MISSING_FIELD', `notification has no ${name}: not a payment result`, name);
    }
  }
  assertExpected(fields, options.expect, 'payment');
  const frozen: WireFields = Object.freeze(fields);
  return { tradeState: 'SUCCESS', order: normaliseOrderOf(frozen, names), fields: frozen };
}

function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * The XML acknowledgement WeChat expects in answer to a notification. Reply `true` only once the payment is
 * durably recorded: until WeChat reads SUCCESS it resends the notification.
 *
 * @example
 * ```ts
 * notificationReply(true);
 * // '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>'
 * notificationReply(false, 'signature invalid');
 * ```
 */
export function notificationReply(ok: boolean, message?: string): string {
  const code = ok ? 'SUCCESS' : 'FAIL';
  const msg = message ?? (ok ? 'OK' : 'FAIL');
  return `<xml><return_code>${cdata(code)}</return_code><return_msg>${cdata(msg)}</return_msg></xml>`;
}
