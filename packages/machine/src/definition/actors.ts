import type { OrderQuery, OrderQueryClient, TradeState } from '@tradestate/protocol';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { type ActorSystem, fromCallback } from 'xstate';

// biome-ignore lint/suspicious/noExplicitAny: any actor system, whatever its actors.
type AnyActorSystem = ActorSystem<any>;

import { scheduleAt } from '../engine/clock.ts';
import { QUERY_DEADLINE, runQueryUnderSignal } from '../engine/run-query.ts';
import { runSettle, type SettleClient } from '../engine/settle.ts';
import type { Limiter } from '../limiter/limiter.ts';
import type { JitterOptions, Schedule } from '../schedules/schedules.ts';
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
  /** Queries orders; for settling at the deadline, also closes (`closeOrder`) or reverses (`reverseOrder`) them. */
  readonly client: OrderQueryClient & SettleClient;
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
  return fromCallback<OrderEvent, QueryActorInput>(({ input, sendBack }) => startQuery(deps, input, sendBack));
}

/** Starts one query; the returned function aborts it. */
function startQuery(deps: QueryActorDeps, input: QueryActorInput, sendBack: (event: OrderEvent) => void) {
  const scheduler = deps.scheduler ?? asyncScheduler;
  const controller = new AbortController();
  const deadline = scheduleAt(scheduler, input.deadlineAt, () => controller.abort(QUERY_DEADLINE));
  let stopped = false;
  void runQueryUnderSignal({ ...deps, scheduler }, input, controller.signal).then((event) => {
    deadline.unsubscribe();
    if (event !== undefined && !stopped) sendBack(event);
  });
  return () => {
    stopped = true;
    deadline.unsubscribe();
    controller.abort();
  };
}

/** Dependencies bound to an actor system, so one shared machine definition serves every watch. */
const boundDeps = new WeakMap<AnyActorSystem, QueryActorDeps>();

/**
 * Gives the actors of {@link orderMachine} running in `system` (a root actor's `actor.system`) their client,
 * schedule, limiter and clock, without `provide` creating a machine per watch (a provided machine copies the
 * whole definition: about 100 KB each). Call before `actor.start()`.
 *
 * @example
 * ```ts
 * const actor = createActor(orderMachine, { input });
 * bindWatchDependencies(actor.system, { client, schedule: schedules.native });
 * actor.start();
 * ```
 */
export function bindWatchDependencies(system: AnyActorSystem, deps: QueryActorDeps): void {
  boundDeps.set(system, deps);
}

/**
 * The default `wait` actor of {@link orderMachine}: the clock bound with {@link bindWatchDependencies},
 * else rxjs's `asyncScheduler`.
 *
 * @example
 * ```ts
 * const machine = orderMachine.provide({ actors: { wait: systemWaitActor } }); // the default, made explicit
 * ```
 */
export const systemWaitActor = fromCallback<OrderEvent, WaitActorInput>(({ input, sendBack, system }) => {
  const scheduler = boundDeps.get(system)?.scheduler ?? asyncScheduler;
  const timer = scheduleAt(scheduler, Math.min(input.dueAt, input.deadlineAt), () => {
    sendBack({ type: 'DUE', at: scheduler.now() });
  });
  return () => timer.unsubscribe();
});

/**
 * The default `queryOrder` actor of {@link orderMachine}: the client bound with {@link bindWatchDependencies};
 * without one it fails at once with a non-retryable `NO_CLIENT`, so the watch ends `ERROR` rather than hang.
 *
 * @example
 * ```ts
 * const machine = orderMachine.provide({ actors: { queryOrder: systemQueryActor } }); // the default, made explicit
 * ```
 */
export const systemQueryActor = fromCallback<OrderEvent, QueryActorInput>(({ input, sendBack, system }) => {
  const deps = boundDeps.get(system);
  if (deps !== undefined) return startQuery(deps, input, sendBack);
  sendBack({
    type: 'QUERY_FAILED',
    error: {
      code: 'NO_CLIENT',
      message: 'orderMachine has no client: bindWatchDependencies or createOrderMachine',
      retryable: false,
    },
    at: Date.now(),
    nextDelayMs: null,
  });
  return undefined;
});

/**
 * Input of the invoked `settleOrder` actor: close or reverse `query`, abandoned at `callBy` (a retryable `TIMEOUT`).
 *
 * @example
 * ```ts
 * const input: SettleActorInput = { query: { outTradeNo: 'A1' }, action: 'close', callBy: Date.now() + 30_000 };
 * ```
 */
export interface SettleActorInput {
  readonly query: OrderQuery;
  readonly action: 'close' | 'reverse';
  readonly callBy: number;
}

/** Starts one close or reverse; the returned function aborts it. */
function startSettle(deps: QueryActorDeps, input: SettleActorInput, sendBack: (event: OrderEvent) => void) {
  const scheduler = deps.scheduler ?? asyncScheduler;
  const controller = new AbortController();
  const timer = scheduleAt(scheduler, input.callBy, () => controller.abort(QUERY_DEADLINE));
  let stopped = false;
  void runSettle(
    { client: deps.client, limiter: deps.limiter, scheduler },
    input.query,
    input.action,
    controller.signal,
  ).then((event) => {
    timer.unsubscribe();
    if (event !== undefined && !stopped) sendBack(event);
  });
  return () => {
    stopped = true;
    timer.unsubscribe();
    controller.abort();
  };
}

/**
 * The `settleOrder` actor: closes or reverses the order under the limiter and sends back `SETTLED`.
 *
 * @example
 * ```ts
 * const machine = orderMachine.provide({ actors: { settleOrder: createSettleActor({ client, schedule }) } });
 * ```
 */
export function createSettleActor(deps: QueryActorDeps) {
  return fromCallback<OrderEvent, SettleActorInput>(({ input, sendBack }) => startSettle(deps, input, sendBack));
}

/**
 * The default `settleOrder` actor of {@link orderMachine}: the client bound with {@link bindWatchDependencies};
 * without one it fails at once with a non-retryable `NO_CLIENT`.
 *
 * @example
 * ```ts
 * const machine = orderMachine.provide({ actors: { settleOrder: systemSettleActor } });
 * ```
 */
export const systemSettleActor = fromCallback<OrderEvent, SettleActorInput>(({ input, sendBack, system }) => {
  const deps = boundDeps.get(system);
  if (deps !== undefined) return startSettle(deps, input, sendBack);
  sendBack({
    type: 'SETTLED',
    result: { kind: 'error', error: { code: 'NO_CLIENT', message: 'orderMachine has no client', retryable: false } },
    at: Date.now(),
  });
  return undefined;
});
