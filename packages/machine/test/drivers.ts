import type { OrderQuery, OrderQueryClient, OrderQueryOutcome, QueryOptions } from '@tradestate/protocol';
import { type Observable, of } from 'rxjs';
import {
  type OrderWatch,
  schedules,
  type WatchExpectation,
  type WatchNotification,
  type WatchOrderOptions,
  watchOrder,
  watchOrders,
} from '../src/index.ts';
import { ScriptedClient, type Step } from './fixtures.ts';
import { VirtualClock } from './virtual-time.ts';

/**
 * The two drivers every behaviour of a watch must hold for: the live xstate actor of `watchOrder`, and the
 * snapshot engine of `watchOrders` (given the order as a `WatchRequest`, so a per-order `expect` is used).
 */
export const DRIVERS = ['watchOrder', 'watchOrders'] as const;
export type Driver = (typeof DRIVERS)[number];

/** The options a test gives a watch of order `W1`, beyond client, clock and schedule defaults. */
export interface WatchSetup {
  readonly expect?: WatchExpectation;
  readonly notifications?: Observable<WatchNotification>;
  readonly schedule?: WatchOrderOptions['schedule'];
  readonly deadline?: number | Date;
  readonly hold?: boolean;
  readonly extra?: Partial<WatchOrderOptions>;
}

/** A scripted client that also records the virtual time of every call. */
export class TimedClient implements OrderQueryClient {
  readonly times: number[] = [];
  readonly inner: ScriptedClient;

  constructor(
    private readonly clock: VirtualClock,
    steps: readonly Step[],
    hold = false,
  ) {
    this.inner = new ScriptedClient(steps, { hold });
  }

  queryOrder(query: OrderQuery, options?: QueryOptions): Promise<OrderQueryOutcome> {
    this.times.push(this.clock.now());
    return this.inner.queryOrder(query, options);
  }
}

/** Starts a watch of `W1` with `driver` in virtual time and records what it emits. */
export function startWatch(driver: Driver, steps: readonly Step[], setup: WatchSetup = {}) {
  const clock = new VirtualClock();
  const client = new TimedClient(clock, steps, setup.hold ?? false);
  const query = { outTradeNo: 'W1' } as const;
  const common = {
    client,
    schedule: setup.schedule ?? schedules.native,
    deadline: setup.deadline ?? 60_000,
    scheduler: clock.scheduler,
    jitter: { ratio: 0 },
    notifications: setup.notifications,
    ...setup.extra,
  };
  const watch$ =
    driver === 'watchOrder'
      ? watchOrder({ ...common, query, expect: setup.expect })
      : watchOrders(of({ query, expect: setup.expect }), common);
  const recording = clock.record(watch$);
  const watches = () =>
    recording.frames.filter((f) => f.notification.kind === 'N').map((f) => f.notification.value as OrderWatch);
  return { clock, client, recording, watches, last: () => watches().at(-1) };
}
