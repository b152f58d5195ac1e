import type { CloseOrderOutcome, CloseOrderRequest, OrderQuery, ReverseOrderOutcome } from '@tradestate/protocol';
import type { SchedulerLike } from 'rxjs';
import { queryKey, toWatchError } from '../definition/outcome.ts';
import type { OrderEvent, SettleResult } from '../definition/types.ts';
import type { Limiter } from '../limiter/limiter.ts';
import { QUERY_DEADLINE } from './run-query.ts';
import { untilAborted } from './until-aborted.ts';

/**
 * What a watch does once its deadline passes (or its schedule gives up) without a final state:
 *
 * - `'close'`: close the order (`closeorder`), no sooner than {@link SettleTiming.closeAfterMs} after its creation;
 * - `'reverse'`: reverse it (`reverse`, for a micropay), calling again while WeChat answers `recall: 'Y'`;
 * - `'none'`: end `DEADLINE` and leave the order to the caller.
 *
 * Either settling ends only once a verified query confirms it: `CLOSED`, `REVOKED`, or `SUCCESS` when the payment
 * landed first. Each schedule preset names the one that fits (`schedules.native.atDeadline`).
 *
 * @example
 * ```ts
 * watchOrder({ client, query, schedule: schedules.native, deadline: 60_000, atDeadline: 'close' });
 * ```
 */
export type AtDeadline = 'close' | 'reverse' | 'none';

/**
 * The calls settling needs of a client: `closeOrder` for `atDeadline: 'close'`, `reverseOrder` for `'reverse'`.
 * `createPayClient`'s client has both. A watch given an `atDeadline` its client cannot do is refused at the call.
 *
 * @example
 * ```ts
 * const client: OrderQueryClient & SettleClient = createPayClient({ appId, mchId, key, certificate });
 * ```
 */
export interface SettleClient {
  closeOrder?(request: CloseOrderRequest, options?: { signal?: AbortSignal }): Promise<CloseOrderOutcome>;
  reverseOrder?(request: OrderQuery, options?: { signal?: AbortSignal }): Promise<ReverseOrderOutcome>;
}

/**
 * The pauses and bounds of settling, all in milliseconds (defaults from WeChat's guidance; scale them down with
 * the schedules in a time-scaled demo).
 *
 * @example
 * ```ts
 * const timing: Partial<SettleTiming> = { closeAfterMs: 5000 }; // a demo that runs 60× faster
 * ```
 */
export interface SettleTiming {
  /**
   * An order may be closed no sooner than this after its creation: WeChat's closeorder rule ("订单生成后不能马上调用
   * 关单接口，最短调用时间间隔为5分钟"). Default 300 000.
   */
  readonly closeAfterMs: number;
  /** The pause before calling reverse again after `recall: 'Y'` (WeChat: retry after about 10 s). Default 10 000. */
  readonly recallPauseMs: number;
  /** How many times reverse is called again after `recall: 'Y'` before the watch ends `ERROR`. Default 5. */
  readonly maxRecalls: number;
  /** The first pause after a retryable failure of a close, reverse or confirming query; doubles each time. Default 2000. */
  readonly retryMs: number;
  /** The longest such pause. Default 60 000. */
  readonly maxRetryMs: number;
  /** Retryable failures in a row, and confirming queries that still find the order open, before `ERROR`. Default 8. */
  readonly maxAttempts: number;
  /** A close, reverse or confirming query still unanswered after this is abandoned as a retryable `TIMEOUT`. Default 30 000. */
  readonly callTimeoutMs: number;
}

/**
 * The defaults of {@link SettleTiming}, resolved once.
 *
 * @example
 * ```ts
 * const timing = { ...DEFAULT_SETTLE_TIMING, ...options.settleTiming };
 * ```
 */
export const DEFAULT_SETTLE_TIMING: SettleTiming = Object.freeze({
  closeAfterMs: 300_000,
  recallPauseMs: 10_000,
  maxRecalls: 5,
  retryMs: 2000,
  maxRetryMs: 60_000,
  maxAttempts: 8,
  callTimeoutMs: 30_000,
});

/** What a settling call needs from the watch: its client, limiter and clock. */
export interface SettleDeps {
  readonly client: SettleClient;
  readonly limiter?: Limiter | undefined;
  readonly scheduler: SchedulerLike;
}

/** The `SETTLED` event a call produces. */
export type SettleEvent = Extract<OrderEvent, { type: 'SETTLED' }>;

/**
 * Calls close or reverse once, under the limiter, and reduces the answer to a {@link SettleResult}. Resolves
 * `undefined` when `signal` aborted it for another reason than `QUERY_DEADLINE` (the call's time ran out); never rejects. Nothing here
 * is believed as a trade state: every result is confirmed by a verified query afterwards.
 *
 * @example
 * ```ts
 * const event = await runSettle(deps, { outTradeNo: 'A1' }, 'close', controller.signal);
 * ```
 */
export async function runSettle(
  deps: SettleDeps,
  query: OrderQuery,
  action: 'close' | 'reverse',
  signal: AbortSignal,
): Promise<SettleEvent | undefined> {
  const settled = (result: SettleResult): SettleEvent => ({ type: 'SETTLED', result, at: deps.scheduler.now() });
  try {
    if (deps.limiter !== undefined) await deps.limiter.acquire(queryKey(query), signal);
    if (signal.aborted) throw signal.reason;
    const result = await untilAborted(call(deps.client, query, action, signal), signal);
    if (signal.aborted) return afterAbort(signal, settled);
    return settled(result);
  } catch (error) {
    if (signal.aborted) return afterAbort(signal, settled);
    return settled({ kind: 'error', error: toWatchError(error) });
  }
}

async function call(
  client: SettleClient,
  query: OrderQuery,
  action: 'close' | 'reverse',
  signal: AbortSignal,
): Promise<SettleResult> {
  if (action === 'close') {
    if (client.closeOrder === undefined || query.outTradeNo === undefined) return noMethod('closeOrder');
    const outcome = await client.closeOrder({ outTradeNo: query.outTradeNo }, { signal });
    if (outcome.kind === 'closed') return { kind: 'done' };
    // Unsigned hints, both: the confirming query decides.
    if (outcome.code === 'ORDERPAID') return { kind: 'paid' };
    if (outcome.code === 'ORDERCLOSED') return { kind: 'done' };
    return { kind: 'error', error: errorOf(outcome) };
  }
  if (client.reverseOrder === undefined) return noMethod('reverseOrder');
  const outcome = await client.reverseOrder(query, { signal });
  if (outcome.kind === 'reversed') return { kind: 'done' };
  if (outcome.kind === 'recall') return { kind: 'recall' };
  return { kind: 'error', error: errorOf(outcome) };
}

function errorOf(outcome: Extract<CloseOrderOutcome, { kind: 'error' }>): SettleResultError {
  return {
    code: outcome.code,
    message: outcome.message,
    retryable: outcome.retryable,
    ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
    ...(outcome.wechatMessage === undefined ? {} : { wechatMessage: outcome.wechatMessage }),
  };
}

type SettleResultError = Extract<SettleResult, { kind: 'error' }>['error'];

function noMethod(name: string): SettleResult {
  return {
    kind: 'error',
    error: { code: 'NO_CLIENT', message: `the client has no ${name} to settle the order with`, retryable: false },
  };
}

function afterAbort(signal: AbortSignal, settled: (result: SettleResult) => SettleEvent): SettleEvent | undefined {
  if (signal.reason !== QUERY_DEADLINE) return undefined;
  return settled({
    kind: 'error',
    error: { code: 'TIMEOUT', message: 'the close or reverse call took too long', retryable: true },
  });
}
