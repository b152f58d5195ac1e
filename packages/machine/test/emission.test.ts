import { TransportError } from '@tradestate/protocol';
import { describe, expect, it } from 'vitest';
import { DRIVERS, startWatch } from './drivers.ts';
import { errorOutcome, stateOutcome } from './fixtures.ts';

describe.each(DRIVERS)('what a watch emits (%s)', (driver) => {
  it('says paid on exactly one emission while following refunds, however often the polls repeat SUCCESS', async () => {
    const steps = [
      stateOutcome('W1', 'NOTPAY'),
      stateOutcome('W1', 'SUCCESS'),
      stateOutcome('W1', 'SUCCESS'),
      errorOutcome('SYSTEMERROR', true),
      stateOutcome('W1', 'SUCCESS'),
      stateOutcome('W1', 'REFUND'),
    ];
    const watch = startWatch(driver, steps, { extra: { followRefunds: true } });
    await watch.clock.advanceTo(60_000);
    const watches = watch.watches();
    expect(watches.filter((w) => w.tradeState === 'SUCCESS').length).toBeGreaterThan(2);
    const paid = watches.filter((w) => w.paid);
    expect(paid).toHaveLength(1);
    expect(paid[0]).toMatchObject({ done: false, tradeState: 'SUCCESS', order: { outTradeNo: 'W1' } });
    expect(watch.last()).toMatchObject({ done: true, end: 'REFUND', paid: false });
  });

  it('says paid on the SUCCESS end when not following refunds', async () => {
    const watch = startWatch(driver, [stateOutcome('W1', 'NOTPAY'), stateOutcome('W1', 'SUCCESS')]);
    await watch.clock.advanceTo(60_000);
    expect(watch.watches().filter((w) => w.paid)).toEqual([watch.last()]);
    expect(watch.last()).toMatchObject({ end: 'SUCCESS', paid: true });
  });

  it('ends DEADLINE with reason NO_ANSWER when no verified answer ever came, UNPAID when one showed it unpaid', async () => {
    const deaf = startWatch(driver, [new TransportError('NETWORK', 'refused', { retryable: true })], {
      deadline: 9000,
    });
    await deaf.clock.advanceTo(20_000);
    expect(deaf.last()).toMatchObject({ done: true, end: 'DEADLINE', reason: 'NO_ANSWER', tradeState: undefined });
    const unpaid = startWatch(driver, [stateOutcome('W1', 'NOTPAY')], { deadline: 9000 });
    await unpaid.clock.advanceTo(20_000);
    expect(unpaid.last()).toMatchObject({ done: true, end: 'DEADLINE', reason: 'UNPAID', tradeState: 'NOTPAY' });
  });

  it('carries WeChat’s reason and own text on an ERROR end', async () => {
    const refusal = { ...errorOutcome('NOAUTH', false), reason: 'NO_PERMISSION' as const, wechatMessage: '没有权限' };
    const watch = startWatch(driver, [refusal]);
    await watch.clock.advanceTo(10_000);
    expect(watch.last()).toMatchObject({
      end: 'ERROR',
      error: { code: 'NOAUTH', reason: 'NO_PERMISSION', wechatMessage: '没有权限', retryable: false },
    });
  });
});
