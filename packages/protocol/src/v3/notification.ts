import { MalformedResponseError } from '../errors.ts';
import type { ExpectedAnswer } from '../expect.ts';
import type { PaymentNotification } from '../notification.ts';
import { apiV3KeyOf, decryptAesGcm } from './aes-gcm.ts';
import { assertExpectedV3 } from './expect.ts';
import type { HeaderSource } from './headers.ts';
import { DEFAULT_MAX_JSON_BYTES, parseJsonObject } from './json.ts';
import { flattenJson, jsonInteger, jsonObject, jsonString } from './json-fields.ts';
import { normaliseTransactionV3 } from './order.ts';
import { type PlatformKeyOptions, platformVerifierOf } from './platform-keys.ts';
import { verifyWechatpaySignature } from './verify-response.ts';

/**
 * Options of {@link decodeNotificationV3}.
 *
 * @example
 * ```ts
 * const options: DecodeNotificationV3Options = { apiV3Key, platformPublicKey, platformPublicKeyId, expect: { totalFee: 100 } };
 * ```
 */
export interface DecodeNotificationV3Options extends PlatformKeyOptions {
  /** The merchant's APIv3 key (32 bytes) the `resource` is encrypted with. Never logged or put in an error. */
  readonly apiV3Key: string | Uint8Array;
  /** What the payment must be about (merchant, order, amount); anything else is a `MismatchError`. */
  readonly expect?: ExpectedAnswer | undefined;
  /** Size cap of the body, and of the decrypted resource, in bytes. Default 64 KiB. */
  readonly maxBytes?: number | undefined;
}

/**
 * One APIv3 notification as your HTTP server received it: its headers and its **raw** body (bytes or the exact
 * text; never a parsed and re-serialised object, which no longer matches the signature).
 *
 * @example
 * ```ts
 * const request: NotificationRequestV3 = { headers: req.headers, body: rawBody };
 * ```
 */
export interface NotificationRequestV3 {
  readonly headers: HeaderSource;
  readonly body: Uint8Array | string;
}

function malformed(message: string): MalformedResponseError {
  return new MalformedResponseError('MALFORMED_RESPONSE', message);
}

/**
 * Decodes and verifies WeChat Pay APIv3's payment-result notification (the POST to your `notify_url`), in the only
 * safe order: the headers' signature over the raw body first (`SignatureError`, the same checks as an answer,
 * `WECHATPAY/SIGNTEST/` probes included), then the JSON read safely (`MALFORMED_JSON`), then the `resource`
 * decrypted with AES-256-GCM under the APIv3 key (`DecryptionError`), then the payment-result rules: `event_type`
 * `TRANSACTION.SUCCESS`, an encrypted `transaction`, `trade_state` SUCCESS with `transaction_id`, `out_trade_no`,
 * `amount.total` and `success_time` (`MalformedResponseError` otherwise: a refund or any other event is not a
 * payment), then the binding to `expect` (`MismatchError`). Reply with {@link notificationReplyV3}.
 *
 * @example
 * ```ts
 * try {
 *   const { order } = decodeNotificationV3({ headers: req.headers, body: rawBody }, { apiV3Key, platformPublicKey, platformPublicKeyId });
 *   await markPaid(order.outTradeNo);
 *   reply(notificationReplyV3(true));
 * } catch {
 *   reply(notificationReplyV3(false, 'invalid notification'));
 * }
 * ```
 */
export function decodeNotificationV3(
  request: NotificationRequestV3,
  options: DecodeNotificationV3Options,
): PaymentNotification {
  const key = apiV3KeyOf(options.apiV3Key);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_JSON_BYTES;
  if (request.body.length > maxBytes) {
    throw new MalformedResponseError('MALFORMED_JSON', `notification body over ${maxBytes} bytes`);
  }
  verifyWechatpaySignature(request.headers, request.body, platformVerifierOf(options));
  const envelope = parseJsonObject(request.body, maxBytes);
  if (jsonString(envelope, 'event_type') !== 'TRANSACTION.SUCCESS') {
    throw malformed('notification event_type is not TRANSACTION.SUCCESS: not a payment result');
  }
  const resource = jsonObject(envelope, 'resource');
  if (resource === undefined) throw malformed('notification carries no resource');
  if (jsonString(resource, 'algorithm') !== 'AEAD_AES_256_GCM') {
    throw malformed('notification resource is not AEAD_AES_256_GCM');
  }
  const originalType = jsonString(resource, 'original_type');
  if (originalType !== undefined && originalType !== 'transaction') {
    throw malformed('notification resource is not a transaction');
  }
  const plaintext = decryptAesGcm(
    jsonString(resource, 'ciphertext') ?? '',
    key,
    jsonString(resource, 'nonce') ?? '',
    jsonString(resource, 'associated_data') ?? '',
  );
  const transaction = parseJsonObject(plaintext, maxBytes);
  if (jsonString(transaction, 'trade_state') !== 'SUCCESS') {
    throw malformed('notification trade_state is not SUCCESS: not a payment');
  }
  for (const name of ['transaction_id', 'out_trade_no', 'success_time']) {
    if (jsonString(transaction, name) === undefined) throw malformed(`notification names no ${name}`);
  }
  if (jsonInteger(jsonObject(transaction, 'amount'), 'total') === undefined) {
    throw malformed('notification names no amount.total');
  }
  assertExpectedV3(transaction, options.expect, 'payment');
  return { tradeState: 'SUCCESS', order: normaliseTransactionV3(transaction), fields: flattenJson(transaction) };
}

/**
 * The HTTP answer to give WeChat for an APIv3 notification.
 *
 * @example
 * ```ts
 * const reply: NotificationReplyV3 = notificationReplyV3(false, 'bad signature');
 * res.writeHead(reply.status, reply.headers).end(reply.body);
 * ```
 */
export interface NotificationReplyV3 {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * The acknowledgement of an APIv3 notification: `204` with no body once the payment is durably recorded (WeChat
 * stops resending), otherwise `status` (default 500; any 4xx/5xx makes WeChat resend on its schedule) with
 * `{"code":"FAIL","message":…}`.
 *
 * @example
 * ```ts
 * notificationReplyV3(true); // { status: 204, headers: {}, body: '' }
 * notificationReplyV3(false, 'signature invalid', 401).body; // '{"code":"FAIL","message":"signature invalid"}'
 * ```
 */
export function notificationReplyV3(ok: boolean, message?: string, status = 500): NotificationReplyV3 {
  if (ok) return { status: 204, headers: {}, body: '' };
  const code = Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
  return {
    status: code,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ code: 'FAIL', message: message ?? 'FAIL' }),
  };
}
