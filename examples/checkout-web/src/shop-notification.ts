import {
  decodeNotification,
  InvalidArgumentError,
  type NotificationRequestV3,
  type PayClientV3,
  type PaymentNotification,
  readNotificationHint,
  type SignType,
} from '@tradestate/protocol';
import type { OrderBook } from './order-book.ts';

/**
 * The merchant this shop is: notifications must be about it, signed with its key.
 *
 * @example
 * const merchant: ShopMerchant = { appId: 'wxd930ea5d5a258f4f', mchId: '10000100', key: process.env.WECHATPAY_KEY! };
 */
export interface ShopMerchant {
  readonly appId: string;
  readonly mchId: string;
  /** The merchant API key notifications are verified with. */
  readonly key: string;
  /** Default `MD5`, what WeChat signs notifications with unless the merchant chose HMAC-SHA256. */
  readonly signType?: SignType | undefined;
}

/**
 * Decodes a payment notification as this shop may believe it: signed with the merchant's key, about this
 * merchant, and about an order this shop created, for the amount and currency the shop recorded for it.
 * Anything else throws (a `TradestateError`: `MismatchError` for another amount or merchant, and
 * `InvalidArgumentError` for an order this shop does not know), and the route answers FAIL.
 *
 * The order the body names (read without believing it, `readNotificationHint`) only selects which of the shop's
 * records to bind against: the body is then verified and bound to that record, so the amount compared is the
 * shop's, never the body's.
 *
 * @example
 * const notification = decodeShopNotification(request.body, merchant, book);
 * book.notify(notification);
 */
export function decodeShopNotification(body: string, merchant: ShopMerchant, book: OrderBook): PaymentNotification {
  const { appId, mchId, key, signType } = merchant;
  const named = readNotificationHint(body)?.outTradeNo;
  const order = named === undefined ? undefined : book.get(named);
  // Not acknowledged: WeChat keeps resending, so a payment for an order this process lost (a restart of this
  // in-memory book) is not silently dropped.
  if (order === undefined) throw new InvalidArgumentError('notification for an order this shop did not create');
  return decodeNotification(body, {
    key,
    signType,
    expect: { appId, mchId, outTradeNo: order.outTradeNo, totalFee: order.totalFee, feeType: order.feeType },
  });
}

/**
 * The APIv3 form of {@link decodeShopNotification}: the body is encrypted, so the order it names is known only
 * once the client has verified and decrypted it; it is then decrypted again bound to the shop's own record of
 * that order (amount and currency), so a genuine notification of another amount is refused.
 *
 * @example
 * book.notify(decodeShopNotificationV3({ headers: request.headers, body: request.body }, client, book));
 */
export function decodeShopNotificationV3(
  input: NotificationRequestV3,
  client: PayClientV3,
  book: OrderBook,
): PaymentNotification {
  const named = client.decodeNotification(input).order.outTradeNo;
  const order = named === undefined ? undefined : book.get(named);
  if (order === undefined) throw new InvalidArgumentError('notification for an order this shop did not create');
  return client.decodeNotification(input, {
    expect: { outTradeNo: order.outTradeNo, totalFee: order.totalFee, feeType: order.feeType },
  });
}
