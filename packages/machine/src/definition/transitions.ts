import type { OrderQuery, TradeState } from '@tradestate/protocol';
import { bindingMismatch, type OrderBinding } from './binding.ts';
import type { WatchOutcome } from './types.ts';

/**
 * The states of {@link orderMachine} in which the order is still being watched. `UNKNOWN` is before any
 * verified answer; `PAID` is SUCCESS while following refunds (`followRefunds: true`).
 *
 * @example
 * ```ts
 * ACTIVE_STATES.includes('NOTPAY'); // true
 * ```
 */
export const ACTIVE_STATES = ['UNKNOWN', 'NOTPAY', 'USERPAYING', 'ACCEPT', 'PAID'] as const;

/**
 * The final states of {@link orderMachine}: the final `trade_state` values and the lifecycle ends.
 *
 * @example
 * ```ts
 * END_STATES.includes('DEADLINE'); // true
 * ```
 */
export const END_STATES = [
  'SUCCESS',
  'REFUND',
  'CLOSED',
  'REVOKED',
  'PAYERROR',
  'NOT_FOUND',
  'DEADLINE',
  'ERROR',
  'CANCELLED',
] as const;

/**
 * A top-level state name of {@link orderMachine}.
 *
 * @example
 * ```ts
 * const s: OrderStateName = 'USERPAYING';
 * ```
 */
export type OrderStateName = (typeof ACTIVE_STATES)[number] | 'SETTLING' | (typeof END_STATES)[number];

/**
 * The forward-only order of trade states, the one table every transition of {@link orderMachine} obeys:
 * a trade state may only be replaced by one of a strictly higher rank. Equal rank and the same state is a
 * duplicate (no-op); anything else lower or equal is a stale answer, kept as an anomaly and never a move.
 *
 * ```
 * (none) 0 → NOTPAY 1 → USERPAYING 2 → ACCEPT 3 → SUCCESS | CLOSED | PAYERROR 4 → REFUND | REVOKED 5
 * ```
 * Any jump forward is allowed (NOTPAY → SUCCESS when the poll missed USERPAYING; REFUND first seen directly).
 * REVOKED ranks with REFUND because WeChat also reverses a paid MICROPAY order (SUCCESS → REVOKED): money
 * returned, like a refund, which a watch following refunds must see.
 *
 * @example
 * ```ts
 * TRADE_STATE_RANK.SUCCESS > TRADE_STATE_RANK.NOTPAY; // true: forward
 * ```
 */
export const TRADE_STATE_RANK: Readonly<Record<TradeState, number>> = {
  NOTPAY: 1,
  USERPAYING: 2,
  ACCEPT: 3,
  SUCCESS: 4,
  CLOSED: 4,
  PAYERROR: 4,
  REFUND: 5,
  REVOKED: 5,
};

/**
 * Ranks the current trade state; none yet ranks 0.
 *
 * @example
 * ```ts
 * rankOf(undefined); // 0
 * ```
 */
export function rankOf(state: TradeState | undefined): number {
  return state === undefined ? 0 : TRADE_STATE_RANK[state];
}

/**
 * The machine state a trade state leads to. SUCCESS leads to `PAID` (still watching) when refunds are
 * followed, else to the final `SUCCESS`.
 *
 * @example
 * ```ts
 * stateFor('SUCCESS', true); // 'PAID'
 * ```
 */
export function stateFor(tradeState: TradeState, followRefunds: boolean): OrderStateName {
  return tradeState === 'SUCCESS' && followRefunds ? 'PAID' : tradeState;
}

/**
 * What an outcome means for a watch whose latest verified state is `current`.
 *
 * @example
 * ```ts
 * classifyOutcome({ kind: 'order', tradeState: 'NOTPAY', order }, 'SUCCESS', query); // 'backwards'
 * ```
 */
export type OutcomeClass =
  | 'forward'
  | 'duplicate'
  | 'backwards'
  | 'unknown-trade-state'
  | 'foreign-order'
  | 'mismatch'
  | 'not-found'
  | 'not-found-after-order'
  | 'retryable-error'
  | 'fatal-error';

const NO_BINDING: OrderBinding = Object.freeze({});

/**
 * Classifies an outcome against the forward-only table and the watch's binding (`expect`, and the merchant its
 * polls showed: see {@link bindingMismatch}). The single place where answers and notifications are judged, so
 * both go through the same rules. An order about the watched order that fails the binding is a `mismatch`,
 * whatever state it claims.
 *
 * @example
 * ```ts
 * classifyOutcome({ kind: 'order', tradeState: 'SUCCESS', order }, 'NOTPAY', { outTradeNo: 'A1' }); // 'forward'
 * classifyOutcome(paidOneFen, 'NOTPAY', { outTradeNo: 'A1' }, { expect: { totalFee: 100 } }); // 'mismatch'
 * ```
 */
export function classifyOutcome(
  outcome: WatchOutcome,
  current: TradeState | undefined,
  query: OrderQuery,
  binding: OrderBinding = NO_BINDING,
  source: 'poll' | 'notification' = 'poll',
): OutcomeClass {
  switch (outcome.kind) {
    case 'error':
      return outcome.retryable ? 'retryable-error' : 'fatal-error';
    case 'not-found':
      return current === undefined ? 'not-found' : 'not-found-after-order';
    case 'order': {
      if (!isSameOrder(query, outcome.order)) return 'foreign-order';
      const next = outcome.tradeState;
      const claimed = typeof next === 'string' ? next : undefined;
      if (bindingMismatch(outcome.order, claimed, binding, source) !== undefined) return 'mismatch';
      if (typeof next !== 'string') return 'unknown-trade-state';
      if (next === current) return 'duplicate';
      return rankOf(next) > rankOf(current) ? 'forward' : 'backwards';
    }
  }
}

/**
 * An answer is about the watched order only when it carries the id the order is watched by: a verified
 * notification for another order (or one without the id) must never move this watch.
 */
function isSameOrder(query: OrderQuery, order: { outTradeNo: string | undefined; transactionId: string | undefined }) {
  return query.outTradeNo !== undefined
    ? order.outTradeNo === query.outTradeNo
    : order.transactionId === query.transactionId;
}
