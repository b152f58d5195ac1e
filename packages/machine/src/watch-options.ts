import type { OrderQuery, OrderQueryClient } from '@tradestate/protocol';
import type { SchedulerLike } from 'rxjs';
import type { Limiter } from './limiter.ts';
import { type JitterOptions, nextDelay, type Schedule } from './schedules.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import type { MerchantIds, OrderMachineInput, WatchError, WatchExpectation } from './types.ts';
import {
  assertDeadline,
  assertExpectation,
  assertFunction,
  assertMerchant,
  assertMethods,
  assertMilliseconds,
  assertQuery,
  fail,
} from './validate.ts';

/**
 * Options shared by `watchOrder` and `watchOrders`.
 *
 * @example
 * ```ts
 * const common: WatchOptions = { client, schedule: schedules.native, deadline: 60_000, expect: { totalFee: 100 } };
 * ```
 */
export interface WatchOptions {
  readonly client: OrderQueryClient;
  /** When to query; a delay it returns that is not a finite number of ms, 0 or more (or `null`), ends the watch `ERROR`. */
  readonly schedule: Schedule;
  /** Milliseconds after the watch starts (finite, 0 or more), or a valid instant. */
  readonly deadline: number | Date;
  /** A limiter shared with other watches of the same merchant. */
  readonly limiter?: Limiter | undefined;
  /** Aborting ends the watch with `CANCELLED` (and aborts the query in flight). */
  readonly signal?: AbortSignal | undefined;
  /** The clock and timers; default rxjs's `asyncScheduler`. Pass a `TestScheduler` for virtual time. */
  readonly scheduler?: SchedulerLike | undefined;
  readonly jitter?: JitterOptions | undefined;
  /** How long ORDERNOTEXIST is tolerated before `NOT_FOUND`. Default 30 000 ms. */
  readonly notFoundGraceMs?: number | undefined;
  /** Keep watching after SUCCESS until REFUND or the deadline (which then ends `SUCCESS`). */
  readonly followRefunds?: boolean | undefined;
  /**
   * The amount the order must have been paid, bound on every channel (polls and notifications), by the watch
   * itself whatever the client checks. A poll answer with another amount or currency (or a paid one without its
   * amount) ends the watch `ERROR` with code `MISMATCH` (`error.field` says which), keeping the order WeChat
   * described; a notification with one is not believed (an anomaly `mismatch`, and the next query is brought
   * forward). Persisted with the watch. For `watchOrders`, an `expect` given with the order (a `WatchRequest`)
   * takes precedence.
   */
  readonly expect?: WatchExpectation | undefined;
  /**
   * The merchant the orders belong to, as answers and notifications name it (`{ appId, mchId }`, plus `subAppId`,
   * `subMchId` in service-provider mode: what the client was made with). Bound on both channels from the start:
   * a notification naming another (or a sub-merchant this one lacks) is not believed, even before the first
   * poll. Without it the watch learns the merchant from its first verified poll answer, and until then a
   * notification is bound by `expect` alone (the notify route should bind the merchant itself:
   * `decodeNotification`'s `expect`). Persisted with the watch.
   */
  readonly merchant?: MerchantIds | undefined;
  /**
   * Persist each change under `queryKey(query)`; the entry is deleted once the end has been emitted. With a store
   * that has an inbox (memory, SQLite), a watch also takes the notifications kept there for its order.
   */
  readonly store?: SnapshotStore | undefined;
}

/**
 * Checks every option a watch takes, at the call: a bad one throws `InvalidArgumentError` naming it.
 *
 * @example
 * ```ts
 * assertWatchOptions(options, 'watchOrder');
 * ```
 * @internal
 */
export function assertWatchOptions(
  options: Partial<WatchOptions> | undefined,
  where: string,
  required: { readonly client: boolean; readonly deadline: boolean },
): void {
  assertMethods(options, where, 'options', []);
  const o = options as Partial<WatchOptions>;
  if (required.client || o.client !== undefined) assertMethods(o.client, where, 'client', ['queryOrder']);
  assertFunction(o.schedule, where, 'schedule');
  if (required.deadline || o.deadline !== undefined) assertDeadline(o.deadline, where);
  assertMethods(o.limiter, where, 'limiter', ['acquire'], true);
  assertMethods(o.signal, where, 'signal', ['addEventListener', 'removeEventListener'], true);
  assertMethods(o.scheduler, where, 'scheduler', ['now', 'schedule'], true);
  assertMethods(o.store, where, 'store', ['get', 'set', 'delete', 'list'], true);
  if (o.notFoundGraceMs !== undefined) assertMilliseconds(o.notFoundGraceMs, where, 'notFoundGraceMs');
  if (o.followRefunds !== undefined && typeof o.followRefunds !== 'boolean') {
    fail(where, 'followRefunds must be a boolean', o.followRefunds);
  }
  assertExpectation(o.expect, where);
  assertMerchant(o.merchant, where);
  if (o.jitter !== undefined) {
    assertMethods(o.jitter, where, 'jitter', []);
    const { ratio, random } = o.jitter;
    if (ratio !== undefined && (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1))) {
      fail(where, 'jitter.ratio must be a number from 0 to 1', ratio);
    }
    if (random !== undefined) assertFunction(random, where, 'jitter.random');
  }
}

/**
 * One order to watch and what is particular to it: its amount and its own deadline.
 *
 * @example
 * ```ts
 * const request: WatchRequest = { query: { outTradeNo: 'A1' }, expect: { totalFee: 10_000 } };
 * ```
 */
export interface WatchRequest {
  readonly query: OrderQuery;
  /** This order's amount; takes precedence over the options' `expect`. */
  readonly expect?: WatchExpectation | undefined;
  /** This order's deadline; takes precedence over the options' `deadline`. */
  readonly deadline?: number | Date | undefined;
}

/**
 * A {@link WatchRequest} from what `watchOrders` was given (a bare query, or a request), checked.
 *
 * @example
 * ```ts
 * toWatchRequest({ outTradeNo: 'A1' }, 'watchOrders'); // { query: { outTradeNo: 'A1' } }
 * ```
 * @internal
 */
export function toWatchRequest(item: OrderQuery | WatchRequest, where: string): WatchRequest {
  const request: WatchRequest =
    typeof item === 'object' && item !== null && 'query' in item ? item : { query: item as OrderQuery };
  assertQuery(request.query, where);
  assertExpectation(request.expect, where);
  if (request.deadline !== undefined) assertDeadline(request.deadline, where);
  return request;
}

/** What a schedule that refuses a first delay becomes: the watch ends `ERROR` with it. */
function scheduleFailure(error: unknown): WatchError {
  const message = error instanceof Error ? error.message : 'the schedule threw';
  return { code: 'SCHEDULE', message, retryable: false };
}

/**
 * The machine input a watch starts with: times from the clock, the first query where the schedule puts it, the
 * request's own expectation and deadline over the options'.
 *
 * @example
 * ```ts
 * const input = watchInput(options, { query: options.query }, asyncScheduler);
 * ```
 */
export function watchInput(options: WatchOptions, request: WatchRequest, scheduler: SchedulerLike): OrderMachineInput {
  const startedAt = scheduler.now();
  const deadline = request.deadline ?? options.deadline;
  const deadlineAt = deadline instanceof Date ? deadline.getTime() : startedAt + deadline;
  let first: number | null = null;
  let failure: WatchError | undefined;
  try {
    first = nextDelay(
      options.schedule,
      0,
      { kind: 'start', tradeState: undefined, consecutiveErrors: 0, elapsedMs: 0 },
      options.jitter,
    );
  } catch (error) {
    failure = scheduleFailure(error);
  }
  return {
    query: request.query,
    startedAt,
    deadlineAt,
    firstQueryAt: first === null ? null : startedAt + first,
    notFoundGraceMs: options.notFoundGraceMs,
    followRefunds: options.followRefunds,
    expect: request.expect ?? options.expect,
    merchant: options.merchant,
    ...(failure === undefined ? {} : { failure }),
  };
}
