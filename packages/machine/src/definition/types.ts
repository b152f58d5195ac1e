import type { FailureReason, Order, OrderQuery, TradeState, TradestateErrorCode } from '@tradestate/protocol';
import type { AtDeadline, SettleTiming } from '../engine/settle.ts';

/**
 * How a watch ended: a final `trade_state`, or a lifecycle end.
 *
 * - `NOT_FOUND`: WeChat kept answering ORDERNOTEXIST for the whole grace window.
 * - `DEADLINE`: the deadline passed, or the schedule gave up, before a final state, and the watch does not settle
 *   (`atDeadline: 'none'`); a settling watch ends `CLOSED`, `REVOKED` or `SUCCESS` instead.
 * - `ERROR`: an answer that asking again cannot fix (wrong key, no permission, another order's answer).
 * - `CANCELLED`: the caller's `signal` aborted, or `CANCEL` was sent.
 *
 * @example
 * ```ts
 * const end: WatchEnd = 'SUCCESS';
 * if (end === 'CLOSED') releaseStock(outTradeNo);
 * ```
 */
export type WatchEnd =
  | 'SUCCESS'
  | 'REFUND'
  | 'CLOSED'
  | 'REVOKED'
  | 'PAYERROR'
  | 'NOT_FOUND'
  | 'DEADLINE'
  | 'ERROR'
  | 'CANCELLED';

/**
 * The amount a watched order must have been paid: a poll answer with another amount ends the watch `ERROR`
 * (code `MISMATCH`), a notification with another is not believed. `totalFee` is integer fen; `feeType`
 * defaults to `'CNY'`.
 *
 * @example
 * ```ts
 * const expect: WatchExpectation = { totalFee: 10_000 };
 * ```
 */
export interface WatchExpectation {
  readonly totalFee: number;
  readonly feeType?: string | undefined;
}

/**
 * The err_codes WeChat Pay v2 answers a query, close or reverse with that this library knows by name.
 *
 * @example
 * ```ts
 * const code: WeChatErrCode = 'SYSTEMERROR';
 * ```
 */
export type WeChatErrCode =
  | 'SYSTEMERROR'
  | 'SYSTEM_ERROR'
  | 'BANKERROR'
  | 'FREQUENCY_LIMITED'
  | 'USERPAYING'
  | 'ORDERPAID'
  | 'ORDERCLOSED'
  | 'ORDERNOTEXIST'
  | 'TRADE_ERROR'
  | 'REVERSE_EXPIRE'
  | 'SIGNERROR'
  | 'NOAUTH'
  | 'APPID_NOT_EXIST'
  | 'MCHID_NOT_EXIST'
  | 'APPID_MCHID_NOT_MATCH'
  | 'SUB_MCH_ID_NOT_EXIST'
  | 'LACK_PARAMS'
  | 'PARAM_ERROR'
  | 'INVALID_TRANSACTIONID'
  | 'OUT_TRADE_NO_USED'
  | 'XML_FORMAT_ERROR'
  | 'RETURN_FAIL';

/**
 * The code of a {@link WatchError}: a tradestate error's code (`TIMEOUT`, `SIGNATURE_INVALID`, `MISMATCH`…), a
 * WeChat err_code, or one of the watch's own:
 *
 * - `UNEXPECTED`: the client threw something that is not a tradestate error.
 * - `SCHEDULE`: the schedule threw or returned a delay that is not one.
 * - `NO_CLIENT`: the client lacks the method a step needs (a live actor without a client).
 * - `RECALL_LIMIT`: reverse kept answering `recall: 'Y'`.
 * - `SETTLE_UNCONFIRMED`: settling tried as often as it may and no verified answer showed the order settled.
 *
 * WeChat may answer an err_code this library does not list, kept as it came: hence the open `string` member.
 *
 * @example
 * ```ts
 * if (w.end === 'ERROR' && w.error.code === 'MISMATCH') alertOperator(w.query, w.error.field);
 * ```
 */
export type WatchErrorCode =
  | TradestateErrorCode
  | WeChatErrCode
  | 'UNEXPECTED'
  | 'SCHEDULE'
  | 'NO_CLIENT'
  | 'RECALL_LIMIT'
  | 'SETTLE_UNCONFIRMED'
  // WeChat's err_code is an open set: an unknown one is kept as it came rather than lost.
  | (string & {});

/**
 * The error kept in a watch: only what is safe to log and persist (a stable code and a message, never a key
 * or a signed string).
 *
 * @example
 * ```ts
 * const error: WatchError = { code: 'NOAUTH', message: 'no permission', retryable: false };
 * ```
 */
export interface WatchError {
  readonly code: WatchErrorCode;
  readonly message: string;
  readonly retryable: boolean;
  /**
   * For a `MISMATCH` the watch's own binding found (its `expect`, or the merchant its polls showed): the wire
   * field that differed (`total_fee`, `fee_type`, `mch_id`, …). Never a value.
   */
  readonly field?: string | undefined;
  /** What a WeChat refusal means for the merchant's configuration (the protocol's `reason`), when known. */
  readonly reason?: FailureReason | undefined;
  /** WeChat's own text of a refusal (`return_msg` or `err_code_des`), as it sent it. */
  readonly wechatMessage?: string | undefined;
}

/**
 * The merchant a watched order belongs to (`appid`, `mch_id`, and in service-provider mode `sub_appid`,
 * `sub_mch_id`): given as a watch's `merchant`, or as the first verified poll answer named it (then only the
 * fields the answer carried are present). A notification must name every one of them, equally, and no
 * sub-merchant the merchant lacks, to be believed.
 *
 * @example
 * ```ts
 * const merchant: MerchantIds = { appId: 'wxd930ea5d5a258f4f', mchId: '10000100' };
 * ```
 */
export interface MerchantIds {
  readonly appId?: string | undefined;
  readonly mchId?: string | undefined;
  readonly subAppId?: string | undefined;
  readonly subMchId?: string | undefined;
}

/**
 * An {@link Order} as the machine keeps it in its context: JSON-safe (`paidAt` is an ISO string), so a
 * persisted snapshot survives `JSON.stringify`/`JSON.parse` unchanged. Fields the answer did not carry are
 * absent rather than `undefined` (and `coupons` absent when empty), except the two identities: a watched order keeps only what it has,
 * which is also exactly what a JSON round trip of a persisted snapshot leaves.
 *
 * @example
 * ```ts
 * const stored: StoredOrder = toStoredOrder(order); // { outTradeNo: 'A1', totalFee: 100, paidAt: '2026-…' }
 * ```
 */
export type StoredOrder = { readonly [K in Exclude<keyof Order, 'paidAt'>]?: Order[K] } & {
  readonly paidAt?: string | undefined;
  /** The order's identities: always present as keys (possibly `undefined`), since answers are matched on them. */
  readonly outTradeNo: string | undefined;
  readonly transactionId: string | undefined;
};

/**
 * A query outcome in the machine's JSON-safe form. `tradeState` of kind `order` may be a value this library
 * does not know; it is then recorded as an anomaly and never moves the machine.
 *
 * @example
 * ```ts
 * const o: WatchOutcome = { kind: 'order', tradeState: 'USERPAYING', order: storedOrder };
 * ```
 */
export type WatchOutcome =
  | {
      readonly kind: 'order';
      readonly tradeState: TradeState | { readonly unknown: string };
      readonly order: StoredOrder;
    }
  | { readonly kind: 'not-found'; readonly message: string }
  | ({ readonly kind: 'error' } & WatchError);

/**
 * Something an answer said that the machine refused to believe as a move, kept for the operator.
 *
 * - `backwards`: a state ranked at or below the current one (SUCCESS then NOTPAY): a stale replica answered.
 * - `unknown-trade-state`: a `trade_state` this library does not know.
 * - `not-found-after-order`: ORDERNOTEXIST after the order had been seen.
 * - `foreign-order`: an answer or notification naming another order than the one watched.
 * - `mismatch`: a notification about the watched order that fails its binding: another amount or currency than
 *   `expect`, a paid order without its amount, or another merchant (`appid`, `mch_id`, `sub_appid`,
 *   `sub_mch_id`) than the watch's `merchant` or, without one, the verified polls showed. `field` names which. Not believed; the next query is brought
 *   forward instead. (A poll answer that fails the binding ends the watch `ERROR` with code `MISMATCH`.)
 *
 * @example
 * ```ts
 * for (const a of watch.anomalies) console.warn(a.kind, a.field ?? '', a.from, '→', a.to);
 * ```
 */
export interface Anomaly {
  readonly kind: 'backwards' | 'unknown-trade-state' | 'not-found-after-order' | 'foreign-order' | 'mismatch';
  readonly source: 'poll' | 'notification';
  /** For a `mismatch`: the wire field that differed (`total_fee`, `fee_type`, `mch_id`, …). Never a value. */
  readonly field?: string | undefined;
  /** When the answer arrived (epoch ms). */
  readonly at: number;
  /** The state the watch was in. */
  readonly from: TradeState | undefined;
  /** What the answer claimed. */
  readonly to: string | undefined;
}

/**
 * The machine's context: everything needed to continue a watch, JSON-safe so a persisted snapshot can be
 * stored anywhere. Times are epoch milliseconds of the injected clock.
 *
 * @example
 * ```ts
 * const { dueAt, attempts } = actor.getSnapshot().context;
 * ```
 */
export interface OrderContext {
  readonly query: OrderQuery;
  readonly startedAt: number;
  readonly deadlineAt: number;
  /** When the next query is due; `null` once the schedule gave up. */
  readonly dueAt: number | null;
  readonly notFoundGraceMs: number;
  readonly followRefunds: boolean;
  /** Queries started. */
  readonly attempts: number;
  /** Retryable failures since the last good answer; schedules use it to back off. */
  readonly consecutiveErrors: number;
  readonly tradeState: TradeState | undefined;
  readonly order: StoredOrder | undefined;
  readonly notFoundSince: number | undefined;
  readonly lastOutcomeAt: number | undefined;
  readonly anomalies: readonly Anomaly[];
  /**
   * The fatal error (end `ERROR`); the latest retryable one while the watch goes on, and at end `DEADLINE` when
   * no good answer came after it (why the watch ran out).
   */
  readonly error: WatchError | undefined;
  /**
   * The amount the order must have been paid, bound on every channel. Optional (like the two fields below) so
   * that snapshots persisted before it existed still resume: absent means not bound.
   */
  readonly expect?: WatchExpectation | undefined;
  /** The merchant the watch was given, else the one the first verified poll answer named; both channels bind it. */
  readonly merchant?: MerchantIds | undefined;
  /** When the latest query started (entered `querying`): a brought-forward query comes no sooner than 1 s after. */
  readonly lastQueryAt?: number | undefined;
  /** What the watch does at its deadline; absent (older snapshots) means `'none'`. */
  readonly atDeadline?: AtDeadline | undefined;
  /** When the order was created (epoch ms): a close waits until `createdAt + closeAfterMs`. Absent: `startedAt`. */
  readonly createdAt?: number | undefined;
  /** Settling's pauses and bounds, resolved; present only when `atDeadline` is not `'none'`. */
  readonly settleTiming?: SettleTiming | undefined;
  /** Where settling stands, once the watch entered `SETTLING`. */
  readonly settle?: SettleProgress | undefined;
}

/**
 * Where a settling watch stands: persisted, so a process that stops mid-settle resumes from it (with a query
 * first when a close or reverse was in flight: never a blind second call).
 *
 * @example
 * ```ts
 * const { action, calls } = snapshot.context.settle!;
 * ```
 */
export interface SettleProgress {
  readonly action: 'close' | 'reverse';
  /** What the next step does: call close/reverse, or confirm with a verified query. */
  readonly next: 'call' | 'confirm';
  /** When the next step is due (epoch ms). */
  readonly dueAt: number;
  /** Close or reverse calls sent. */
  readonly calls: number;
  /** Reverse calls made again after `recall: 'Y'`. */
  readonly recalls: number;
  /** Retryable failures (and confirming queries that still found the order open) in a row. */
  readonly failures: number;
  /** When the call or query in flight is abandoned (a retryable `TIMEOUT`). */
  readonly callBy: number;
}

/**
 * What one close or reverse call said, reduced for the machine: `done` (closed, or already closed; reversed),
 * `paid` (close refused with ORDERPAID), `recall` (reverse asks to be called again), or an error. None is
 * believed as a trade state: a verified query confirms every one.
 *
 * @example
 * ```ts
 * const result: SettleResult = { kind: 'paid' };
 * ```
 */
export type SettleResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'paid' }
  | { readonly kind: 'recall' }
  | { readonly kind: 'error'; readonly error: WatchError };

/**
 * What starts an {@link orderMachine}.
 *
 * @example
 * ```ts
 * const now = Date.now();
 * const input: OrderMachineInput = { query: { outTradeNo: 'A1' }, startedAt: now, deadlineAt: now + 60_000 };
 * ```
 */
export interface OrderMachineInput {
  readonly query: OrderQuery;
  readonly startedAt: number;
  readonly deadlineAt: number;
  /** When the first query is due; defaults to `startedAt`. `null` ends the watch at once with `DEADLINE`. */
  readonly firstQueryAt?: number | null | undefined;
  /** How long ORDERNOTEXIST is tolerated before the end `NOT_FOUND`. Default 30 000 ms. */
  readonly notFoundGraceMs?: number | undefined;
  /** Keep watching after SUCCESS (state `PAID`) until REFUND or the deadline. Default false. */
  readonly followRefunds?: boolean | undefined;
  /** The amount the order must have been paid (see {@link WatchExpectation}). */
  readonly expect?: WatchExpectation | undefined;
  /** The merchant the order belongs to, bound from the start (see {@link MerchantIds}); else learnt from the polls. */
  readonly merchant?: MerchantIds | undefined;
  /**
   * A reason the watch cannot run, found before it started (its schedule refused to give a first delay): the
   * watch ends `ERROR` with it at once. Must not be retryable.
   */
  readonly failure?: WatchError | undefined;
  /** What to do at the deadline (default `'none'`: end `DEADLINE`). */
  readonly atDeadline?: AtDeadline | undefined;
  /** When the order was created (epoch ms); default `startedAt`. */
  readonly createdAt?: number | undefined;
  /** Settling's pauses and bounds; defaults from WeChat's guidance. */
  readonly settleTiming?: Partial<SettleTiming> | undefined;
}

/**
 * The events of {@link orderMachine}. Drivers (the invoked actors of a live actor, or `watchOrders` advancing
 * snapshots purely) send them; every time is the injected clock's.
 *
 * - `DUE`: the wait ended; query now, or end if the deadline passed.
 * - `ANSWER` / `QUERY_FAILED`: the outcome of the query in flight, with the next delay the schedule chose.
 * - `NOTIFY`: a verified notification (or an outcome learnt elsewhere); it goes through the same guards. One that
 *   fails the watch's binding is an anomaly and brings the next query forward, like `ASK`.
 * - `ASK`: something suggests the order changed (a notification that could not be verified names it): query
 *   soon. Never changes a state; while waiting, the next query is brought forward to now, but no sooner than
 *   1 s after the previous query started and never past the deadline; while querying it does nothing.
 * - `SETTLED`: the close or reverse call in flight answered (see {@link SettleResult}).
 * - `SETTLE_LOST`: a close or reverse was in flight when the process stopped: its answer is lost, a query decides.
 * - `CANCEL`: stop watching.
 *
 * @example
 * ```ts
 * actor.send({ type: 'NOTIFY', outcome: { kind: 'order', tradeState: 'SUCCESS', order }, at: Date.now() });
 * ```
 */
export type OrderEvent =
  | { readonly type: 'DUE'; readonly at: number }
  | {
      readonly type: 'ANSWER';
      readonly outcome: WatchOutcome;
      readonly at: number;
      readonly nextDelayMs: number | null;
    }
  | {
      readonly type: 'QUERY_FAILED';
      readonly error: WatchError;
      readonly at: number;
      readonly nextDelayMs: number | null;
    }
  | { readonly type: 'NOTIFY'; readonly outcome: WatchOutcome; readonly at: number }
  | { readonly type: 'ASK'; readonly at: number }
  | { readonly type: 'SETTLED'; readonly result: SettleResult; readonly at: number }
  | { readonly type: 'SETTLE_LOST'; readonly at: number }
  | { readonly type: 'CANCEL'; readonly at: number };

/**
 * What a finished {@link orderMachine} outputs.
 *
 * @example
 * ```ts
 * actor.subscribe({ complete: () => console.log(actor.getSnapshot().output?.end) });
 * ```
 */
export interface OrderMachineOutput {
  readonly end: WatchEnd;
  readonly tradeState: TradeState | undefined;
  readonly order: StoredOrder | undefined;
  readonly attempts: number;
  readonly anomalies: readonly Anomaly[];
  readonly error: WatchError | undefined;
}

/** What every emission of a watch carries, watching or done. */
export interface WatchCommon {
  readonly query: OrderQuery;
  /** The latest verified trade state, or undefined before any. */
  readonly tradeState: TradeState | undefined;
  /** Queries started so far (settling's confirming queries included). */
  readonly attempts: number;
  readonly anomalies: readonly Anomaly[];
  /** When the latest answer or notification was believed (epoch ms). */
  readonly lastOutcomeAt: number | undefined;
  /** Where settling stands once the watch entered `SETTLING` (and at its end); undefined before. */
  readonly settle: SettleProgress | undefined;
}

/**
 * An emission while the order is watched (`done: false`). `paid` is true on exactly one emission of the stream:
 * the first that shows the order paid (`tradeState` SUCCESS) — here while following refunds, else on the
 * `SUCCESS` end — and then `order` is the verified order: ship on it. (A watch resumed from a store in `PAID` says
 * it again on its first emission: after a crash, at least once.)
 *
 * @example
 * ```ts
 * if (w.paid) ship(w.order);
 * if (!w.done && w.settle !== undefined) console.log('closing', w.query, 'calls sent:', w.settle.calls);
 * ```
 */
export type WatchingOrder = WatchCommon & {
  readonly done: false;
  readonly end: undefined;
  /** The latest retryable error not followed by a good answer. */
  readonly error: WatchError | undefined;
} & (
    | { readonly paid: true; readonly order: Order }
    | {
        readonly paid: false;
        /** The order as the latest believed answer described it, if any. */
        readonly order: Order | undefined;
      }
  );

/**
 * The end of a paid order: `SUCCESS` (paid), or `REFUND` (paid, then refunded): `order` is the verified order.
 *
 * @example
 * ```ts
 * if (w.end === 'SUCCESS') ship(w.order);
 * ```
 */
export interface PaidEnd extends WatchCommon {
  readonly done: true;
  readonly end: 'SUCCESS' | 'REFUND';
  /** True when this end is the first emission that shows the payment (see {@link WatchingOrder}). */
  readonly paid: boolean;
  readonly order: Order;
  readonly error: undefined;
}

/**
 * The end of a watch whose deadline passed (or whose schedule gave up) without a final state, and which did not
 * settle: `reason` says whether any verified answer came. `'NO_ANSWER'`: none did (WeChat unreachable, every
 * answer refused): nothing is known of the order, so neither close nor ship on it without asking WeChat.
 * `'UNPAID'`: the last verified answer showed it unpaid (`tradeState`).
 *
 * @example
 * ```ts
 * if (w.end === 'DEADLINE' && w.reason === 'UNPAID') await client.closeOrder({ outTradeNo });
 * ```
 */
export interface DeadlineEnd extends WatchCommon {
  readonly done: true;
  readonly paid: false;
  readonly end: 'DEADLINE';
  readonly reason: 'NO_ANSWER' | 'UNPAID';
  readonly order: Order | undefined;
  /** The latest retryable error not followed by a good answer: why no answer came. */
  readonly error: WatchError | undefined;
}

/**
 * The end `ERROR`: what asking again cannot fix (wrong key, no permission, a mismatch, a close refused).
 *
 * @example
 * ```ts
 * if (w.end === 'ERROR') log.error(w.error.code, w.error.message);
 * ```
 */
export interface ErrorEnd extends WatchCommon {
  readonly done: true;
  readonly paid: false;
  readonly end: 'ERROR';
  readonly error: WatchError;
  /** At code `MISMATCH`, the order the refused poll answer described, kept for the operator: never ship on it. */
  readonly order: Order | undefined;
}

/**
 * The other ends: `CLOSED`, `REVOKED`, `PAYERROR` (final trade states), `NOT_FOUND`, `CANCELLED`.
 *
 * @example
 * ```ts
 * if (w.end === 'CLOSED') releaseStock(w.query);
 * ```
 */
export interface OtherEnd extends WatchCommon {
  readonly done: true;
  readonly paid: false;
  readonly end: 'CLOSED' | 'REVOKED' | 'PAYERROR' | 'NOT_FOUND' | 'CANCELLED';
  readonly order: Order | undefined;
  readonly error: undefined;
}

/**
 * One emission of `watchOrder`/`watchOrders`: where the watch of one order stands. A discriminated union:
 * `done` narrows `end`, and `end` narrows the rest (`SUCCESS`/`REFUND` carry the `order`, `ERROR` its `error`,
 * `DEADLINE` its `reason`).
 *
 * @example
 * ```ts
 * watchOrder(options).subscribe((w) => {
 *   if (w.paid) ship(w.order);
 *   if (w.end === 'DEADLINE' && w.reason === 'NO_ANSWER') askOperator(w.query);
 * });
 * ```
 */
export type OrderWatch = WatchingOrder | PaidEnd | DeadlineEnd | ErrorEnd | OtherEnd;
