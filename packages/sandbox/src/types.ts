import type { TradeState } from '@tradestate/protocol';
import type { MerchantV3Config, SandboxV3Credentials, V3FaultRates } from './v3/types.ts';

/**
 * One merchant the sandbox knows: a direct merchant, or a service provider with its sub-merchants.
 *
 * @example
 * ```ts
 * const provider: MerchantConfig = {
 *   appId: 'wx8888888888888888', mchId: '1900000109', key: 'a'.repeat(32),
 *   subMerchants: [{ subMchId: '1900000110', subAppId: 'wx1111111111111111' }],
 * };
 * ```
 */
export interface MerchantConfig {
  readonly appId: string;
  readonly mchId: string;
  /** The v2 API key requests are verified and answers signed with. Never logged. */
  readonly key: string;
  /** Sub-merchants served through this merchant as a service provider (`sub_mch_id`, `sub_appid`). */
  readonly subMerchants?: readonly { readonly subMchId: string; readonly subAppId?: string }[];
  /** APIv3: this merchant's own certificate serial, public key and APIv3 key. Default: the generated shared ones. */
  readonly v3?: MerchantV3Config;
}

/**
 * Fault rates, each a probability in `[0, 1]` per request on the pay endpoints. The exclusive kinds
 * (everything but `latency`) must add up to at most 1; `latency` is drawn on its own and delays any answer.
 *
 * @example
 * ```ts
 * const faults: FaultRates = { systemError: 0.05, reset: 0.01, latency: 0.1, latencyMs: 800 };
 * ```
 */
export interface FaultRates {
  /** `result_code` FAIL, `err_code` SYSTEMERROR, signed. */
  readonly systemError?: number;
  /** `result_code` FAIL, `err_code` FREQUENCY_LIMITED, signed. */
  readonly frequencyLimited?: number;
  /** `return_code` FAIL "系统繁忙,请稍后再试", unsigned. */
  readonly returnFail?: number;
  /** Probability of delaying the answer by `latencyMs`. */
  readonly latency?: number;
  /** The added delay in milliseconds (not scaled by `timeScale`). Default 500. */
  readonly latencyMs?: number;
  /** Never answer; the socket stays open until the client gives up or the sandbox closes. */
  readonly hang?: number;
  /** Destroy the connection (TCP RST) without an answer. */
  readonly reset?: number;
  /** A 200 whose XML body is cut in half (with a matching Content-Length). */
  readonly truncated?: number;
  /** An nginx-like HTML "502 Bad Gateway" page. */
  readonly html502?: number;
  /** A well-formed answer whose `sign` does not verify. */
  readonly badSignature?: number;
  /** A correctly signed answer carrying an earlier state of the order (a lagging replica). */
  readonly staleState?: number;
}

/**
 * The name of each fault kind, as counted in {@link SandboxCounters.faultsInjected}.
 *
 * @example
 * ```ts
 * const kind: FaultKind = 'systemError';
 * ```
 */
export type FaultKind = Exclude<keyof FaultRates, 'latencyMs'>;

/**
 * One step of an order script: `afterMs` (scaled by `timeScale`) after creation, the order moves to `tradeState`.
 *
 * @example
 * ```ts
 * const step: ScriptStep = { afterMs: 3000, tradeState: 'SUCCESS' };
 * ```
 */
export interface ScriptStep {
  readonly afterMs: number;
  readonly tradeState: TradeState;
}

/**
 * The WeChat Pay trade types an order can have.
 *
 * @example
 * ```ts
 * const type: TradeType = 'NATIVE';
 * ```
 */
export type TradeType = 'JSAPI' | 'NATIVE' | 'APP' | 'MWEB' | 'MICROPAY';

/**
 * A coupon applied to an order. `type` is `CASH` (充值代金券) or `NO_CASH` (免充值); a `NO_CASH` coupon makes
 * the answer carry `settlement_total_fee`.
 *
 * @example
 * ```ts
 * const coupon: CouponSpec = { id: '10000', type: 'NO_CASH', fee: 100 };
 * ```
 */
export interface CouponSpec {
  readonly id?: string;
  readonly type?: string;
  readonly fee: number;
}

/**
 * What {@link Sandbox.createOrder} needs. Amounts are integer fen.
 *
 * @example
 * ```ts
 * const spec: OrderSpec = {
 *   outTradeNo: 'A1', totalFee: 101, tradeType: 'NATIVE',
 *   script: [{ afterMs: 2000, tradeState: 'SUCCESS' }], notifyUrl: 'http://127.0.0.1:3000/notify',
 * };
 * ```
 */
export interface OrderSpec {
  /** 1–32 characters of `[A-Za-z0-9_|*-]`, unique per merchant. */
  readonly outTradeNo: string;
  readonly totalFee: number;
  readonly tradeType: TradeType;
  /** The merchant (default: the first configured one). */
  readonly mchId?: string;
  /** A sub-merchant of a service-provider merchant. */
  readonly subMchId?: string;
  readonly subAppId?: string;
  /** The payer's openid (under `subAppId` when there is one). Default: derived from `outTradeNo`. */
  readonly openId?: string;
  readonly attach?: string;
  /** Default `CNY`. */
  readonly feeType?: string;
  readonly coupons?: readonly CouponSpec[];
  /** Where the payment notification is POSTed when the order becomes SUCCESS. */
  readonly notifyUrl?: string;
  /** Default `NOTPAY` (`USERPAYING` is usual for MICROPAY). */
  readonly initialState?: TradeState;
  /** Which protocol the payment notification speaks: v2 XML (default) or APIv3 (signed JSON, encrypted resource). */
  readonly notifyApi?: 'v2' | 'v3';
  /** Timed transitions, applied in order; each must be a transition WeChat allows. */
  readonly script?: readonly ScriptStep[];
  /**
   * How long ago the order was created, in WeChat time (scaled by `timeScale` like `afterMs`): the order's
   * `createdAt` is set back by it, and script steps already due are applied at once. `ageMs: CLOSE_MIN_AGE_MS`
   * makes an order closable at once. Default 0.
   */
  readonly ageMs?: number;
  /**
   * The first N `closeorder` calls for this order answer `result_code` FAIL `SYSTEMERROR` (signed, retryable)
   * and change nothing; the next one is answered as usual. For testing a close that is retried. Default 0.
   */
  readonly closeFailures?: number;
  /**
   * The first N `reverse` calls for this order answer `result_code` FAIL `SYSTEMERROR` with `recall=Y` (WeChat's
   * "system timeout: call reverse again") and change nothing; the next one reverses (`recall=N`). Default 0.
   */
  readonly reverseRecalls?: number;
}

/**
 * One state an order has been in, and since when.
 *
 * @example
 * ```ts
 * order.history.map((h: StateChange) => `${h.at} ${h.tradeState}`);
 * ```
 */
export interface StateChange {
  readonly tradeState: TradeState;
  /** ISO 8601 instant. */
  readonly at: string;
}

/**
 * Delivery of the payment notification of one order.
 *
 * @example
 * ```ts
 * if (order.notification?.acknowledged) console.log('merchant acknowledged after', order.notification.attempts);
 * ```
 */
export interface NotificationStatus {
  readonly attempts: number;
  readonly acknowledged: boolean;
  /** Why the last attempt failed (HTTP status, timeout, a reply other than SUCCESS). */
  readonly lastError?: string;
  /** False once acknowledged or after the last retry of WeChat's schedule. */
  readonly pending: boolean;
}

/**
 * A snapshot of an order as the sandbox holds it (plain data, JSON-serialisable).
 *
 * @example
 * ```ts
 * const order: SandboxOrder = sandbox.createOrder({ outTradeNo: 'A1', totalFee: 1, tradeType: 'JSAPI' });
 * order.transactionId; // 28 digits
 * ```
 */
export interface SandboxOrder {
  readonly outTradeNo: string;
  /** The 28-digit WeChat order number; WeChat only answers queries by it once the order is paid (or MICROPAY). */
  readonly transactionId: string;
  readonly appId: string;
  readonly mchId: string;
  readonly subAppId?: string;
  readonly subMchId?: string;
  readonly tradeType: TradeType;
  readonly totalFee: number;
  readonly feeType: string;
  readonly cashFee: number;
  readonly coupons: readonly { readonly id: string; readonly type: string; readonly fee: number }[];
  readonly openId: string;
  readonly attach?: string;
  readonly notifyUrl?: string;
  readonly tradeState: TradeState;
  readonly tradeStateDesc: string;
  /** `time_end` (Beijing time `yyyyMMddHHmmss`) once paid. */
  readonly timeEnd?: string;
  readonly createdAt: string;
  /** `closeorder` calls still to be answered SYSTEMERROR (`OrderSpec.closeFailures`). */
  readonly closeFailuresLeft: number;
  /** `reverse` calls still to be answered `recall=Y` (`OrderSpec.reverseRecalls`). */
  readonly reverseRecallsLeft: number;
  readonly history: readonly StateChange[];
  /** Script steps not yet applied, with their (scaled) due instants. */
  readonly pendingScript: readonly (ScriptStep & { readonly dueAt: string })[];
  /** `orderquery` requests answered about this order since the last counter reset. */
  readonly queries: number;
  readonly notification?: NotificationStatus;
}

/**
 * What the sandbox served and injected since start or the last {@link Sandbox.resetCounters}.
 *
 * @example
 * ```ts
 * const c = sandbox.counters();
 * console.log(c.requests, c.byAnswer['SUCCESS'], c.faultsInjected.systemError, c.notifications.acknowledged);
 * ```
 */
export interface SandboxCounters {
  /** Requests on the pay endpoints (the control API is not counted). */
  readonly requests: number;
  /** Pay requests whose client closed the connection before the answer was written (it gave up or was cancelled). */
  readonly abandoned: number;
  /** Requests per path, e.g. `/pay/orderquery`. */
  readonly byEndpoint: Readonly<Record<string, number>>;
  /**
   * Answers by what they said: a trade state (`SUCCESS`, `NOTPAY`…) for orderquery, `CLOSED`/`REVOKED` for a
   * successful close or reverse, else the error (`ORDERNOTEXIST`, `SIGNERROR`, `LACK_PARAMS`, `SYSTEMERROR`,
   * `RETURN_FAIL`…). Transport faults (hang, reset, truncated, html502) are only in `faultsInjected`.
   */
  readonly byAnswer: Readonly<Record<string, number>>;
  readonly faultsInjected: Readonly<Record<FaultKind, number>>;
  readonly notifications: { readonly sent: number; readonly acknowledged: number; readonly failed: number };
  /** orderquery answers per `out_trade_no` (summed across merchants that share one). */
  readonly queriesByOrder: Readonly<Record<string, number>>;
  /** APIv3-only faults injected ({@link V3FaultRates}: `staleTimestamp`, `signTest`). */
  readonly v3FaultsInjected?: Readonly<Record<string, number>>;
}

/**
 * Options of `startSandbox`.
 *
 * @example
 * ```ts
 * const options: SandboxOptions = { port: 0, seed: 42, timeScale: 0.001, faults: { systemError: 0.1 } };
 * ```
 */
export interface SandboxOptions {
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default `[defaultMerchant]`. */
  readonly merchants?: readonly MerchantConfig[];
  readonly faults?: FaultRates;
  /** Seeds fault draws and generated ids, so a run repeats. Default 1. */
  readonly seed?: number;
  /**
   * Multiplies script `afterMs`, `ageMs`, notification retry delays and WeChat's 5-minute minimum age before a
   * close (0.001 turns WeChat's 15 s into 15 ms and its 5 min into 300 ms). Default 1.
   */
  readonly timeScale?: number;
  /** Receives one line per notable event (never a key or a signed string). Default: silent. */
  readonly logger?: (line: string) => void;
  /**
   * A bearer token the JSON control API then requires on every request (`Authorization: Bearer <token>`), for a
   * sandbox other local users or programs can reach. Characters of RFC 6750's b64token. Never logged or
   * echoed. Default: none (the Host, Origin and content-type checks apply either way).
   */
  readonly controlToken?: string | undefined;
  /** Serve APIv3 too (`/v3/pay/…`, v3 notifications), with RSA keys generated on first use. Default true. */
  readonly v3?: boolean;
}

/**
 * A running sandbox. Every method is synchronous except {@link Sandbox.close}.
 *
 * @example
 * ```ts
 * const sandbox = await startSandbox();
 * sandbox.createOrder({ outTradeNo: 'A1', totalFee: 1, tradeType: 'NATIVE' });
 * sandbox.setTradeState('A1', 'SUCCESS');
 * await sandbox.close();
 * ```
 */
export interface Sandbox {
  /** `http://127.0.0.1:PORT`: the `baseURL` for a pay client. */
  readonly url: string;
  /** Creates an order; throws `InvalidArgumentError` on a bad spec or a duplicate `outTradeNo`. */
  createOrder(spec: OrderSpec): SandboxOrder;
  /** Moves an order by hand; throws `InvalidArgumentError` on an unknown order or a transition WeChat forbids. */
  setTradeState(outTradeNo: string, state: TradeState, opts?: { mchId?: string }): SandboxOrder;
  /**
   * The order as it is now (due script steps applied), or undefined. Without `mchId` it searches every merchant
   * and throws `InvalidArgumentError` when several have an order of that name.
   */
  getOrder(outTradeNo: string, opts?: { mchId?: string }): SandboxOrder | undefined;
  /** Every order of every merchant, in creation order. */
  listOrders(): SandboxOrder[];
  /** Replaces the fault rates; throws `InvalidArgumentError` on a rate outside `[0, 1]`. */
  setFaults(faults: FaultRates): void;
  counters(): SandboxCounters;
  /**
   * APIv3 credentials of the first merchant, to spread into `createPayClientV3`; undefined when the sandbox was
   * started with `v3: false`. The RSA keys are generated on first use (this, a v3 request or notification), once
   * per process, so a sandbox used over v2 only pays nothing for them.
   */
  readonly v3: SandboxV3Credentials | undefined;
  /** Replaces the APIv3-only fault rates; throws `InvalidArgumentError` on a bad rate or a v2-only sandbox. */
  setV3Faults(faults: V3FaultRates): void;
  resetCounters(): void;
  /** Closes every socket (hung ones included) and cancels every timer and notification. */
  close(): Promise<void>;
}
