import type { OrderWatch } from '@tradestate/machine';

/**
 * What the page shows: the customer's view of an order, not WeChat's vocabulary.
 *
 * @example
 * const status: CheckoutStatus = 'waiting';
 */
export type CheckoutStatus = 'waiting' | 'paid' | 'refunded' | 'closed' | 'failed' | 'unknown';

/**
 * One server-sent event of `GET /orders/:id/events`.
 *
 * @example
 * const event: StatusEvent = { outTradeNo: 'WEB1', status: 'paid', tradeState: 'SUCCESS', attempts: 2, done: true };
 */
export interface StatusEvent {
  readonly outTradeNo: string;
  readonly status: CheckoutStatus;
  /** The latest verified `trade_state`, if any answer came yet. */
  readonly tradeState?: string | undefined;
  /** Queries spent on the order. */
  readonly attempts: number;
  /** The last event of the stream. */
  readonly done: boolean;
  /** How the watch ended, when done (`SUCCESS`, `DEADLINE`, …). */
  readonly end?: string | undefined;
  readonly transactionId?: string | undefined;
  /** Why the watch ended `ERROR` (`MISMATCH` when WeChat's answer was about another amount): for the shop's staff. */
  readonly error?: string | undefined;
}

/**
 * The customer-facing status for a trade state: paid only on SUCCESS (or REFUND: it was paid), closed or failed
 * only on WeChat's own final words; everything else is still waiting.
 *
 * @example
 * checkoutStatusOf('USERPAYING', false); // 'waiting'
 */
export function checkoutStatusOf(tradeState: string | undefined, done: boolean): CheckoutStatus {
  switch (tradeState) {
    case 'SUCCESS':
      return 'paid';
    case 'REFUND':
      return 'refunded';
    case 'CLOSED':
    case 'REVOKED':
      return 'closed';
    case 'PAYERROR':
      return 'failed';
    default:
      return done ? 'unknown' : 'waiting';
  }
}

/** What the page shows for each way a watch ends; an `ERROR` end is never paid, whatever it last heard. */
const STATUS_BY_END: Readonly<Record<string, CheckoutStatus>> = {
  SUCCESS: 'paid',
  REFUND: 'refunded',
  CLOSED: 'closed',
  REVOKED: 'closed',
  PAYERROR: 'failed',
};

/**
 * The event for one emission of `watchOrder`. While watching the order is waiting; once done, its status is
 * what the watch's end says, never its last trade state: a watch that ends `ERROR` (an answer about another
 * amount: `MISMATCH`) may have heard SUCCESS, and the customer is not told "paid" on that.
 *
 * @example
 * watchOrder(options).pipe(map((watch) => statusEventOf('WEB1', watch)));
 */
export function statusEventOf(outTradeNo: string, watch: OrderWatch): StatusEvent {
  if (!watch.done) {
    return { outTradeNo, status: 'waiting', tradeState: watch.tradeState, attempts: watch.attempts, done: false };
  }
  const status = (watch.end === undefined ? undefined : STATUS_BY_END[watch.end]) ?? 'unknown';
  if (watch.end === 'ERROR') {
    return { outTradeNo, status, attempts: watch.attempts, done: true, end: watch.end, error: watch.error?.code };
  }
  return {
    outTradeNo,
    status,
    tradeState: watch.tradeState,
    attempts: watch.attempts,
    done: true,
    end: watch.end,
    transactionId: watch.order?.transactionId,
  };
}
