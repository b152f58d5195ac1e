import type { OrderQuery } from '@tradestate/protocol';
import { TradestateError } from '@tradestate/protocol';
import type { NotificationInput } from './notification.ts';
import { toStoredOrder } from './stored-order.ts';
import type { WatchError, WatchOutcome } from './types.ts';

/**
 * Converts a client outcome to the machine's JSON-safe {@link WatchOutcome}, dropping the raw fields.
 *
 * @example
 * ```ts
 * actor.send({ type: 'NOTIFY', outcome: toWatchOutcome(await client.queryOrder(q)), at: Date.now() });
 * ```
 */
export function toWatchOutcome(input: NotificationInput): WatchOutcome {
  if (!('kind' in input)) return { kind: 'order', tradeState: input.tradeState, order: toStoredOrder(input.order) };
  switch (input.kind) {
    case 'order':
      return { kind: 'order', tradeState: input.tradeState, order: toStoredOrder(input.order) };
    case 'not-found':
      return { kind: 'not-found', message: input.message };
    case 'error':
      return {
        kind: 'error',
        code: input.code,
        message: input.message,
        retryable: input.retryable,
        ...(input.reason === undefined ? {} : { reason: input.reason }),
        ...(input.wechatMessage === undefined ? {} : { wechatMessage: input.wechatMessage }),
      };
  }
}

/**
 * Reduces anything a query threw to a {@link WatchError}: the stable code, the message (tradestate errors
 * never carry secrets in it) and whether to retry. Unknown throwables are retryable `UNEXPECTED` errors with
 * a generic message, so nothing of unknown origin is persisted.
 *
 * @example
 * ```ts
 * toWatchError(new TransportError('TIMEOUT', 'no answer')); // { code: 'TIMEOUT', message: 'no answer', retryable: true }
 * ```
 */
export function toWatchError(error: unknown): WatchError {
  if (error instanceof TradestateError) return { code: error.code, message: error.message, retryable: error.retryable };
  const name = error instanceof Error ? error.name : typeof error;
  return { code: 'UNEXPECTED', message: `the client threw ${name}`, retryable: true };
}

/**
 * A stable string key for an order query, used by stores, limiters and `watchOrders` to tell orders apart.
 *
 * @example
 * ```ts
 * queryKey({ outTradeNo: 'A1' }); // 'out_trade_no:A1'
 * ```
 */
export function queryKey(query: OrderQuery): string {
  return query.outTradeNo !== undefined ? `out_trade_no:${query.outTradeNo}` : `transaction_id:${query.transactionId}`;
}
