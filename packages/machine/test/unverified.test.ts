import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { schedules, type UnverifiedNotification, type WatchNotification } from '../src/index.ts';
import { DRIVERS, startWatch } from './drivers.ts';
import { stateOutcome } from './fixtures.ts';

const hint = (outTradeNo = 'W1'): UnverifiedNotification => ({ kind: 'unverified', query: { outTradeNo } });

describe.each(DRIVERS)('%s: an unverified notification is a reason to ask, never a state', (driver) => {
  it('brings the next query forward to now, and changes no state', async () => {
    const notifications = new Subject<WatchNotification>();
    // schedules.backend: the first query would come at one minute.
    const { clock, client, watches, last } = startWatch(driver, [stateOutcome('W1', 'NOTPAY')], {
      notifications,
      schedule: schedules.backend,
      deadline: 7_200_000,
    });
    await clock.advanceTo(5000);
    expect(client.times).toEqual([]);
    notifications.next(hint());
    await clock.advanceTo(5000);
    expect(client.times).toEqual([5000]);
    expect(last()).toMatchObject({ tradeState: 'NOTPAY', done: false, anomalies: [] });
    // Nothing it said was believed: no emission ever showed a state the client did not answer.
    expect(new Set(watches().map((w) => w.tradeState))).toEqual(new Set([undefined, 'NOTPAY']));
  });

  it('is coalesced: a flood costs at most one query a second', async () => {
    const notifications = new Subject<WatchNotification>();
    const { clock, client, watches } = startWatch(driver, [stateOutcome('W1', 'NOTPAY')], {
      notifications,
      schedule: schedules.backend,
      deadline: 7_200_000,
    });
    await clock.advanceTo(100);
    for (let t = 100; t <= 3500; t += 5) {
      await clock.advanceTo(t);
      for (let i = 0; i < 10; i++) notifications.next(hint());
    }
    await clock.advanceTo(10_000);
    // 6,810 hints until 3.5 s: a query at 100 ms, then each no sooner than 1 s after the previous one started
    // (the last hints, at 3.5 s, bring one to 4.1 s); after that the schedule's one minute again.
    expect(client.times).toEqual([100, 1100, 2100, 3100, 4100]);
    // Each query is one change to emit; the hints themselves emit nothing.
    expect(watches().length).toBeLessThanOrEqual(1 + 2 * client.times.length);
  });

  it('has no effect while a query is in flight, and none when a query is due sooner anyway', async () => {
    const notifications = new Subject<WatchNotification>();
    const { clock, client } = startWatch(driver, [stateOutcome('W1', 'NOTPAY')], {
      notifications,
      hold: true,
    });
    await clock.advanceTo(2000);
    expect(client.inner.inFlight).toBe(1);
    for (let i = 0; i < 50; i++) notifications.next(hint());
    await clock.advanceTo(2400);
    expect(client.times).toEqual([2000]);
    client.inner.release();
    await clock.advanceTo(2500);
    notifications.next(hint()); // within 1 s of the query at 2 s: brought to 3 s, not to now
    await clock.advanceTo(2999);
    expect(client.times).toEqual([2000]);
    await clock.advanceTo(3000);
    expect(client.times).toEqual([2000, 3000]);
  });

  it('about another order does nothing', async () => {
    const notifications = new Subject<WatchNotification>();
    const { clock, client } = startWatch(driver, [stateOutcome('W1', 'NOTPAY')], {
      notifications,
      schedule: schedules.backend,
      deadline: 7_200_000,
    });
    await clock.advanceTo(1000);
    notifications.next(hint('OTHER'));
    notifications.next({ kind: 'unverified', query: { transactionId: '4200000000000000' } });
    await clock.advanceTo(30_000);
    expect(client.times).toEqual([]);
  });

  it('never brings a query past the deadline', async () => {
    const notifications = new Subject<WatchNotification>();
    const { clock, client, last } = startWatch(driver, [stateOutcome('W1', 'NOTPAY')], {
      notifications,
      schedule: (attempt) => (attempt === 0 ? 0 : 60_000),
      deadline: 1500,
    });
    await clock.advanceTo(700);
    notifications.next(hint()); // 1 s after the query at 0 is 1000: still before the deadline
    await clock.advanceTo(1200);
    notifications.next(hint()); // 2200 would be after the deadline: nothing
    await clock.advanceTo(5000);
    expect(client.times).toEqual([0, 1000]);
    expect(last()).toMatchObject({ end: 'DEADLINE' });
  });
});
