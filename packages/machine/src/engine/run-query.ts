import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { QueryActorDeps, QueryActorInput } from '../definition/actors.ts';
import { queryKey, toWatchError, toWatchOutcome } from '../definition/outcome.ts';
import type { OrderEvent, WatchError, WatchOutcome } from '../definition/types.ts';
import { type LastOutcome, nextDelay } from '../schedules/schedules.ts';
import { scheduleAt } from './clock.ts';
import { untilAborted } from './until-aborted.ts';

/**
 * The event a finished query produces.
 *
 * @example
 * ```ts
 * const e: QueryEvent = { type: 'QUERY_FAILED', error, at: Date.now(), nextDelayMs: 5000 };
 * ```
 */
export type QueryEvent = Extract<OrderEvent, { type: 'ANSWER' | 'QUERY_FAILED' }>;

const DEADLINE_DURING_QUERY: WatchError = {
  code: 'TIMEOUT',
  message: 'the deadline was reached while the query was in flight',
  retryable: true,
};

function lastOf(outcome: WatchOutcome, input: QueryActorInput, elapsedMs: number): LastOutcome {
  switch (outcome.kind) {
    case 'order':
      return {
        kind: 'order',
        tradeState: typeof outcome.tradeState === 'string' ? outcome.tradeState : input.tradeState,
        consecutiveErrors: 0,
        elapsedMs,
      };
    case 'not-found':
      return { kind: 'not-found', tradeState: input.tradeState, consecutiveErrors: 0, elapsedMs };
    case 'error':
      return {
        kind: outcome.retryable ? 'retryable-error' : 'fatal-error',
        tradeState: input.tradeState,
        consecutiveErrors: input.consecutiveErrors + 1,
        elapsedMs,
      };
  }
}

/** The error an outcome carries, without its `kind`. */
function errorOf(outcome: Extract<WatchOutcome, { kind: 'error' }>): WatchError {
  const { kind: _, ...error } = outcome;
  return error;
}

/** A schedule that throws is a bug of the caller's: end the watch with it rather than lose the watch. */
function plan(deps: QueryActorDeps, input: QueryActorInput, outcome: WatchOutcome, at: number): QueryEvent {
  const last = lastOf(outcome, input, at - input.startedAt);
  try {
    const nextDelayMs = last.kind === 'fatal-error' ? null : nextDelay(deps.schedule, input.attempt, last, deps.jitter);
    return outcome.kind === 'error'
      ? { type: 'QUERY_FAILED', error: errorOf(outcome), at, nextDelayMs }
      : { type: 'ANSWER', outcome, at, nextDelayMs };
  } catch (error) {
    const message = error instanceof Error ? error.message : 'the schedule threw';
    return { type: 'QUERY_FAILED', error: { code: 'SCHEDULE', message, retryable: false }, at, nextDelayMs: null };
  }
}

/**
 * The abort reason that means "the watch's deadline passed during this query": whoever drives the query (the
 * `queryOrder` actor's own timer, the watch engine's shared timer queue) aborts with it, and {@link runQuery}
 * reports a retryable `TIMEOUT` instead of going quiet.
 *
 * @example
 * ```ts
 * controller.abort(QUERY_DEADLINE);
 * ```
 * @internal
 */
export const QUERY_DEADLINE: unique symbol = Symbol('tradestate.queryDeadline');

/**
 * Runs one query of a watch: a limiter slot, the client call, and the schedule's next delay. Resolves
 * `undefined` when `signal` aborted it (the watch moved on or stopped); never rejects. Reaching the deadline
 * aborts the request and reports a retryable `TIMEOUT`, which the machine turns into its `DEADLINE` end.
 *
 * @example
 * ```ts
 * const event = await runQuery({ client, schedule: schedules.native }, input, controller.signal);
 * if (event) actor.send(event);
 * ```
 */
export async function runQuery(
  deps: QueryActorDeps,
  input: QueryActorInput,
  signal: AbortSignal,
): Promise<QueryEvent | undefined> {
  const scheduler = deps.scheduler ?? asyncScheduler;
  const local = new AbortController();
  const forward = () => local.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  const deadline = scheduleAt(scheduler, input.deadlineAt, () => local.abort(QUERY_DEADLINE));
  try {
    if (signal.aborted) return undefined;
    return await runQueryUnderSignal({ ...deps, scheduler }, input, local.signal);
  } finally {
    deadline.unsubscribe();
    signal.removeEventListener('abort', forward);
  }
}

/**
 * {@link runQuery} for a driver that keeps the deadline itself: the one `signal` is the query's only
 * cancellation, and the driver aborts it with {@link QUERY_DEADLINE} when the deadline passes (during the
 * limiter wait or the request), which resolves a retryable `TIMEOUT`; any other abort resolves `undefined`.
 * The watch engine keeps every deadline on its shared timer queue, so a poll costs no controller or timer
 * beyond this signal's.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const timer = scheduleAt(scheduler, input.deadlineAt, () => controller.abort(QUERY_DEADLINE));
 * const event = await runQueryUnderSignal({ client, schedule, scheduler }, input, controller.signal);
 * timer.unsubscribe();
 * ```
 * @internal
 */
export async function runQueryUnderSignal(
  deps: QueryActorDeps & { readonly scheduler: SchedulerLike },
  input: QueryActorInput,
  signal: AbortSignal,
): Promise<QueryEvent | undefined> {
  const { scheduler } = deps;
  try {
    if (deps.limiter !== undefined) await deps.limiter.acquire(queryKey(input.query), signal);
    if (signal.aborted) throw signal.reason;
    // Raced against the signal: a client that ignores it (never resolves) must not keep the watch past its deadline.
    const outcome = await untilAborted(Promise.resolve(deps.client.queryOrder(input.query, { signal })), signal);
    if (signal.aborted) return afterAbort(deps, input, signal);
    return plan(deps, input, toWatchOutcome(outcome), scheduler.now());
  } catch (error) {
    if (signal.aborted) return afterAbort(deps, input, signal);
    return plan(deps, input, { kind: 'error', ...toWatchError(error) }, scheduler.now());
  }
}

/** After an abort: the deadline's `TIMEOUT`, or nothing when the watch itself moved on. */
function afterAbort(
  deps: QueryActorDeps & { readonly scheduler: SchedulerLike },
  input: QueryActorInput,
  signal: AbortSignal,
): QueryEvent | undefined {
  if (signal.reason !== QUERY_DEADLINE) return undefined;
  return plan(deps, input, { kind: 'error', ...DEADLINE_DURING_QUERY }, deps.scheduler.now());
}
