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
export { assertSigned } from './verify.ts';
export { buildXml, DEFAULT_MAX_XML_BYTES, type ParseXmlOptions, parseXml } from './xml.ts';
