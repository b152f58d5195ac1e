import type { MerchantIds, StoredOrder, WatchExpectation } from './types.ts';

/** The merchant identities, as the order names them and as the wire does. */
const MERCHANT_FIELDS = [
  ['appId', 'appid'],
  ['mchId', 'mch_id'],
  ['subAppId', 'sub_appid'],
  ['subMchId', 'sub_mch_id'],
] as const;

/** Trade states that say money moved: an order claiming one must carry the amount it moved. */
function isPaid(tradeState: string | undefined): boolean {
  return tradeState === 'SUCCESS' || tradeState === 'REFUND';
}

/**
 * What a watch binds an order to: the amount it was asked about and the merchant its verified polls showed.
 * The machine's context is one (it carries both).
 *
 * @example
 * ```ts
 * const binding: OrderBinding = { expect: { totalFee: 100 }, merchant: { mchId: '10000100' } };
 * ```
 */
export interface OrderBinding {
  readonly expect?: WatchExpectation | undefined;
  readonly merchant?: MerchantIds | undefined;
}

/**
 * The merchant identities an order names, for a watch to bind later notifications to; `undefined` when it names
 * none.
 *
 * @example
 * ```ts
 * merchantOf(order); // { appId: 'wxd930ea5d5a258f4f', mchId: '10000100' }
 * ```
 */
export function merchantOf(order: StoredOrder): MerchantIds | undefined {
  let ids: Record<string, string> | undefined;
  for (const [name] of MERCHANT_FIELDS) {
    const value = order[name];
    if (value === undefined) continue;
    ids ??= {};
    ids[name] = value;
  }
  return ids;
}

/**
 * The wire field by which an order about the watched order fails the watch's binding, or `undefined` when it
 * passes. Checked the same way on both channels, with one difference: a poll answer comes from the client,
 * which binds its own merchant, so an identity it omits is no evidence either way; a notification must name
 * every identity the polls showed, equally (service-provider mode signs every sub-merchant's notifications with
 * one key, so a missing `sub_mch_id` may be another merchant's order of the same number).
 *
 * The amount: an order that carries `total_fee` must carry the expected one; a paid order (SUCCESS, REFUND)
 * must carry it. The currency (`fee_type`, absent counting as CNY, expected CNY unless said otherwise) is
 * compared whenever the order says anything of its amount, and always when it is paid.
 *
 * @example
 * ```ts
 * bindingMismatch(order, 'SUCCESS', { expect: { totalFee: 10_000 } }, 'notification'); // 'total_fee' for 1 fen
 * ```
 */
export function bindingMismatch(
  order: StoredOrder,
  tradeState: string | undefined,
  binding: OrderBinding,
  source: 'poll' | 'notification',
): string | undefined {
  const { merchant, expect } = binding;
  if (merchant !== undefined) {
    for (const [name, field] of MERCHANT_FIELDS) {
      const wanted = merchant[name];
      if (wanted === undefined) continue;
      const got = order[name];
      if (got === wanted || (got === undefined && source === 'poll')) continue;
      return field;
    }
  }
  if (expect === undefined) return undefined;
  const paid = isPaid(tradeState);
  if (order.totalFee === undefined) {
    if (paid) return 'total_fee';
  } else if (order.totalFee !== expect.totalFee) {
    return 'total_fee';
  }
  if (order.totalFee === undefined && order.feeType === undefined && !paid) return undefined;
  if ((order.feeType ?? 'CNY') !== (expect.feeType ?? 'CNY')) return 'fee_type';
  return undefined;
}
