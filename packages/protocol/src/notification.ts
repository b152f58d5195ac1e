import { MalformedResponseError } from './errors.ts';
import { assertExpected, type ExpectedAnswer } from './expect.ts';
import { normaliseOrder } from './order.ts';
import { rejectNonXml } from './sniff.ts';
import type { Order, SignType, WireFields } from './types.ts';
import { assertSigned } from './verify.ts';
import { parseXml } from './xml.ts';

/**
 * Options of {@link decodeNotification}.
 *
 * @example
 * ```ts
 * const options: DecodeNotificationOptions = { key: process.env.WECHATPAY_KEY!, signType: 'MD5' };
 * ```
 */
export interface DecodeNotificationOptions {
  /** The merchant API key the notification is verified with. */
  readonly key: string;
  /** Notifications are signed with MD5 unless the merchant configured HMAC-SHA256. Default `'MD5'`. */
  readonly signType?: SignType | undefined;
  /** Size cap of the body in bytes (default `DEFAULT_MAX_XML_BYTES`). */
  readonly maxBytes?: number | undefined;
  /** What the notification must be about (merchant, order, amount); anything else is a `MismatchError`. */
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

function malformed(message: string): MalformedResponseError {
  return new MalformedResponseError('MALFORMED_RESPONSE', message);
}

/**
 * Decodes and verifies WeChat Pay v2's payment-result notification (the POST to your `notify_url`).
 *
 * Only a notification with `return_code` and `result_code` SUCCESS and a sign that verifies over every field
 * yields `tradeState: 'SUCCESS'`; a FAIL notification is never a payment. Throws `MalformedResponseError`
 * (bad XML, FAIL codes, no `out_trade_no`, bad amounts), `SignatureError` (missing or wrong sign) or
 * `TransportError` `NOT_XML` (empty, HTML, JSON). Reply with {@link notificationReply}.
 *
 * @example
 * ```ts
 * try {
 *   const { order } = decodeNotification(req.body, { key });
 *   await markPaid(order.outTradeNo);
 *   res.end(notificationReply(true));
 * } catch {
 *   res.end(notificationReply(false, 'invalid notification'));
 * }
 * ```
 */
export function decodeNotification(body: string | Uint8Array, options: DecodeNotificationOptions): PaymentNotification {
  rejectNonXml(body);
  const fields = parseXml(body, options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  if (fields['return_code'] !== 'SUCCESS') throw malformed('notification return_code is not SUCCESS');
  assertSigned(fields, options.key, options.signType ?? 'MD5');
  if (fields['result_code'] !== 'SUCCESS') throw malformed('notification result_code is not SUCCESS: not a payment');
  if (!fields['out_trade_no']) throw malformed('notification names no out_trade_no');
  assertExpected(fields, options.expect, 'payment');
  const frozen: WireFields = Object.freeze(fields);
  return { tradeState: 'SUCCESS', order: normaliseOrder(frozen), fields: frozen };
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
