import { asyncScheduler } from 'rxjs';
import { createQueryActor, createSettleActor, createWaitActor, type QueryActorDeps } from './actors.ts';
import { orderMachine } from './machine.ts';

/**
 * {@link orderMachine} with its `wait` and `queryOrder` actors provided: a client, a schedule, and optionally
 * a shared limiter, a clock (an rxjs `SchedulerLike`) and jitter. The result is what you give `createActor`,
 * both to start a watch and to restore one from `getPersistedSnapshot()`.
 *
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * const machine = createOrderMachine({ client, schedule: schedules.native });
 * const actor = createActor(machine, { snapshot: saved }); // resumes the wait or re-issues the query
 * actor.start();
 * ```
 */
export function createOrderMachine(deps: QueryActorDeps) {
  const scheduler = deps.scheduler ?? asyncScheduler;
  return orderMachine.provide({
    actors: {
      wait: createWaitActor(scheduler),
      queryOrder: createQueryActor({ ...deps, scheduler }),
      settleOrder: createSettleActor({ ...deps, scheduler }),
    },
  });
}
