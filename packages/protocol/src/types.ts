import type { ExpectedAnswer } from './expect.ts';
import type { FailureReason } from './failure.ts';

/**
 * The `trade_state` values WeChat Pay v2 documents for `orderquery`.
 *
 * @example
 * ```ts
 * import { TRADE_STATES, type TradeState } from '@tradestate/protocol';
 * const paid: TradeState = 'SUCCESS';
 * TRADE_STATES.includes(paid); // true
 * ```
 */
export const TRADE_STATES = [
  'SUCCESS',
  'REFUND',
  'NOTPAY',
  'CLOSED',
  'REVOKED',
  'USERPAYING',
  'PAYERROR',
  'ACCEPT',
] as const;

/**
 * One of WeChat Pay's documented `trade_state` values.
 *
 * @example
 * ```ts
 * const state: TradeState = 'NOTPAY';
 * ```
 */
export type TradeState = (typeof TRADE_STATES)[number];

/**
 * Tells whether a string is one of the documented {@link TradeState} values.
 *
 * @example
 * ```ts
 * isTradeState('SUCCESS'); // true
 * isTradeState('PAID'); // false
 * ```
 */
export function isTradeState(value: unknown): value is TradeState {
  return typeof value === 'string' && (TRADE_STATES as readonly string[]).includes(value);
}

/**
 * A `trade_state` WeChat sent that this library does not know (WeChat adds values over time).
 * The raw value is kept; it is never treated as terminal.
 *
 * @example
 * ```ts
 * const s: UnknownTradeState = { unknown: 'SOMETHING_NEW' };
 * ```
 */
export interface UnknownTradeState {
  readonly unknown: string;
}

/**
 * The signature algorithms of WeChat Pay v2.
 *
 * @example
 * ```ts
 * const signType: SignType = 'HMAC-SHA256';
 * ```
 */
export type SignType = 'MD5' | 'HMAC-SHA256';

/**
 * One coupon applied to an order, from the `coupon_id_N`, `coupon_type_N` and `coupon_fee_N` fields.
 *
 * @example
 * ```ts
 * const c: Coupon = { id: '10000', type: 'CASH', fee: 100 };
 * ```
 */
export interface Coupon {
  readonly id: string | undefined;
  readonly type: string | undefined;
  /** Amount in fen (1/100 CNY). */
  readonly fee: number | undefined;
}

/**
 * The camelCase normalisation of an order as `orderquery` or a notification returns it.
 * Amounts are integer fen; ids stay strings (a 28-digit `transaction_id` must not become a float).
 *
 * @example
 * ```ts
 * if (outcome.kind === 'order') console.log(outcome.order.totalFee, outcome.order.paidAt?.toISOString());
 * ```
 */
export interface Order {
  readonly appId: string | undefined;
  readonly mchId: string | undefined;
  readonly subAppId: string | undefined;
  readonly subMchId: string | undefined;
  readonly deviceInfo: string | undefined;
  readonly openId: string | undefined;
  readonly isSubscribe: boolean | undefined;
  readonly subOpenId: string | undefined;
  readonly subIsSubscribe: boolean | undefined;
  readonly tradeType: string | undefined;
  readonly bankType: string | undefined;
  readonly totalFee: number | undefined;
  readonly settlementTotalFee: number | undefined;
  readonly feeType: string | undefined;
  readonly cashFee: number | undefined;
  readonly cashFeeType: string | undefined;
  readonly couponFee: number | undefined;
  readonly couponCount: number | undefined;
  readonly coupons: readonly Coupon[];
  readonly transactionId: string | undefined;
  readonly outTradeNo: string | undefined;
  readonly attach: string | undefined;
  /** `time_end` as WeChat sent it: `yyyyMMddHHmmss`, Beijing time. */
  readonly timeEnd: string | undefined;
  /** `time_end` as an instant, read as Beijing time (UTC+8). */
  readonly paidAt: Date | undefined;
  readonly tradeStateDesc: string | undefined;
}

/**
 * The fields WeChat sent, as strings, verified where a signature applies.
 *
 * @example
 * ```ts
 * const fields: WireFields = outcome.fields;
 * fields['trade_state']; // 'SUCCESS'
 * ```
 */
export type WireFields = Readonly<Record<string, string>>;

/**
 * What a well-formed `orderquery` answer said. Anything that cannot be trusted or read is thrown as a
 * {@link TradestateError} instead, so an outcome of kind `order` always comes from a verified signature.
 *
 * @example
 * ```ts
 * switch (outcome.kind) {
 *   case 'order': if (outcome.tradeState === 'SUCCESS') ship(); break;
 *   case 'not-found': break;
 *   case 'error': if (outcome.retryable) retryLater(); break;
 * }
 * ```
 */
export type OrderQueryOutcome = OrderOutcome | NotFoundOutcome | ErrorOutcome;

/**
 * A verified answer carrying a trade state. `tradeState` is a {@link TradeState}, or an
 * {@link UnknownTradeState} when WeChat sent a value this library does not know.
 *
 * @example
 * ```ts
 * if (outcome.kind === 'order' && typeof outcome.tradeState === 'string') console.log(outcome.tradeState);
 * ```
 */
export interface OrderOutcome {
  readonly kind: 'order';
  readonly tradeState: TradeState | UnknownTradeState;
  readonly order: Order;
  readonly fields: WireFields;
}

/**
 * ORDERNOTEXIST: WeChat does not (yet) know the order.
 *
 * @example
 * ```ts
 * if (outcome.kind === 'not-found') console.log(outcome.message);
 * ```
 */
export interface NotFoundOutcome {
  readonly kind: 'not-found';
  readonly message: string;
  readonly fields: WireFields;
}

/**
 * A well-formed failure answer (`return_code` FAIL or `result_code` FAIL other than ORDERNOTEXIST).
 * It never carries a trade state.
 *
 * @example
 * ```ts
 * if (outcome.kind === 'error' && !outcome.retryable) alert(`${outcome.message} (WeChat: ${outcome.wechatMessage})`);
 * ```
 */
export interface ErrorOutcome {
  readonly kind: 'error';
  /** `err_code`, or `RETURN_FAIL` for a `return_code` FAIL answer. */
  readonly code: string;
  /**
   * What the refusal means for the merchant's configuration, for the well-known v2 failures (wrong key or sign
   * type, appid/mch_id mismatch, unknown mch_id, missing sub_mch_id, no permission…); `undefined` for transient
   * and order-state failures. An outcome with a reason is never retryable. Set by every decoder of this library;
   * optional so that outcomes built by hand (test doubles, other transports) stay valid.
   */
  readonly reason?: FailureReason | undefined;
  /** An English sentence naming what to check ("…the API key or sign type does not match this merchant…"). */
  readonly message: string;
  /** WeChat's own text (`return_msg` or `err_code_des`), as it sent it. Set by every decoder of this library. */
  readonly wechatMessage?: string | undefined;
  readonly retryable: boolean;
  readonly fields: WireFields;
}

/**
 * Which order to query: exactly one of WeChat's `transaction_id` or the merchant's `out_trade_no`.
 *
 * @example
 * ```ts
 * const q: OrderQuery = { outTradeNo: '1415757673' };
 * ```
 */
export type OrderQuery =
  | { readonly outTradeNo: string; readonly transactionId?: undefined }
  | { readonly transactionId: string; readonly outTradeNo?: undefined };

/**
 * Per-call options of {@link OrderQueryClient.queryOrder}.
 *
 * @example
 * ```ts
 * await client.queryOrder({ outTradeNo: 'A1' }, { signal: AbortSignal.timeout(5000) });
 * ```
 */
export interface QueryOptions {
  /** Aborts the request; the promise rejects with a `TransportError` of code `ABORTED`. */
  readonly signal?: AbortSignal | undefined;
  /**
   * What the answer must also be about, beyond the merchant and order the client binds by itself: typically the
   * order's amount (`{ totalFee, feeType? }`). A verified answer that differs throws `MismatchError`.
   */
  readonly expect?: ExpectedAnswer | undefined;
}

/**
 * What `@tradestate/machine` needs from a transport: the HTTP client, the CloudPay client, or a test double.
 *
 * @example
 * ```ts
 * const client: OrderQueryClient = createPayClient({ appId, mchId, key });
 * const outcome = await client.queryOrder({ outTradeNo: 'A1' });
 * ```
 */
export interface OrderQueryClient {
  queryOrder(query: OrderQuery, options?: QueryOptions): Promise<OrderQueryOutcome>;
}
