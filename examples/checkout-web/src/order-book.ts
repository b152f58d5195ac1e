import { type OrderWatch, type Schedule, type WatchNotification, watchOrder } from '@tradestate/machine';
import type { CloseOrderOutcome, OrderQuery, PayClient, PaymentNotification } from '@tradestate/protocol';
import { concatMap, from, type Observable, of, ReplaySubject, type Subscription } from 'rxjs';
import { type StatusEvent, statusEventAfterClose, statusEventOf } from './order-status.ts';

/**
 * How the order book watches orders.
 *
 * @example
 * const options: OrderBookOptions = { client, schedule: schedules.native, deadlineMs: 60_000 };
 */
export interface OrderBookOptions {
  /** Queries the orders, and closes them at the deadline (`createPayClient`). */
  readonly client: PayClient;
  readonly schedule: Schedule;
  /** How long an order waits for payment before it is closed. */
  readonly deadlineMs: number;
}

/**
 * An order as this shop recorded it when it was created: the amount is the shop's own, from its catalogue.
 *
 * @example
 * const order: ShopOrder = { outTradeNo: 'WEB1', sku: 'sticker', totalFee: 1, feeType: 'CNY' };
 */
export interface ShopOrder {
  readonly outTradeNo: string;
  readonly sku: string;
  /** Integer fen. */
  readonly totalFee: number;
  readonly feeType: string;
}

interface Entry {
  readonly order: ShopOrder;
  readonly notifications: ReplaySubject<WatchNotification>;
  readonly events: ReplaySubject<StatusEvent>;
  readonly watch: Subscription;
}

/**
 * The checkout's orders, in memory (a real shop keeps them in its database). Every order is watched from the
 * moment it is created until it ends, whether or not a page is looking: `watchOrder` bound to the order's own
 * amount, fused with the notifications `POST /wechatpay/notify` verified and bound, and at the deadline
 * `closeorder` followed by one last verified query, because a customer may pay in the very last second. Pages
 * only observe: {@link OrderBook.status$} replays the latest status and follows it to the end.
 *
 * @example
 * const book = new OrderBook(options);
 * book.add({ outTradeNo: 'WEB1', sku: 'sticker', totalFee: 1, feeType: 'CNY' });
 * book.status$('WEB1')?.subscribe(console.log);
 * book.close();
 */
export class OrderBook {
  readonly #options: OrderBookOptions;
  readonly #orders = new Map<string, Entry>();

  constructor(options: OrderBookOptions) {
    this.#options = options;
  }

  /** Records an order just created with the payment provider, and starts watching it. */
  add(order: ShopOrder): void {
    if (this.#orders.has(order.outTradeNo)) return;
    // Replays the last notification, so one that arrived before the watch subscribed still ends it at once.
    const notifications = new ReplaySubject<WatchNotification>(1);
    // The latest status for a page that opens now, and the final one for ever after the end.
    const events = new ReplaySubject<StatusEvent>(1);
    const watch = watchOrder({
      client: this.#options.client,
      query: { outTradeNo: order.outTradeNo },
      schedule: this.#options.schedule,
      deadline: this.#options.deadlineMs,
      expect: { totalFee: order.totalFee, feeType: order.feeType },
      notifications: notifications.asObservable(),
    })
      .pipe(concatMap((watch) => this.#toEvents(order, watch)))
      .subscribe(events);
    this.#orders.set(order.outTradeNo, { order, notifications, events, watch });
  }

  /** The order as this shop recorded it, or `undefined` for one it did not create. */
  get(outTradeNo: string): ShopOrder | undefined {
    return this.#orders.get(outTradeNo)?.order;
  }

  /** The order's status events, or `undefined` for an order this shop did not create. */
  status$(outTradeNo: string): Observable<StatusEvent> | undefined {
    return this.#orders.get(outTradeNo)?.events.asObservable();
  }

  /**
   * Feeds a notification to its order's watch; it must already be verified and bound to the order's amount
   * (see `decodeShopNotification`). Returns false for an order this shop does not know.
   */
  notify(notification: PaymentNotification): boolean {
    const outTradeNo = notification.order.outTradeNo;
    const entry = outTradeNo === undefined ? undefined : this.#orders.get(outTradeNo);
    entry?.notifications.next(notification);
    return entry !== undefined;
  }

  /**
   * Tells an order's watch that a notification naming it could not be verified or bound: nothing is believed, but
   * the watch asks WeChat sooner (coalesced by the machine, so a flood of forgeries costs no extra queries).
   * Returns false for an order this shop does not know.
   */
  ask(query: OrderQuery): boolean {
    const entry = query.outTradeNo === undefined ? undefined : this.#orders.get(query.outTradeNo);
    entry?.notifications.next({ kind: 'unverified', query });
    return entry !== undefined;
  }

  /** Stops every watch (a close in flight is abandoned): for shutting the server down. */
  close(): void {
    for (const entry of this.#orders.values()) {
      entry.watch.unsubscribe();
      entry.events.complete();
    }
  }

  #toEvents(order: ShopOrder, watch: OrderWatch): Observable<StatusEvent> {
    if (!watch.done || watch.end !== 'DEADLINE') return of(statusEventOf(order.outTradeNo, watch));
    return from(this.#closeAndConfirm(order, watch));
  }

  async #closeAndConfirm(order: ShopOrder, watch: OrderWatch): Promise<StatusEvent> {
    const { client } = this.#options;
    const { outTradeNo } = order;
    let closed: CloseOrderOutcome | undefined;
    try {
      closed = await client.closeOrder({ outTradeNo });
    } catch {
      // A timeout or an answer that failed verification: the query below still decides.
      closed = undefined;
    }
    // Closing may have lost the race against a payment (ORDERPAID): only a verified answer, about this order's
    // amount, says which.
    try {
      const outcome = await client.queryOrder(
        { outTradeNo },
        { expect: { totalFee: order.totalFee, feeType: order.feeType } },
      );
      if (outcome.kind === 'order') return statusEventAfterClose(outTradeNo, outcome, watch.attempts + 1);
    } catch {
      // Unverifiable or about another amount: never "closed", never "paid".
      return { ...statusEventOf(outTradeNo, watch), status: 'unknown' };
    }
    return { ...statusEventOf(outTradeNo, watch), status: closed?.kind === 'closed' ? 'closed' : 'unknown' };
  }
}
