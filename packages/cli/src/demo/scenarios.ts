import type { TradeState } from '@tradestate/protocol';

/**
 * Which of the machine's schedule presets a demo order is watched with.
 *
 * @example
 * const name: ScheduleName = 'micropay';
 */
export type ScheduleName = 'micropay' | 'native' | 'backend';

/**
 * A set of orders watched together by one `watchOrders` stream, as a merchant would: the till's micropay
 * orders, the web checkout's, the after-sales desk following refunds, the back-end reconciliation job.
 *
 * @example
 * const till: WatchGroup = { name: 'till', schedule: 'micropay', deadlineMs: 45_000, followRefunds: false };
 */
export interface WatchGroup {
  readonly name: string;
  readonly schedule: ScheduleName;
  readonly deadlineMs: number;
  readonly followRefunds: boolean;
}

const TILL: WatchGroup = { name: 'till', schedule: 'micropay', deadlineMs: 45_000, followRefunds: false };
const CHECKOUT: WatchGroup = { name: 'checkout', schedule: 'native', deadlineMs: 40_000, followRefunds: false };
const AFTER_SALES: WatchGroup = { name: 'after-sales', schedule: 'native', deadlineMs: 40_000, followRefunds: true };
const BACK_END: WatchGroup = { name: 'back-end', schedule: 'backend', deadlineMs: 120_000, followRefunds: false };

/**
 * One order of `tradestate demo`: how the sandbox will play it, how it is watched, and how it must end. Times
 * are in the story's own clock (what would happen with real WeChat Pay); the demo runs them faster.
 *
 * @example
 * const s: DemoScenario = DEMO_SCENARIOS[0]!;
 */
export interface DemoScenario {
  /** Shown in the live view and used in the `out_trade_no`. */
  readonly name: string;
  readonly tradeType: 'JSAPI' | 'NATIVE' | 'MICROPAY';
  readonly totalFee: number;
  /** The state the order starts in (a micropay that answered USERPAYING). Default NOTPAY. */
  readonly initialState?: TradeState | undefined;
  /** The sandbox's script: what the customer (or WeChat) does, and when. */
  readonly script: readonly { readonly afterMs: number; readonly tradeState: TradeState }[];
  /** Whether WeChat notifies this order's payment to the demo's `notify_url`. */
  readonly notify: boolean;
  /**
   * How it is watched. Orders of one group share a `watchOrders` stream, hence its schedule, deadline (when the
   * merchant stops waiting and closes the order) and whether it keeps watching after SUCCESS to see a refund.
   */
  readonly group: WatchGroup;
  /** The timeline the order must end with (its last entry), e.g. `SUCCESS` or `CLOSED`. */
  readonly expectedEnd: string;
  /** At most this many queries, when the point of the order is to spend few (0: the notification came first). */
  readonly maxQueries?: number | undefined;
  /** What the order shows, for the summary. */
  readonly story: string;
}

/**
 * The orders of `tradestate demo`, each ending differently.
 *
 * @example
 * for (const scenario of DEMO_SCENARIOS) console.log(scenario.name, scenario.expectedEnd);
 */
export const DEMO_SCENARIOS: readonly DemoScenario[] = [
  {
    name: 'jsapi-paid',
    tradeType: 'JSAPI',
    totalFee: 1999,
    script: [{ afterMs: 21_000, tradeState: 'SUCCESS' }],
    notify: false,
    group: CHECKOUT,
    expectedEnd: 'SUCCESS',
    story: 'paid in the Mini Program after 21 s; no notification reached us, polling found it',
  },
  {
    name: 'micropay-password',
    tradeType: 'MICROPAY',
    totalFee: 880,
    initialState: 'USERPAYING',
    script: [{ afterMs: 12_000, tradeState: 'SUCCESS' }],
    notify: false,
    group: TILL,
    expectedEnd: 'SUCCESS',
    story: 'payment code scanned at the till; the customer typed the password for 12 s',
  },
  {
    name: 'micropay-declined',
    tradeType: 'MICROPAY',
    totalFee: 45_000,
    initialState: 'USERPAYING',
    script: [{ afterMs: 9_000, tradeState: 'PAYERROR' }],
    notify: false,
    group: TILL,
    expectedEnd: 'PAYERROR',
    story: 'payment code scanned; the bank declined after 9 s',
  },
  {
    name: 'native-expired',
    tradeType: 'NATIVE',
    totalFee: 5000,
    script: [],
    notify: true,
    group: CHECKOUT,
    expectedEnd: 'CLOSED',
    story: 'QR code shown, never scanned; closed by the merchant at its 40 s deadline',
  },
  {
    name: 'paid-then-refunded',
    tradeType: 'JSAPI',
    totalFee: 3200,
    script: [
      { afterMs: 6_000, tradeState: 'SUCCESS' },
      { afterMs: 20_000, tradeState: 'REFUND' },
    ],
    notify: false,
    group: AFTER_SALES,
    expectedEnd: 'REFUND',
    story: 'paid after 6 s, refunded 14 s later; the watch follows refunds',
  },
  {
    name: 'notified-first',
    tradeType: 'NATIVE',
    totalFee: 1200,
    script: [{ afterMs: 3_000, tradeState: 'SUCCESS' }],
    notify: true,
    group: BACK_END,
    expectedEnd: 'SUCCESS',
    maxQueries: 0,
    story: 'paid after 3 s; the notification arrived before the first query was due',
  },
];
