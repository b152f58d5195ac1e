import { ORDER_ID } from './query.ts';
import type { OrderQuery } from './types.ts';
import { parseXmlListing } from './xml.ts';

/** A notification is ~1 KB; a hint is read from no more than this, whatever the route's own cap. */
const MAX_HINT_BYTES = 16 * 1024;

/**
 * Reads which order a notification body **claims** to be about, **without verifying or believing anything**:
 * `{ outTradeNo }` (preferred) or `{ transactionId }`, or `undefined` when the body names neither in the form a
 * query accepts (at most 32 of `[A-Za-z0-9_*|-]`).
 *
 * **This is not evidence of anything.** Anyone can post any body to a notify route; the hint says only "someone
 * claims something happened to this order". Never mark an order paid, shipped, closed or failed from it. Its one
 * safe use: when {@link decodeNotification} refused a body (bad sign, wrong merchant, wrong amount, not a
 * payment), and the hinted order is one you are watching anyway, ask WeChat about it sooner (a verified query is
 * the answer; the hint only changes when you ask). Payment switches treat an unverified webhook this way.
 * Rate-limit what a hint can trigger, since a hostile sender can post many.
 *
 * Safe on hostile input: never throws; refuses (returns `undefined`) anything but a string or bytes, bodies over
 * 16 KiB, DOCTYPE/ENTITY declarations and anything the strict flat-XML reader refuses.
 *
 * @example
 * ```ts
 * try {
 *   notifications.next(client.decodeNotification(body));
 *   res.end(notificationReply(true));
 * } catch {
 *   const hint = readNotificationHint(body); // untrusted: only brings a watched order's query forward
 *   if (hint !== undefined && watching(hint)) queryNow(hint);
 *   res.end(notificationReply(false, 'rejected'));
 * }
 * ```
 */
export function readNotificationHint(body: unknown): OrderQuery | undefined {
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return undefined;
  let fields: Readonly<Record<string, string>>;
  try {
    // The strict reader: the size cap and DOCTYPE/ENTITY refused before parsing, a prototype-less record, no nesting.
    fields = parseXmlListing(body, MAX_HINT_BYTES).fields;
  } catch {
    return undefined;
  }
  const outTradeNo = fields['out_trade_no'];
  if (outTradeNo !== undefined && ORDER_ID.test(outTradeNo)) return { outTradeNo };
  const transactionId = fields['transaction_id'];
  if (transactionId !== undefined && ORDER_ID.test(transactionId)) return { transactionId };
  return undefined;
}
