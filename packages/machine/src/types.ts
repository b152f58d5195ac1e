import type { Order, OrderQuery, TradeState } from '@tradestate/protocol';

/**
 * How a watch ended: a final `trade_state`, or a lifecycle end.
 *
 * - `NOT_FOUND`: WeChat kept answering ORDERNOTEXIST for the whole grace window.
 * - `DEADLINE`: the deadline passed, or the schedule gave up, before a final state.
 * - `ERROR`: an answer that asking again cannot fix (wrong key, no permission, another order's answer).
 * - `CANCELLED`: the caller's `signal` aborted, or `CANCEL` was sent.
 *
 * @example
 * ```ts
 * const end: WatchEnd = 'SUCCESS';
 * if (end === 'DEADLINE') await closeOrder(outTradeNo);
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
 * The error kept in a watch: only what is safe to log and persist (a stable code and a message, never a key
 * or a signed string).
 *
 * @example
 * ```ts
 * const error: WatchError = { code: 'NOAUTH', message: 'no permission', retryable: false };
 * ```
 */
export interface WatchError {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
  /**
   * For a `MISMATCH` the watch's own binding found (its `expect`, or the merchant its polls showed): the wire
   * field that differed (`total_fee`, `fee_type`, `mch_id`, …). Never a value.
   */
  readonly field?: string | undefined;
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
  | { readonly kind: 'error'; readonly code: string; readonly message: string; readonly retryable: boolean };

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
}

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

/**
 * One emission of `watchOrder`/`watchOrders`: where the watch of one order stands.
 *
 * @example
 * ```ts
 * watchOrder(options).subscribe((w) => { if (w.done && w.end === 'SUCCESS') ship(w.order); });
 * ```
 */
export interface OrderWatch {
  readonly query: OrderQuery;
  /** The latest verified trade state, or undefined before any. */
  readonly tradeState: TradeState | undefined;
  readonly done: boolean;
  /** How the watch ended, once `done`. */
  readonly end: WatchEnd | undefined;
  /** Queries started so far. */
  readonly attempts: number;
  /**
   * The order as the latest believed answer described it (verified, about this merchant, order and amount). At
   * end `ERROR` with code `MISMATCH`, the order the refused poll answer described, kept for the operator: never
   * ship on it.
   */
  readonly order: Order | undefined;
  readonly anomalies: readonly Anomaly[];
  /**
   * The fatal error once `end` is `ERROR`; while watching, and at end `DEADLINE`, the latest retryable error not
   * followed by a good answer.
   */
  readonly error: WatchError | undefined;
  /** When the latest answer or notification was believed (epoch ms). */
  readonly lastOutcomeAt: number | undefined;
}
