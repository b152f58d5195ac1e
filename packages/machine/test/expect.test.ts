import type { Order, OrderQueryOutcome, TradeState } from '@tradestate/protocol';
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { schedules, type WatchNotification } from '../src/index.ts';
import { DRIVERS, startWatch } from './drivers.ts';
import { orderFor } from './fixtures.ts';

/** A verified outcome about `W1` (amount 101 fen, CNY, merchant 10000100 unless `extra` says otherwise). */
function w1(tradeState: TradeState, extra: Partial<Order> = {}): OrderQueryOutcome {
  return { kind: 'order', tradeState, order: orderFor('W1', extra), fields: {} };
}

describe.each(DRIVERS)('%s binds the amount on the poll path', (driver) => {
  it('a SUCCESS answer of another amount ends ERROR MISMATCH (total_fee), keeping the order WeChat described', async () => {
    const { clock, client, last } = startWatch(driver, [w1('NOTPAY'), w1('SUCCESS', { totalFee: 1 })], {
      expect: { totalFee: 101 },
    });
    await clock.advanceTo(30_000);
    expect(last()).toMatchObject({
      done: true,
      end: 'ERROR',
      tradeState: 'NOTPAY',
      error: { code: 'MISMATCH', field: 'total_fee', retryable: false },
    });
    expect(last()?.order?.totalFee).toBe(1);
    expect(client.times).toEqual([2000, 4000]);
  });

  it.each<[string, Partial<Order>, { totalFee: number; feeType?: string }, string]>([
    ['another currency', { feeType: 'USD' }, { totalFee: 101 }, 'fee_type'],
    ['no currency (CNY) when USD is expected', { feeType: undefined }, { totalFee: 101, feeType: 'USD' }, 'fee_type'],
    ['no amount at all', { totalFee: undefined }, { totalFee: 101 }, 'total_fee'],
  ])('a paid answer with %s is never SUCCESS', async (_name, extra, expectation, field) => {
    const { clock, last } = startWatch(driver, [w1('SUCCESS', extra)], { expect: expectation });
    await clock.advanceTo(10_000);
    expect(last()).toMatchObject({ end: 'ERROR', error: { code: 'MISMATCH', field } });
  });

  it('an unpaid answer naming another amount is refused too: the watch is about another order', async () => {
    const { clock, last } = startWatch(driver, [w1('NOTPAY', { totalFee: 5000 })], { expect: { totalFee: 101 } });
    await clock.advanceTo(10_000);
    expect(last()).toMatchObject({ end: 'ERROR', tradeState: undefined, error: { field: 'total_fee' } });
  });

  it('the right amount, with fee_type absent (CNY), ends SUCCESS', async () => {
    const { clock, last } = startWatch(
      driver,
      [w1('NOTPAY', { totalFee: undefined }), w1('SUCCESS', { feeType: undefined })],
      {
        expect: { totalFee: 101 },
      },
    );
    await clock.advanceTo(10_000);
    expect(last()).toMatchObject({ end: 'SUCCESS', error: undefined });
  });

  it('a later poll naming another merchant than the first one showed ends ERROR MISMATCH (mch_id)', async () => {
    const { clock, last } = startWatch(driver, [w1('NOTPAY'), w1('SUCCESS', { mchId: '10000200' })]);
    await clock.advanceTo(10_000);
    expect(last()).toMatchObject({ end: 'ERROR', error: { code: 'MISMATCH', field: 'mch_id' } });
  });
});

describe.each(DRIVERS)('%s binds notifications: not believed, and a reason to ask', (driver) => {
  it('a SUCCESS notification of another amount is an anomaly, brings the query forward, and the poll decides', async () => {
    const notifications = new Subject<WatchNotification>();
    const { clock, client, last, watches } = startWatch(
      driver,
      [w1('NOTPAY'), w1('NOTPAY'), w1('SUCCESS', { transactionId: '4200000001' })],
      { expect: { totalFee: 101 }, notifications },
    );
    await clock.advanceTo(2500);
    notifications.next(w1('SUCCESS', { totalFee: 1, transactionId: '4200000009' }));
    expect(last()).toMatchObject({ done: false, tradeState: 'NOTPAY' });
    expect(last()?.anomalies).toEqual([
      { kind: 'mismatch', source: 'notification', field: 'total_fee', at: 2500, from: 'NOTPAY', to: 'SUCCESS' },
    ]);
    await clock.advanceTo(30_000);
    // Polled at 2 s; brought forward to 3 s (1 s after the previous query started), then every 2 s again.
    expect(client.times).toEqual([2000, 3000, 5000]);
    expect(last()).toMatchObject({ end: 'SUCCESS', lastOutcomeAt: 5000 });
    expect(last()?.order).toMatchObject({ totalFee: 101, transactionId: '4200000001' });
    expect(watches().some((w) => w.order?.totalFee === 1)).toBe(false);
  });

  it('a notification naming another merchant than the polls showed is an anomaly (mch_id) and asks now', async () => {
    const notifications = new Subject<WatchNotification>();
    const { clock, client, last } = startWatch(driver, [w1('NOTPAY'), w1('NOTPAY'), w1('SUCCESS')], {
      notifications,
      schedule: (attempt) => (attempt === 0 ? 1000 : 10_000),
    });
    await clock.advanceTo(4000);
    notifications.next(w1('SUCCESS', { mchId: '10000200' }));
    expect(last()?.anomalies.at(-1)).toMatchObject({ kind: 'mismatch', field: 'mch_id', source: 'notification' });
    expect(last()?.done).toBe(false);
    await clock.advanceTo(4000);
    expect(client.times).toEqual([1000, 4000]);
    await clock.advanceTo(30_000);
    expect(last()).toMatchObject({ end: 'SUCCESS' });
    expect(last()?.order?.mchId).toBe('10000100');
  });

  it.each<[string, Partial<Order>]>([
    ['another sub_mch_id', { subMchId: '1900000111' }],
    ['no sub_mch_id at all', { subMchId: undefined }],
  ])('in service-provider mode a notification with %s is not believed', async (_name, extra) => {
    const notifications = new Subject<WatchNotification>();
    const sub = { subMchId: '1900000110' };
    const { clock, last } = startWatch(driver, [w1('NOTPAY', sub), w1('NOTPAY', sub)], { notifications });
    await clock.advanceTo(2500);
    notifications.next(w1('SUCCESS', extra));
    expect(last()).toMatchObject({ done: false, tradeState: 'NOTPAY' });
    expect(last()?.anomalies.at(-1)).toMatchObject({ kind: 'mismatch', field: 'sub_mch_id' });
  });

  it('a notification naming a sub-merchant when the polls showed a direct merchant is not believed', async () => {
    const notifications = new Subject<WatchNotification>();
    const { clock, last } = startWatch(driver, [w1('NOTPAY'), w1('NOTPAY')], { notifications });
    await clock.advanceTo(2500);
    notifications.next(w1('SUCCESS', { subMchId: '1900000110' }));
    expect(last()).toMatchObject({ done: false, tradeState: 'NOTPAY' });
    expect(last()?.anomalies.at(-1)).toMatchObject({ kind: 'mismatch', field: 'sub_mch_id' });
  });

  it('with `merchant` given, a notification of another merchant is refused even before the first poll', async () => {
    const notifications = new Subject<WatchNotification>();
    const { clock, client, last } = startWatch(driver, [w1('NOTPAY'), w1('SUCCESS')], {
      notifications,
      schedule: schedules.backend,
      deadline: 7_200_000,
      extra: { merchant: { appId: 'wxd930ea5d5a258f4f', mchId: '10000100' } },
    });
    await clock.advanceTo(100);
    notifications.next(w1('SUCCESS', { mchId: '10000200' }));
    notifications.next(w1('SUCCESS', { subMchId: '1900000110' }));
    expect(last()).toMatchObject({ done: false, tradeState: undefined });
    expect(last()?.anomalies.map((a) => a.field)).toEqual(['mch_id', 'sub_mch_id']);
    await clock.advanceTo(100);
    expect(client.times).toEqual([100]); // asked at once, instead of at one minute
    notifications.next(w1('SUCCESS'));
    expect(last()).toMatchObject({ end: 'SUCCESS' });
  });

  it('with `merchant` given, a poll answer of another merchant ends ERROR MISMATCH', async () => {
    const { clock, last } = startWatch(driver, [w1('SUCCESS', { appId: 'wx0000000000000009' })], {
      extra: { merchant: { appId: 'wxd930ea5d5a258f4f', mchId: '10000100' } },
    });
    await clock.advanceTo(10_000);
    expect(last()).toMatchObject({ end: 'ERROR', error: { code: 'MISMATCH', field: 'appid' } });
  });

  it('a paid notification without its amount is not believed when an expectation is set', async () => {
    const notifications = new Subject<WatchNotification>();
    const { clock, last } = startWatch(driver, [w1('NOTPAY')], { expect: { totalFee: 101 }, notifications });
    await clock.advanceTo(2500);
    notifications.next(w1('SUCCESS', { totalFee: undefined }));
    expect(last()).toMatchObject({ done: false });
    expect(last()?.anomalies.at(-1)).toMatchObject({ kind: 'mismatch', field: 'total_fee' });
  });

  it('a notification that passes the binding still ends the watch at once', async () => {
    const notifications = new Subject<WatchNotification>();
    const { clock, client, last } = startWatch(driver, [w1('NOTPAY')], { expect: { totalFee: 101 }, notifications });
    await clock.advanceTo(2500);
    notifications.next(w1('SUCCESS', { transactionId: '4200000002' }));
    expect(last()).toMatchObject({ end: 'SUCCESS', attempts: 1 });
    expect(client.times).toEqual([2000]);
  });

  it('a flood of mismatching notifications costs at most one extra query a second', async () => {
    const notifications = new Subject<WatchNotification>();
    const { clock, client, last } = startWatch(driver, [w1('NOTPAY')], {
      expect: { totalFee: 101 },
      notifications,
      schedule: (attempt) => (attempt === 0 ? 0 : 60_000),
    });
    for (let t = 100; t <= 3000; t += 10) {
      await clock.advanceTo(t);
      notifications.next(w1('SUCCESS', { totalFee: 1 }));
    }
    await clock.advanceTo(3500);
    expect(client.times).toEqual([0, 1000, 2000, 3000]);
    expect(last()?.done).toBe(false);
    expect(last()?.anomalies).toHaveLength(20); // bounded
  });
});
