import { InvalidArgumentError, TransportError } from '@tradestate/protocol';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { type Cancellable, scheduleAt } from '../engine/clock.ts';

/**
 * A merchant-wide query budget shared by many watches.
 *
 * @example
 * ```ts
 * await limiter.acquire('out_trade_no:A1', signal); // resolves when this order may query
 * ```
 */
export interface Limiter {
  /**
   * Resolves when the caller may send one query. Waiters are served round-robin by `key` (one order with
   * many waiters cannot starve the others), first come first served within a key. Rejects with a
   * `TransportError` of code `ABORTED` if `signal` aborts first; the slot is not consumed.
   */
  acquire(key: string, signal?: AbortSignal): Promise<void>;
  /** How many callers are waiting. */
  readonly pending: number;
}

/**
 * Options of {@link createLimiter}.
 *
 * @example
 * ```ts
 * const options: LimiterOptions = { ratePerSecond: 5, burst: 2 };
 * ```
 */
export interface LimiterOptions {
  /** Never more grants than this in any window of 1000 ms: an integer, 1 or more. */
  readonly ratePerSecond: number;
  /**
   * How many grants may go out at once after a quiet period (a token bucket): an integer, 1 or more; more than
   * the rate counts as the rate. Default 1:
   * grants spaced `1000 / ratePerSecond` ms apart. A larger burst sends up to a window's budget at once, and
   * since those requests reach WeChat after varying latencies (a socket pool, a busy event loop), some of
   * them land in the same second as the next window's: 5,000 watches under 100/s, counted by the sandbox,
   * showed 101–102 queries in one second with a burst of 100 and 99 with a burst of 1.
   */
  readonly burst?: number | undefined;
  /** The clock; default rxjs's `asyncScheduler`. */
  readonly scheduler?: SchedulerLike | undefined;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

const WINDOW_MS = 1000;
/** A grant counts from this much after its instant: clocks tick in whole milliseconds and delivery takes a moment. */
const DELIVERY_MARGIN_MS = 1;

/**
 * Creates a {@link Limiter}: a sliding one-second window (never more than `ratePerSecond` grants in any
 * 1000 ms) combined with a token bucket of `burst` tokens (so the rate is spread rather than spent at once).
 * WeChat answers FREQUENCY_LIMITED above a merchant's query rate; one limiter for all watches of a merchant
 * keeps them under it.
 *
 * The window is a log of the last `ratePerSecond` grants in a ring buffer: a grant waits until the oldest of
 * them is 1000 ms old. Each grant is logged one millisecond after its instant, or one interval (1000 / rate
 * ms) after the grant logged before it, whichever is later. So a burst granted at once frees its slots one by
 * one a second later instead of all together (under saturation grants come evenly spaced, never as a second
 * burst exactly 1000 ms after the first), and the next second's grant never lands within 1000 ms of a grant
 * that reached its caller a moment late or was stamped by a clock that had just ticked over (what a server
 * counting arrivals in its own window sees). Logged instants are never earlier than the grants, so no
 * window of 1000 ms, aligned or not, holds more than `ratePerSecond` grants; the millisecond costs 0.1 % of
 * the rate under saturation.
 *
 * @example
 * ```ts
 * const limiter = createLimiter({ ratePerSecond: 5, burst: 2 });
 * watchOrders(pending$, { client, schedule: schedules.backend, deadline: 7_200_000, limiter });
 * ```
 */
export function createLimiter(options: LimiterOptions): Limiter {
  const rate = options?.ratePerSecond;
  if (typeof rate !== 'number' || !Number.isSafeInteger(rate) || rate < 1) {
    throw new InvalidArgumentError(`createLimiter: ratePerSecond must be an integer, 1 or more (got ${shown(rate)})`);
  }
  const wanted = options.burst ?? 1;
  if (typeof wanted !== 'number' || !Number.isSafeInteger(wanted) || wanted < 1) {
    throw new InvalidArgumentError(`createLimiter: burst must be an integer, 1 or more (got ${shown(wanted)})`);
  }
  const burst = Math.min(rate, wanted);
  const scheduler = options.scheduler ?? asyncScheduler;
  if (typeof scheduler.now !== 'function' || typeof scheduler.schedule !== 'function') {
    throw new InvalidArgumentError('createLimiter: scheduler must be an object with now, schedule');
  }
  const interval = WINDOW_MS / rate;
  /** The logged instants of the last `rate` grants; `log[oldest]` is the one the next grant replaces. */
  const log = new Float64Array(rate).fill(Number.NEGATIVE_INFINITY);
  let oldest = 0;
  let lastLogged = Number.NEGATIVE_INFINITY;
  /** Keys in round-robin order; a Map keeps insertion order, so re-inserting a key moves it to the back. */
  const queues = new Map<string, Waiter[]>();
  let pending = 0;
  let tokens = burst;
  let refilledAt = scheduler.now();
  let timer: Cancellable | undefined;
  let timerAt = Number.POSITIVE_INFINITY;

  const refill = (now: number) => {
    tokens = Math.min(burst, tokens + ((now - refilledAt) * rate) / WINDOW_MS);
    refilledAt = now;
  };

  const nextGrantAt = (now: number): number => {
    const windowFreeAt = (log[oldest] as number) + WINDOW_MS;
    const tokenAt = tokens >= 1 ? now : now + ((1 - tokens) * WINDOW_MS) / rate;
    return Math.max(now, windowFreeAt, tokenAt);
  };

  const logGrant = (now: number) => {
    lastLogged = Math.max(now + DELIVERY_MARGIN_MS, lastLogged + interval);
    log[oldest] = lastLogged;
    oldest = oldest + 1 === rate ? 0 : oldest + 1;
  };

  const takeNext = (): Waiter | undefined => {
    for (const [key, queue] of queues) {
      const waiter = queue.shift();
      queues.delete(key);
      if (queue.length > 0) queues.set(key, queue);
      if (waiter !== undefined) return waiter;
    }
    return undefined;
  };

  const pump = () => {
    while (pending > 0) {
      const now = scheduler.now();
      refill(now);
      const at = nextGrantAt(now);
      if (at > now) {
        arm(at);
        return;
      }
      const waiter = takeNext();
      if (waiter === undefined) return;
      pending -= 1;
      tokens -= 1;
      logGrant(now);
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve();
    }
  };

  const arm = (at: number) => {
    if (timer !== undefined && timerAt <= at) return;
    timer?.unsubscribe();
    timerAt = at;
    timer = scheduleAt(scheduler, Math.ceil(at), () => {
      timer = undefined;
      timerAt = Number.POSITIVE_INFINITY;
      pump();
    });
  };

  return {
    get pending() {
      return pending;
    },
    acquire(key, signal) {
      if (signal?.aborted) return Promise.reject(aborted(signal));
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const queue = queues.get(key);
          const index = queue?.indexOf(waiter) ?? -1;
          if (queue === undefined || index < 0) return;
          queue.splice(index, 1);
          if (queue.length === 0) queues.delete(key);
          pending -= 1;
          reject(aborted(signal));
        };
        const waiter: Waiter = { resolve, reject, signal, onAbort };
        signal?.addEventListener('abort', onAbort, { once: true });
        const queue = queues.get(key);
        if (queue === undefined) queues.set(key, [waiter]);
        else queue.push(waiter);
        pending += 1;
        // Granted from a timer callback, never inside the caller's synchronous code: a grant given in the middle
        // of a long synchronous stretch (thousands of watches starting) is only sent when that stretch ends,
        // together with the grants that came due meanwhile, and the server sees them in one burst.
        arm(scheduler.now());
      });
    },
  };
}

/** A bad option as a message shows it: a number as it is, anything else by its kind. */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : `a ${typeof value}`;
}

function aborted(signal: AbortSignal | undefined): TransportError {
  return new TransportError('ABORTED', 'the wait for a query slot was aborted', { cause: signal?.reason });
}
