import { describe, expect, it } from 'vitest';
import { judge, type WatchRecord } from '../src/soak/judge.ts';
import { FINAL_STATES, planOrders } from '../src/soak/plan.ts';
import { busiestSecond, runSoak, SOAK_FAULTS, soakPassed } from '../src/soak/run-soak.ts';

describe('fault soak (CI size: 300 orders, at most 30 s)', () => {
  it('every order ends as scripted under every fault, through one limiter', async () => {
    const report = await runSoak({ orders: 300, seconds: 30, seed: 7, ratePerSecond: 400 });
    console.log(JSON.stringify(report));
    expect(report).toMatchObject({
      orders: 300,
      correct: 300,
      falseTerminal: 0,
      regressions: 0,
      lost: 0,
      unhandledRejections: 0,
      endedTwice: 0,
      streamErrors: 0,
      wrong: {},
    });
    expect(soakPassed(report)).toBe(true);
    // Every fault kind of the mix was injected: the run proves something about each.
    for (const kind of Object.keys(SOAK_FAULTS)) {
      expect(report.faultsInjected[kind as keyof typeof report.faultsInjected], kind).toBeGreaterThan(0);
    }
    expect(report.queries).toBeGreaterThan(report.orders);
    expect(report.elapsedMs).toBeLessThan(35_000);
  }, 60_000);
});

describe('soak plan', () => {
  it('represents every final state in equal shares, deterministically for a seed', () => {
    const plan = planOrders({ orders: 500, seed: 3, startWindowMs: 1000, scriptWindowMs: 2000 });
    expect(plan).toEqual(planOrders({ orders: 500, seed: 3, startWindowMs: 1000, scriptWindowMs: 2000 }));
    for (const state of FINAL_STATES) expect(plan.filter((o) => o.expected === state)).toHaveLength(100);
    for (const order of plan) {
      const script = order.spec.script ?? [];
      expect(script.at(-1)?.tradeState).toBe(order.expected);
      expect(order.startAtMs).toBeLessThanOrEqual(1000);
      expect(script.every((step) => step.afterMs <= 2000)).toBe(true);
    }
    expect(new Set(plan.map((o) => o.spec.outTradeNo)).size).toBe(500);
  });
});

describe('busiest second', () => {
  it('counts the most instants in any 1000 ms window', () => {
    expect(busiestSecond([])).toBe(0);
    expect(busiestSecond([0, 999, 1000, 1001, 1998])).toBe(4);
    expect(busiestSecond([0, 500, 1500, 2600])).toBe(2);
  });
});

describe('soak judge', () => {
  const record = (expected: WatchRecord['expected'], states: WatchRecord['states'], ends: string[]): WatchRecord => ({
    outTradeNo: 'A1',
    expected,
    states,
    ends,
  });
  const all = () => true;

  it('counts a watch that ended as scripted as correct', () => {
    expect(judge([record('SUCCESS', [undefined, 'NOTPAY', 'SUCCESS'], ['SUCCESS'])], all)).toMatchObject({
      correct: 1,
      falseTerminal: 0,
      regressions: 0,
      lost: 0,
    });
  });

  it('counts regressions: an older state after a newer one, or a different settled state', () => {
    const verdict = judge(
      [
        record('SUCCESS', ['NOTPAY', 'SUCCESS', 'NOTPAY', 'SUCCESS'], ['SUCCESS']),
        record('CLOSED', ['NOTPAY', 'SUCCESS', 'CLOSED'], ['CLOSED']),
      ],
      all,
    );
    expect(verdict.regressions).toBe(2);
  });

  it('counts a terminal state never validly served as a false terminal, and a missing end as lost', () => {
    const verdict = judge(
      [record('CLOSED', ['NOTPAY', 'SUCCESS'], ['SUCCESS']), record('SUCCESS', ['NOTPAY'], [])],
      (_id, state) => state !== 'SUCCESS',
    );
    expect(verdict).toMatchObject({ correct: 0, falseTerminal: 1, lost: 1, wrong: { 'CLOSED→SUCCESS': 1 } });
  });

  it('counts an order that ended twice, and is not correct then', () => {
    const verdict = judge([record('SUCCESS', ['SUCCESS', 'SUCCESS'], ['SUCCESS', 'SUCCESS'])], all);
    expect(verdict).toMatchObject({ correct: 0, endedTwice: 1 });
  });
});
