import type { TradeState } from '@tradestate/protocol';
import type { TradeType } from './types.ts';

/** One state of an order and the instant (epoch ms) it began. */
export interface HistoryEntry {
  readonly state: TradeState;
  readonly at: number;
}

/** A script step with its absolute due instant. */
export interface DueStep {
  readonly afterMs: number;
  readonly tradeState: TradeState;
  readonly dueAt: number;
}

/** Mutable per-order delivery state of the payment notification. */
export interface NotificationState {
  attempts: number;
  acknowledged: boolean;
  pending: boolean;
  lastError: string | undefined;
}

/** The sandbox's internal, mutable order. Fixed facts are set at creation; state moves only forward. */
export interface OrderRecord {
  readonly outTradeNo: string;
  readonly transactionId: string;
  readonly appId: string;
  readonly mchId: string;
  readonly subAppId: string | undefined;
  readonly subMchId: string | undefined;
  readonly tradeType: TradeType;
  readonly totalFee: number;
  readonly feeType: string;
  readonly coupons: readonly { readonly id: string; readonly type: string; readonly fee: number }[];
  readonly couponFee: number;
  readonly cashFee: number;
  /** Set when a NO_CASH coupon applies: total minus the non-cash coupons. */
  readonly settlementTotalFee: number | undefined;
  /** The payer under the order's own app (`sub_appid` when there is one). */
  readonly openId: string;
  /** In service-provider mode with a `sub_appid`, the payer's openid under the provider's app. */
  readonly providerOpenId: string | undefined;
  readonly bankType: string;
  readonly attach: string | undefined;
  readonly notifyUrl: string | undefined;
  readonly createdAt: number;
  state: TradeState;
  readonly history: HistoryEntry[];
  readonly script: readonly DueStep[];
  nextStep: number;
  /** `closeorder` calls still to be answered SYSTEMERROR. */
  closeFailuresLeft: number;
  /** `reverse` calls still to be answered `recall=Y`. */
  reverseRecallsLeft: number;
  /** When the order was paid (epoch ms), once it was. */
  paidAt: number | undefined;
  queries: number;
  notification: NotificationState | undefined;
  /** The business fields of the last state answered, reused while the order stays in it (the hot path). */
  answerCache:
    | { readonly state: TradeState; readonly fields: Readonly<Record<string, string | undefined>> }
    | undefined;
}
