export {
  type ClosedOutcome,
  type CloseOrderOutcome,
  decodeCloseOrder,
  isRetryableCloseErrCode,
} from './close-order.ts';
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
export { assertExpected, type ExpectedAnswer } from './expect.ts';
export type { FailureReason } from './failure.ts';
export {
  createPayClient,
  DEFAULT_BASE_URL,
  DEFAULT_TIMEOUT_MS,
  type PayClientOptions,
} from './http-client.ts';
export { createNodeAdapter, ERR_RESPONSE_TOO_LARGE, type NodeAdapterOptions, sharedAgents } from './node-adapter.ts';
export {
  type DecodeNotificationOptions,
  decodeNotification,
  notificationReply,
  type PaymentNotification,
} from './notification.ts';
export { readNotificationHint } from './notification-hint.ts';
export { normaliseOrder } from './order.ts';
export type { CloseOrderRequest, PayClient } from './pay-client.ts';
export { type QueryIdentifier, queryIdentifier } from './query.ts';
export { isRetryableErrCode, isRetryableReturnMessage } from './retryable.ts';
export {
  decodeReverseOrder,
  isRetryableReverseFailure,
  type RecallOutcome,
  type ReversedOutcome,
  type ReverseOrderOutcome,
} from './reverse-order.ts';
export { type SignableParams, sign, signingString, verifySignature } from './sign.ts';
export { rejectNonXml } from './sniff.ts';
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
export { assertSigned } from './verify.ts';
export { buildXml, DEFAULT_MAX_XML_BYTES, type ParseXmlOptions, parseXml } from './xml.ts';
