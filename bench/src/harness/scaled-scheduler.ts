import { performance } from 'node:perf_hooks';
import { type SchedulerAction, type SchedulerLike, Subscription } from 'rxjs';

/** Wall-clock epoch milliseconds with sub-millisecond precision. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * An rxjs scheduler whose clock runs `1 / timeScale` times faster than the wall clock (timeScale 0.01: one
 * simulated minute per 600 ms), matching the sandbox's `timeScale`, so schedules written in minutes and hours
 * play out in seconds against real HTTP. `now()` is simulated epoch ms; delays are simulated ms.
 */
export class ScaledScheduler implements SchedulerLike {
  private readonly origin = preciseNow();

  constructor(readonly timeScale: number) {
    if (!(timeScale > 0)) throw new RangeError('timeScale must be positive');
  }

  now(): number {
    return this.origin + (preciseNow() - this.origin) / this.timeScale;
  }

  /** The wall-clock instant (epoch ms) of a simulated instant. */
  toWall(simulated: number): number {
    return this.origin + (simulated - this.origin) * this.timeScale;
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    const subscription = new Subscription();
    let timer: NodeJS.Timeout | undefined;
    const action = Object.assign(subscription, {
      schedule: (nextState?: T, nextDelay = 0): Subscription => {
        arm(nextState, nextDelay);
        return subscription;
      },
    }) as SchedulerAction<T>;
    const arm = (value: T | undefined, ms: number) => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(
        () => {
          timer = undefined;
          if (!subscription.closed) work.call(action, value);
        },
        Math.max(0, ms * this.timeScale),
      );
    };
    subscription.add(() => {
      if (timer !== undefined) clearTimeout(timer);
    });
    arm(state, delay);
    return subscription;
  }
}
