// What users of WeChat Pay v2 write: clients, decoders, notifications, outcomes, errors. The codec (sign, verify,
// XML) is the `@tradestate/protocol/codec` subpath; everything else is internal and tested from its own file.
export type { ClosedOutcome, CloseOrderOutcome } from './close-order.ts';
export {
  type CloudPayClient,
  type CloudPayClientOptions,
  type CloudPayCloseLike,
  type CloudPayLike,
  createCloudPayClient,
} from './cloud-pay.ts';
export { decodeCloudPayResult } from './cloud-pay-result.ts';
export { type DecodeOrderQueryOptions, decodeOrderQuery } from './decode.ts';
export * from './errors.ts';
export type { ExpectedAnswer } from './expect.ts';
export type { FailureReason } from './failure.ts';
export { createPayClient, type PayClientOptions } from './http-client.ts';
export {
  type DecodeNotificationOptions,
  decodeNotification,
  notificationReply,
  type PaymentNotification,
} from './notification.ts';
export { readNotificationHint } from './notification-hint.ts';
export type { CloseOrderRequest, PayClient } from './pay-client.ts';
// Kept for the CLI, which checks an order id before watching (a usage error, not a watch that ends in ERROR).
export { type QueryIdentifier, queryIdentifier } from './query.ts';
export type { RecallOutcome, ReversedOutcome, ReverseOrderOutcome } from './reverse-order.ts';
export * from './types.ts';
// ---- WeChat Pay APIv3 (issue 14): client, notifications, answer decoders and the codec the sandbox shares. ----
export { apiV3KeyOf, decryptAesGcm, encryptAesGcm } from './v3/aes-gcm.ts';
export type { V3Answer } from './v3/answer.ts';
export { authorizationHeader, parseAuthorizationHeader, signRequest } from './v3/authorization.ts';
export { createPayClientV3, type PayClientV3, type PayClientV3Options } from './v3/client.ts';
export { type DecodeV3Options, decodeOrderQueryV3 } from './v3/decode.ts';
export type { HeaderSource } from './v3/headers.ts';
export { type JsonObject, parseJsonObject } from './v3/json.ts';
export { type KeyInput, privateKeyOf, publicKeyOf } from './v3/keys.ts';
export {
  type DecodeNotificationV3Options,
  decodeNotificationV3,
  type NotificationReplyV3,
  type NotificationRequestV3,
  notificationReplyV3,
} from './v3/notification.ts';
export { normaliseTransactionV3 } from './v3/order.ts';
export { isRetryableV3Code } from './v3/retryable.ts';
export { signSha256Rsa, verifySha256Rsa } from './v3/rsa.ts';
export { decodeCloseOrderV3, decodeReverseOrderV3 } from './v3/settle.ts';
export { requestSigningMessage, responseSigningMessage } from './v3/signing-message.ts';
export {
  MAX_SIGNATURE_SKEW_SECONDS,
  type PlatformVerifier,
  SIGNTEST_PREFIX,
  verifyWechatpaySignature,
} from './v3/verify-response.ts';
