import { InvalidArgumentError } from './errors.ts';
import type { OrderQuery } from './types.ts';

/**
 * WeChat's rule for `out_trade_no` (and the shape of a `transaction_id`): at most 32 of `[A-Za-z0-9_*|-]`.
 *
 * @example
 * ```ts
 * ORDER_ID.test('1415757673'); // true
 * ```
 * @internal
 */
export const ORDER_ID = /^[A-Za-z0-9_*|-]{1,32}$/;

/**
 * The one order identifier a query sends, as its wire field.
 *
 * @example
 * ```ts
 * const id: QueryIdentifier = { field: 'out_trade_no', value: '1415757673' };
 * ```
 */
export interface QueryIdentifier {
  readonly field: 'out_trade_no' | 'transaction_id';
  readonly value: string;
}

/**
 * Checks an {@link OrderQuery} before any request: exactly one of `outTradeNo`/`transactionId`, each at most 32
 * characters of `[A-Za-z0-9_*|-]`. Throws {@link InvalidArgumentError} otherwise; the message names the rule,
 * not the value.
 *
 * @example
 * ```ts
 * queryIdentifier({ outTradeNo: '1415757673' }); // { field: 'out_trade_no', value: '1415757673' }
 * queryIdentifier({ outTradeNo: 'has space' }); // throws InvalidArgumentError
 * ```
 */
export function queryIdentifier(query: OrderQuery): QueryIdentifier {
  if (typeof query !== 'object' || query === null) throw new InvalidArgumentError('query must be an object');
  const { outTradeNo, transactionId } = query as { outTradeNo?: unknown; transactionId?: unknown };
  if ((outTradeNo === undefined) === (transactionId === undefined)) {
    throw new InvalidArgumentError('give exactly one of outTradeNo and transactionId');
  }
  if (outTradeNo !== undefined) {
    if (typeof outTradeNo !== 'string' || !ORDER_ID.test(outTradeNo)) {
      throw new InvalidArgumentError('outTradeNo must be 1 to 32 characters of [A-Za-z0-9_*|-]');
    }
    return { field: 'out_trade_no', value: outTradeNo };
  }
  if (typeof transactionId !== 'string' || !ORDER_ID.test(transactionId)) {
    throw new InvalidArgumentError('transactionId must be 1 to 32 characters of [A-Za-z0-9_*|-]');
  }
  return { field: 'transaction_id', value: transactionId };
}
