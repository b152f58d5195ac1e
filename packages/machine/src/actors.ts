import type { OrderQuery, OrderQueryClient, TradeState } from '@tradestate/protocol';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { fromCallback } from 'xstate';
import { scheduleAt } from './clock.ts';
import type { Limiter } from './limiter.ts';
import { runQuery } from './run-query.ts';
import type { JitterOptions, Schedule } from './schedules.ts';
import type { OrderEvent } from './types.ts';

/**
 * Input of the invoked `wait` actor: it sends `DUE` at `min(dueAt, deadlineAt)`.
 *
 * @example
 * ```ts
 * const input: WaitActorInput = { dueAt: Date.now() + 2000, deadlineAt: Date.now() + 60_000 };
 * ```
 */
export interface WaitActorInput {
  readonly dueAt: number;
  readonly deadlineAt: number;
}

/**
 * Input of the invoked `queryOrder` actor, taken from the machine's context when the query starts.
 *
 * @example
 * ```ts
 * const input: QueryActorInput = { query: { outTradeNo: 'A1' }, attempt: 1, consecutiveErrors: 0, tradeState: undefined, startedAt: 0, deadlineAt: 60_000 };
 * ```
 */
export interface QueryActorInput {
  readonly query: OrderQuery;
  /** The number of this query (1 for the first). */
  readonly attempt: number;
  readonly consecutiveErrors: number;
  readonly tradeState: TradeState | undefined;
  readonly startedAt: number;
  readonly deadlineAt: number;
}

/**
 * The `wait` actor: sends `DUE` when the next query is due (or the deadline is reached), on the given
 * scheduler's clock. Restored from a snapshot, it waits only for what remains.
 *
 * @example
 * ```ts
 * const machine = orderMachine.provide({ actors: { wait: createWaitActor(testScheduler) } });
 * ```
 */
export function createWaitActor(scheduler: SchedulerLike = asyncScheduler) {
  return fromCallback<OrderEvent, WaitActorInput>(({ input, sendBack }) => {
    const timer = scheduleAt(scheduler, Math.min(input.dueAt, input.deadlineAt), () => {
      sendBack({ type: 'DUE', at: scheduler.now() });
    });
    return () => timer.unsubscribe();
  });
}

/**
 * What the `queryOrder` actor needs: the client, the schedule that picks the next delay, and optionally a
 * shared limiter, a clock and jitter.
 *
 * @example
 * ```ts
 * const deps: QueryActorDeps = { client, schedule: schedules.native, limiter: createLimiter({ ratePerSecond: 5 }) };
 * ```
 */
export interface QueryActorDeps {
  readonly client: OrderQueryClient;
  readonly schedule: Schedule;
  readonly limiter?: Limiter | undefined;
  readonly scheduler?: SchedulerLike | undefined;
  readonly jitter?: JitterOptions | undefined;
}

/**
 * The `queryOrder` actor: waits for a slot of the limiter, asks the client (aborted when the state is left,
 * the actor stops, or the deadline passes), and sends back `ANSWER` or `QUERY_FAILED` with the delay the
 * schedule chose. Restored in the middle of a query, it simply asks again.
 *
 * @example
 * ```ts
 * const machine = orderMachine.provide({ actors: { queryOrder: createQueryActor({ client, schedule: schedules.native }) } });
 * ```
 */
export function createQueryActor(deps: QueryActorDeps) {
  const scheduler = deps.scheduler ?? asyncScheduler;
  return fromCallback<OrderEvent, QueryActorInput>(({ input, sendBack }) => {
    const controller = new AbortController();
    void runQuery({ ...deps, scheduler }, input, controller.signal).then((event) => {
      if (event !== undefined && !controller.signal.aborted) sendBack(event);
    });
    return () => controller.abort();
  });
}
