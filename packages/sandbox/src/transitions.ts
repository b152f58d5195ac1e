import type { TradeState } from '@tradestate/protocol';
import type { TradeType } from './types.ts';

/** WeChat's `trade_state_desc` for each state, as its answers word them. */
export const TRADE_STATE_DESC: Readonly<Record<TradeState, string>> = {
  SUCCESS: '支付成功',
  REFUND: '转入退款',
  NOTPAY: '订单未支付',
  CLOSED: '订单已关闭',
  REVOKED: '已撤销（付款码支付）',
  USERPAYING: '用户支付中（付款码支付）',
  PAYERROR: '支付失败(其他原因，如银行返回失败)',
  ACCEPT: '已接收，等待扣款',
};

/** States only a MICROPAY (付款码) order can be in. */
const MICROPAY_ONLY: ReadonlySet<TradeState> = new Set(['REVOKED', 'USERPAYING', 'PAYERROR']);

// A paid order can be refunded (or, for MICROPAY, reversed), never unpaid again; only an unpaid order closes.
const NEXT: Readonly<Record<TradeState, readonly TradeState[]>> = {
  NOTPAY: ['SUCCESS', 'CLOSED', 'ACCEPT', 'USERPAYING', 'PAYERROR', 'REVOKED'],
  USERPAYING: ['SUCCESS', 'PAYERROR', 'REVOKED'],
  ACCEPT: ['SUCCESS', 'CLOSED'],
  SUCCESS: ['REFUND', 'REVOKED'],
  PAYERROR: ['REVOKED'],
  REFUND: [],
  CLOSED: [],
  REVOKED: [],
};

/** States an order may be created in: unpaid ones, or already paid (a MICROPAY paid at once). */
const INITIAL: ReadonlySet<TradeState> = new Set(['NOTPAY', 'USERPAYING', 'ACCEPT', 'SUCCESS']);

/** Whether an order of this trade type may ever be in this state. */
export function stateAllowedFor(state: TradeState, tradeType: TradeType): boolean {
  return tradeType === 'MICROPAY' || !MICROPAY_ONLY.has(state);
}

/** Whether WeChat lets an order of `tradeType` move from `from` to `to`. */
export function canTransition(from: TradeState, to: TradeState, tradeType: TradeType): boolean {
  return stateAllowedFor(to, tradeType) && NEXT[from].includes(to);
}

/** Whether an order may start in `state`. */
export function canStartIn(state: TradeState, tradeType: TradeType): boolean {
  return INITIAL.has(state) && stateAllowedFor(state, tradeType);
}

/** Whether the order has been paid at some point (its answers carry the payment fields). */
export function isPaidState(state: TradeState): boolean {
  return state === 'SUCCESS' || state === 'REFUND';
}
