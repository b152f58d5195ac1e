import type { MerchantIds, StoredOrder, WatchExpectation } from './types.ts';

/**
 * The merchant identities, as the order names them and as the wire does, and whether their absence binds too
 * (a merchant without a sub-merchant has none).
 */
const MERCHANT_FIELDS = [
  ['appId', 'appid', false],
  ['mchId', 'mch_id', false],
  ['subAppId', 'sub_appid', true],
  ['subMchId', 'sub_mch_id', true],
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
 * every identity the merchant has, equally.
 *
 * The merchant (once known: given as the watch's `merchant`, or learnt from the first verified poll answer): an
 * `appid` or `mch_id` the merchant has must be the one named. A merchant known without a sub-merchant has
 * none: an order naming a `sub_appid` or `sub_mch_id` it lacks is another merchant's (service-provider mode
 * signs every sub-merchant's notifications with one key, so another sub-merchant's order of the same number
 * verifies; so does the provider's own).
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
    for (const [name, field, byAbsence] of MERCHANT_FIELDS) {
      const wanted = merchant[name];
      const got = order[name];
      if (got === wanted) continue;
      if (got === undefined ? source === 'poll' : wanted === undefined && !byAbsence) continue;
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
