import { type OrderWatch, type Schedule, watchOrder } from '@tradestate/machine';
import type { CloseOrderOutcome, PayClient, PaymentNotification } from '@tradestate/protocol';
import { concatMap, defer, from, type Observable, of, ReplaySubject, share } from 'rxjs';
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

interface Entry {
  readonly notifications: ReplaySubject<PaymentNotification>;
  readonly status$: Observable<StatusEvent>;
}

/**
 * The checkout's orders, in memory (a real shop keeps them in its database). Each order has one shared status
 * stream: `watchOrder` fused with the notifications `POST /wechatpay/notify` verified, and, at the deadline,
 * `closeorder` followed by one last query, because a customer may pay in the very last second.
 *
 * @example
 * const book = new OrderBook(options);
 * book.add('WEB1');
 * book.status$('WEB1')?.subscribe(console.log);
 */
export class OrderBook {
  readonly #options: OrderBookOptions;
  readonly #orders = new Map<string, Entry>();

  constructor(options: OrderBookOptions) {
    this.#options = options;
  }

  /** Starts tracking an order just created with the payment provider. */
  add(outTradeNo: string): void {
    if (this.#orders.has(outTradeNo)) return;
    // Replays the last notification, so a watch (re)started after it arrived still ends at once.
    const notifications = new ReplaySubject<PaymentNotification>(1);
    const status$ = defer(() =>
      watchOrder({
        client: this.#options.client,
        query: { outTradeNo },
        schedule: this.#options.schedule,
        deadline: this.#options.deadlineMs,
        notifications: notifications.asObservable(),
      }),
    ).pipe(
      concatMap((watch) => this.#toEvents(outTradeNo, watch)),
      // Late subscribers (a reloaded page) get the current status at once; when every page has gone, polling
      // stops, and a finished order keeps its final event without querying again.
      share({
        connector: () => new ReplaySubject<StatusEvent>(1),
        resetOnRefCountZero: true,
        resetOnComplete: false,
        resetOnError: true,
      }),
    );
    this.#orders.set(outTradeNo, { notifications, status$ });
  }

  has(outTradeNo: string): boolean {
    return this.#orders.has(outTradeNo);
  }

  /** The order's status events, or `undefined` for an order this shop did not create. */
  status$(outTradeNo: string): Observable<StatusEvent> | undefined {
    return this.#orders.get(outTradeNo)?.status$;
  }

  /** Feeds a verified notification to its order's watch. Returns false for an order this shop does not know. */
  notify(notification: PaymentNotification): boolean {
    const outTradeNo = notification.order.outTradeNo;
    const entry = outTradeNo === undefined ? undefined : this.#orders.get(outTradeNo);
    entry?.notifications.next(notification);
    return entry !== undefined;
  }

  #toEvents(outTradeNo: string, watch: OrderWatch): Observable<StatusEvent> {
    if (!watch.done || watch.end !== 'DEADLINE') return of(statusEventOf(outTradeNo, watch));
    return from(this.#closeAndConfirm(outTradeNo, watch));
  }

  async #closeAndConfirm(outTradeNo: string, watch: OrderWatch): Promise<StatusEvent> {
    const { client } = this.#options;
    let closed: CloseOrderOutcome | undefined;
    try {
      closed = await client.closeOrder({ outTradeNo });
    } catch {
      // A timeout or an answer that failed verification: the query below still decides.
      closed = undefined;
    }
    // Closing may have lost the race against a payment (ORDERPAID): only a verified answer says which.
    const outcome = await client.queryOrder({ outTradeNo });
    if (outcome.kind === 'order') return statusEventAfterClose(outTradeNo, outcome, watch.attempts + 1);
    return { ...statusEventOf(outTradeNo, watch), status: closed?.kind === 'closed' ? 'closed' : 'unknown' };
  }
}
