import type { SchedulerLike, Subscription } from 'rxjs';

/**
 * Something that can be cancelled, as returned by {@link scheduleAt}.
 *
 * @example
 * ```ts
 * const c: Cancellable = scheduleAt(asyncScheduler, Date.now(), () => {});
 * c.unsubscribe();
 * ```
 */
export interface Cancellable {
  unsubscribe(): void;
}

/**
 * Schedules `work` at the instant `at` of `scheduler`'s clock. Timers may fire early by a millisecond; the
 * remainder is waited again so an event never claims a time before the one it was due at.
 *
 * @example
 * ```ts
 * const timer = scheduleAt(asyncScheduler, Date.now() + 1000, () => console.log('due'));
 * timer.unsubscribe();
 * ```
 */
export function scheduleAt(scheduler: SchedulerLike, at: number, work: () => void): Cancellable {
  let current: Subscription;
  const arm = (): Subscription =>
    scheduler.schedule(
      () => {
        if (scheduler.now() < at) current = arm();
        else work();
      },
      Math.max(0, Math.ceil(at - scheduler.now())),
    );
  current = arm();
  return { unsubscribe: () => current.unsubscribe() };
}
