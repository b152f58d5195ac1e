import type { OrderQuery, OrderQueryClient } from '@tradestate/protocol';
import type { SchedulerLike } from 'rxjs';
import type { MerchantIds, OrderMachineInput, WatchError, WatchExpectation } from '../definition/types.ts';
import type { AtDeadline, SettleClient, SettleTiming } from '../engine/settle.ts';
import type { Limiter } from '../limiter/limiter.ts';
import { type JitterOptions, nextDelay, type Schedule } from '../schedules/schedules.ts';
import type { SnapshotStore } from '../stores/snapshot-store.ts';
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
  /** Queries orders; with `atDeadline`, also closes (`closeOrder`) or reverses (`reverseOrder`) them. */
  readonly client: OrderQueryClient & SettleClient;
  /** When to query; a delay it returns that is not a finite number of ms, 0 or more (or `null`), ends the watch `ERROR`. */
  readonly schedule: Schedule;
  /**
   * When the watch stops polling: a number is milliseconds after the watch starts (finite, 0 or more), a `Date`
   * an instant. Then it ends `DEADLINE`, or settles (see `atDeadline`).
   */
  readonly deadline: number | Date;
  /**
   * What to do at the deadline (or when the schedule gives up) without a final state: `'close'` the order,
   * `'reverse'` it (a micropay), or `'none'` (the default: end `DEADLINE`, the order left to the caller). The watch
   * then enters `SETTLING`, persisted like any state, and ends only once a verified query confirms: `CLOSED`,
   * `REVOKED`, or `SUCCESS` when the payment landed first. A close waits until `createdAt` plus 5 minutes
   * (WeChat's rule); reverse follows `recall`; retryable failures back off under the `limiter`. Each preset names
   * the one that fits it: `atDeadline: schedules.native.atDeadline`. Needs the client's `closeOrder` or
   * `reverseOrder` (refused at the call otherwise), and, for a close, a query by `outTradeNo`.
   */
  readonly atDeadline?: AtDeadline | undefined;
  /**
   * When the order was created (epoch ms, or a `Date`): a close comes no sooner than 5 minutes after it. Default:
   * when the watch starts (a close then waits 5 minutes from there). For `watchOrders`, a request's own takes precedence.
   */
  readonly createdAt?: number | Date | undefined;
  /** Settling's pauses and bounds (ms); defaults from WeChat's guidance (see {@link SettleTiming}). */
  readonly settleTiming?: Partial<SettleTiming> | undefined;
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
  assertSettling(o, where);
  if (o.jitter !== undefined) {
    assertMethods(o.jitter, where, 'jitter', []);
    const { ratio, random } = o.jitter;
    if (ratio !== undefined && (typeof ratio !== 'number' || !(ratio >= 0 && ratio <= 1))) {
      fail(where, 'jitter.ratio must be a number from 0 to 1', ratio);
    }
    if (random !== undefined) assertFunction(random, where, 'jitter.random');
  }
}

const AT_DEADLINE: readonly unknown[] = ['close', 'reverse', 'none'];

/** Settling's options, checked at the call: an `atDeadline` the client cannot do is refused, not discovered late. */
function assertSettling(o: Partial<WatchOptions>, where: string): void {
  assertAtDeadline(o.atDeadline, o.client, where);
  if (o.createdAt !== undefined) assertInstant(o.createdAt, where, 'createdAt');
  if (o.settleTiming !== undefined) {
    assertMethods(o.settleTiming, where, 'settleTiming', []);
    for (const [name, value] of Object.entries(o.settleTiming)) {
      if (value !== undefined) assertMilliseconds(value, where, `settleTiming.${name}`);
    }
  }
}

function assertAtDeadline(atDeadline: unknown, client: unknown, where: string): void {
  if (atDeadline === undefined) return;
  if (!AT_DEADLINE.includes(atDeadline)) fail(where, "atDeadline must be 'close', 'reverse' or 'none'", atDeadline);
  if (client === undefined) return;
  if (atDeadline === 'close') assertMethods(client, where, 'client', ['queryOrder', 'closeOrder']);
  if (atDeadline === 'reverse') assertMethods(client, where, 'client', ['queryOrder', 'reverseOrder']);
}

function assertInstant(value: unknown, where: string, name: string): void {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    fail(where, `${name} must be epoch milliseconds or a valid Date`, value);
  }
}

/** A close names the order by `out_trade_no`: WeChat's closeorder takes nothing else. */
function assertClosable(query: OrderQuery, atDeadline: AtDeadline | undefined, where: string): void {
  if (atDeadline === 'close' && query.outTradeNo === undefined) {
    fail(where, "atDeadline 'close' needs the order's outTradeNo (closeorder takes no transaction_id)", query);
  }
}

/**
 * Checks a watch's settling against its query and client, at the call.
 *
 * @example
 * ```ts
 * assertSettleable(options, options.query, 'watchOrder');
 * ```
 * @internal
 */
export function assertSettleable(options: Partial<WatchOptions>, query: OrderQuery, where: string): void {
  assertClosable(query, options.atDeadline, where);
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
  /** This order's deadline (ms after the start, or a `Date`); takes precedence over the options' `deadline`. */
  readonly deadline?: number | Date | undefined;
  /** What to do at this order's deadline; takes precedence over the options' `atDeadline`. */
  readonly atDeadline?: AtDeadline | undefined;
  /** When this order was created (epoch ms, or a `Date`); takes precedence over the options' `createdAt`. */
  readonly createdAt?: number | Date | undefined;
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
export function toWatchRequest(
  item: OrderQuery | WatchRequest,
  where: string,
  options: Partial<WatchOptions> = {},
): WatchRequest {
  const request: WatchRequest =
    typeof item === 'object' && item !== null && 'query' in item ? item : { query: item as OrderQuery };
  assertQuery(request.query, where);
  assertExpectation(request.expect, where);
  if (request.deadline !== undefined) assertDeadline(request.deadline, where);
  assertAtDeadline(request.atDeadline, options.client, where);
  if (request.createdAt !== undefined) assertInstant(request.createdAt, where, 'createdAt');
  assertClosable(request.query, request.atDeadline ?? options.atDeadline, where);
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
    ...settleInput(options, request),
  };
}

/** Settling's part of a watch's input; nothing for a watch that does not settle. */
function settleInput(options: WatchOptions, request: WatchRequest): Partial<OrderMachineInput> {
  const atDeadline = request.atDeadline ?? options.atDeadline;
  if (atDeadline === undefined || atDeadline === 'none') return {};
  const created = request.createdAt ?? options.createdAt;
  return {
    atDeadline,
    createdAt: created instanceof Date ? created.getTime() : created,
    settleTiming: options.settleTiming,
  };
}
