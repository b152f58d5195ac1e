import { type Schedule, type WatchNotification, watchOrder } from '@tradestate/machine';
import type { OrderQuery, PayClient, PaymentNotification } from '@tradestate/protocol';
import { map, type Observable, ReplaySubject, type Subscription } from 'rxjs';
import { type StatusEvent, statusEventOf } from './order-status.ts';

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
  /**
   * How long after its creation WeChat lets an order be closed (its rule: 5 minutes, the default). A test against
   * a time-scaled sandbox passes its scaled figure.
   */
  readonly closeAfterMs?: number | undefined;
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
 * amount, fused with the notifications `POST /wechatpay/notify` verified and bound, and settled by the library at
 * the deadline (`atDeadline: 'close'`: `closeorder`, then a verified query, because a customer may pay in the very
 * last second; a close in flight survives as a persisted state). Pages
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
      atDeadline: 'close',
      // The order was created with the provider just now: WeChat's 5-minute close rule counts from here.
      createdAt: Date.now(),
      settleTiming: this.#options.closeAfterMs === undefined ? undefined : { closeAfterMs: this.#options.closeAfterMs },
    })
      .pipe(map((watch) => statusEventOf(order.outTradeNo, watch)))
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
}
