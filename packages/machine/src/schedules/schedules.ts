import { InvalidArgumentError, type TradeState } from '@tradestate/protocol';
import type { AtDeadline } from '../engine/settle.ts';

/**
 * What a schedule knows when it chooses the next delay.
 *
 * @example
 * ```ts
 * const last: LastOutcome = { kind: 'order', tradeState: 'USERPAYING', consecutiveErrors: 0, elapsedMs: 5000 };
 * ```
 */
export interface LastOutcome {
  /** `start` before the first query; `retryable-error` after a failure worth retrying. */
  readonly kind: 'start' | 'order' | 'not-found' | 'retryable-error' | 'fatal-error';
  /** The trade state the latest answer claimed, or the latest verified one. */
  readonly tradeState: TradeState | undefined;
  /** Retryable failures in a row, this one included. */
  readonly consecutiveErrors: number;
  /** Milliseconds since the watch started. */
  readonly elapsedMs: number;
}

/**
 * The function form of a schedule: given how many queries were made (0 before the first) and what the last
 * one said, the delay in milliseconds until the next query, or `null` to give up (the watch ends `DEADLINE`).
 *
 * @example
 * ```ts
 * const everyThreeSeconds: Schedule = (attempt, last) => (last.elapsedMs < 30_000 ? 3000 : null);
 * ```
 */
export type Schedule = (attempt: number, last: LastOutcome) => number | null;

/** Doubles the base delay per consecutive failure, capped, so a struggling service is not hammered. */
function doubling(base: number, consecutiveErrors: number, cap: number): number {
  return Math.min(cap, base * 2 ** Math.max(0, consecutiveErrors - 1));
}

/** Gives up when the next query would fall after `limitMs` since the start. */
function limit(limitMs: number, elapsedMs: number, delay: number): number | null {
  return elapsedMs + delay <= limitMs ? delay : null;
}

/**
 * A preset schedule: a {@link Schedule} that also names what fits it at the deadline (`atDeadline`), which a
 * watch applies only when given: `atDeadline: schedules.native.atDeadline`.
 *
 * @example
 * ```ts
 * watchOrder({ client, query, schedule: schedules.native, atDeadline: schedules.native.atDeadline, deadline: 60_000 });
 * ```
 */
export type SchedulePreset = Schedule & { readonly atDeadline: AtDeadline };

function preset(schedule: Schedule, atDeadline: AtDeadline): SchedulePreset {
  return Object.assign(schedule, { atDeadline });
}

function assertDelay(value: unknown, where: string, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 2 ** 31 - 1) {
    throw new InvalidArgumentError(`${where}: ${name} must be a number of milliseconds from 0 to 2^31-1`);
  }
}

/**
 * A schedule that queries every `ms` milliseconds, for ever (bound it with {@link within} or a deadline).
 *
 * @example
 * ```ts
 * const schedule = within(60_000, every(2000));
 * ```
 */
export function every(ms: number): Schedule {
  assertDelay(ms, 'every', 'ms');
  return () => ms;
}

/**
 * `schedule`, but after a retryable failure it waits `baseMs`, doubling per failure in a row up to `maxMs`, so a
 * struggling service is not hammered.
 *
 * @example
 * ```ts
 * const schedule = backoff(every(2000), { baseMs: 4000, maxMs: 8000 });
 * ```
 */
export function backoff(schedule: Schedule, options: { readonly baseMs: number; readonly maxMs: number }): Schedule {
  assertDelay(options?.baseMs, 'backoff', 'baseMs');
  assertDelay(options.maxMs, 'backoff', 'maxMs');
  const { baseMs, maxMs } = options;
  return (attempt, last) =>
    last.kind === 'retryable-error' ? doubling(baseMs, last.consecutiveErrors, maxMs) : schedule(attempt, last);
}

/**
 * `schedule`, giving up (`null`) once the next query would come more than `limitMs` after the watch started.
 *
 * @example
 * ```ts
 * const schedule = within(45_000, every(5000));
 * ```
 */
export function within(limitMs: number, schedule: Schedule): Schedule {
  assertDelay(limitMs, 'within', 'limitMs');
  return (attempt, last) => {
    const delay = schedule(attempt, last);
    return delay === null ? null : limit(limitMs, last.elapsedMs, delay);
  };
}

/**
 * `schedule` in scaled time: `factor` 0.01 runs it a hundred times faster (delays multiplied by `factor`, the
 * elapsed time it sees divided by it), for demos and tests against a time-scaled sandbox. A preset keeps its
 * `atDeadline`.
 *
 * @example
 * ```ts
 * const fast = scaleSchedule(schedules.micropay, 0.01); // the 45 s window in 450 ms
 * ```
 */
export function scaleSchedule<S extends Schedule>(schedule: S, factor: number): S {
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor <= 0) {
    throw new InvalidArgumentError('scaleSchedule: factor must be a finite number above 0');
  }
  const scaled: Schedule = (attempt, last) => {
    const delay = schedule(attempt, { ...last, elapsedMs: last.elapsedMs / factor });
    return delay === null ? null : delay * factor;
  };
  const atDeadline = (schedule as Partial<SchedulePreset>).atDeadline;
  return (atDeadline === undefined ? scaled : preset(scaled, atDeadline)) as S;
}

/**
 * Micropay (付款码支付): WeChat's guidance for the merchant's "query after micropay" loop. When the micropay
 * call answered SYSTEMERROR, or USERPAYING (the customer is entering a password), query the order about 5 s
 * later and then every few seconds while it stays USERPAYING; give up by 45 s and then call the reverse API
 * (撤销订单, `/secapi/pay/reverse`): `atDeadline: 'reverse'`, this preset's `atDeadline`.
 * Source: WeChat Pay v2 docs, 付款码支付 → 支付结果确认 / 撤销订单 ("调用支付接口后请返回系统错误或用户支付中时，
 * 商户需调用查询订单API…"), and the official SDK's micropay sample (query every few seconds, up to ~45 s).
 *
 * Delays: first query 5 s after the start, then 5 s; after a retryable error 5 s, doubling per error in a row
 * (capped at 10 s); nothing after 45 s.
 *
 * @example
 * ```ts
 * watchOrder({ client, query: { outTradeNo }, schedule: schedules.micropay, deadline: 45_000 });
 * ```
 */
const micropay: Schedule = (_attempt, last) => {
  const delay = last.kind === 'retryable-error' ? doubling(5000, last.consecutiveErrors, 10_000) : 5000;
  return limit(45_000, last.elapsedMs, delay);
};

/**
 * NATIVE (扫码支付) page polling: while the QR code is on screen, the page asks the merchant back end for the
 * result every 2 s for 60 s, the pattern of WeChat's NATIVE demo and of its "支付结果通知 + 主动查询" advice
 * for a page waiting on a scan. Source: WeChat Pay v2 docs, Native 支付 → 开发步骤 (the demo page polls
 * every 2 s) and 最佳实践 → 查询订单.
 *
 * Delays: 2 s; after a retryable error 4 s, doubling per error in a row (capped at 8 s); nothing after 60 s.
 *
 * @example
 * ```ts
 * watchOrder({ client, query: { outTradeNo }, schedule: schedules.native, deadline: 60_000 });
 * ```
 */
const native: Schedule = (_attempt, last) => {
  const delay = last.kind === 'retryable-error' ? doubling(4000, last.consecutiveErrors, 8000) : 2000;
  return limit(60_000, last.elapsedMs, delay);
};

/** Widening intervals of the back-end job, after its first query at one minute. */
const BACKEND_STEPS_MS = [60_000, 60_000, 180_000, 600_000, 1_200_000, 1_800_000, 3_600_000] as const;

/**
 * The back-end reconciliation job: WeChat's advice for a merchant that has not received the payment
 * notification — query the order actively, starting when no notification came in the first minute, then at
 * widening intervals (in the spirit of WeChat's own notification retries: 15 s, 15 s, 30 s, 3 min, 10 min,
 * 20 min, 30 min…), and close the order (`closeorder`) once it expires (unified orders default to a 2 h
 * validity). Source: WeChat Pay v2 docs, 支付结果通知 ("商户系统对于支付结果通知的内容一定要做签名验证…如果
 * 没有收到通知，商户后台需调用查询订单API") and 最佳实践 → 商户后台查单.
 *
 * Delays: first query at 1 min, then +1 min, +3 min, +10 min, +20 min, +30 min, then hourly; after a
 * retryable error 30 s doubling per error in a row (capped at 10 min); nothing after 2 h.
 *
 * @example
 * ```ts
 * watchOrders(pendingOrders$, { client, schedule: schedules.backend, deadline: 2 * 3600_000, limiter });
 * ```
 */
const backend: Schedule = (attempt, last) => {
  const delay =
    last.kind === 'retryable-error'
      ? doubling(30_000, last.consecutiveErrors, 600_000)
      : (BACKEND_STEPS_MS[attempt] ?? BACKEND_STEPS_MS[BACKEND_STEPS_MS.length - 1] ?? 3_600_000);
  return limit(7_200_000, last.elapsedMs, delay);
};

/**
 * The preset schedules, each citing the WeChat guidance its numbers come from. Any {@link Schedule} function
 * works in their place.
 *
 * @example
 * ```ts
 * const schedule = tradeType === 'MICROPAY' ? schedules.micropay : schedules.native;
 * ```
 */
export const schedules: {
  /** Its `atDeadline` is `'reverse'`: an unpaid micropay is reversed, WeChat's rule for the till. */
  readonly micropay: SchedulePreset;
  /** Its `atDeadline` is `'close'`: an unpaid QR order is closed once the page gives up. */
  readonly native: SchedulePreset;
  /** Its `atDeadline` is `'close'`: an order past its validity is closed. */
  readonly backend: SchedulePreset;
} = {
  micropay: preset(micropay, 'reverse'),
  native: preset(native, 'close'),
  backend: preset(backend, 'close'),
};

/**
 * Jitter options: each delay is multiplied by a factor drawn uniformly from `[1 - ratio, 1 + ratio]` so many
 * watches started together do not query in lockstep.
 *
 * @example
 * ```ts
 * const jitter: JitterOptions = { ratio: 0.1, random: seededRandom(42) };
 * ```
 */
export interface JitterOptions {
  /** Default 0.1. 0 disables jitter. */
  readonly ratio?: number | undefined;
  /** A source of uniform numbers in [0, 1); default `Math.random`. Inject one to make tests reproducible. */
  readonly random?: (() => number) | undefined;
}

/**
 * Asks a schedule for the next delay and applies jitter. A schedule that throws or returns something other
 * than a finite non-negative number or `null` is a programming error and throws a `RangeError`.
 *
 * @example
 * ```ts
 * nextDelay(schedules.native, 1, last, { ratio: 0 }); // 2000
 * ```
 */
export function nextDelay(schedule: Schedule, attempt: number, last: LastOutcome, jitter: JitterOptions = {}) {
  const delay = schedule(attempt, last);
  if (delay === null) return null;
  if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) {
    throw new RangeError(`a schedule returned ${String(delay)}; expected a delay in ms or null`);
  }
  const ratio = jitter.ratio ?? 0.1;
  if (ratio === 0) return Math.round(delay);
  const random = jitter.random ?? Math.random;
  return Math.max(0, Math.round(delay * (1 - ratio + 2 * ratio * random())));
}

/**
 * A small seedable PRNG (mulberry32) for reproducible jitter in tests and simulations.
 *
 * @example
 * ```ts
 * const random = seededRandom(7);
 * random(); // the same number on every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
