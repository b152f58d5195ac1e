import { decodeNotification, MismatchError, SignatureError } from '@tradestate/protocol';
import { defaultMerchant } from '@tradestate/sandbox';
import { describe, expect, it } from 'vitest';
import {
  HOSTILE_KINDS,
  HostileBodies,
  OTHER_MCH_ID,
  OTHER_SUB_MCH_ID,
  planHostile,
  protocolRefusesReplays,
} from '../src/soak/hostile.ts';
import { judge, type WatchRecord } from '../src/soak/judge.ts';
import { FINAL_STATES, planOrders } from '../src/soak/plan.ts';
import { busiestSecond, runSoak, SOAK_FAULTS, soakPassed } from '../src/soak/run-soak.ts';

describe('fault soak (CI size: 300 orders, at most 30 s)', () => {
  it('every order ends as scripted under every fault and hostile notifications, through one limiter', async () => {
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
      wrongOrder: 0,
      wrong: {},
    });
    // Every hostile kind was posted (replays only once the protocol refuses them: until then no watch could tell
    // a replayed NOTPAY answer from a payment, and the report says so).
    const replaysRefused = protocolRefusesReplays(defaultMerchant);
    for (const kind of HOSTILE_KINDS) {
      if (kind === 'replay' && !replaysRefused) expect(report.hostile.sent.replay, kind).toBe(0);
      else expect(report.hostile.sent[kind], kind).toBeGreaterThan(0);
    }
    expect(report.hostile.replays.startsWith('sent')).toBe(replaysRefused);
    // What does not verify is refused by the route; what verifies but is another amount or merchant, by the watch.
    expect(report.hostile.refusedAtRoute.forged).toBe(report.hostile.sent.forged);
    expect(report.hostile.refusedAtRoute.replay).toBe(report.hostile.sent.replay);
    expect(report.hostile.refusedByWatch).toBeGreaterThan(0);
    expect(report.hostileRefused).toBe(
      Object.values(report.hostile.refusedAtRoute).reduce((a, b) => a + b, 0) + report.hostile.refusedByWatch,
    );
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

  it('counts a paid end about another amount or merchant than planned as a wrong order', () => {
    const planned = { totalFee: 500, mchId: '10000100', subMchId: undefined };
    const ended = (endOrder: WatchRecord['endOrder'], end = 'SUCCESS'): WatchRecord => ({
      ...record('SUCCESS', ['NOTPAY', 'SUCCESS'], [end]),
      planned,
      endOrder,
    });
    const verdict = judge(
      [
        ended(planned),
        ended({ ...planned, totalFee: 1 }),
        ended({ ...planned, mchId: '10000200' }),
        ended({ ...planned, subMchId: '1900000110' }),
        ended({ ...planned, totalFee: 1 }, 'CLOSED'),
      ],
      all,
    );
    expect(verdict.wrongOrder).toBe(3);
  });

  it('counts an order that ended twice, and is not correct then', () => {
    const verdict = judge([record('SUCCESS', ['SUCCESS', 'SUCCESS'], ['SUCCESS', 'SUCCESS'])], all);
    expect(verdict).toMatchObject({ correct: 0, endedTwice: 1 });
  });
});

describe('hostile notifications', () => {
  const plan = planOrders({ orders: 40, seed: 5, startWindowMs: 100, scriptWindowMs: 1000 });
  const order = plan[0] as (typeof plan)[number];

  it('are planned at random but reproducibly, of the kinds asked for, within the window', () => {
    const posts = planHostile({ plan, seed: 9, kinds: HOSTILE_KINDS, windowMs: 1200 });
    expect(posts).toEqual(planHostile({ plan, seed: 9, kinds: HOSTILE_KINDS, windowMs: 1200 }));
    expect(posts.length).toBeGreaterThan(10);
    expect(new Set(posts.map((p) => p.kind)).size).toBeGreaterThan(3);
    for (const post of posts) {
      const start = plan.find((o) => o.spec.outTradeNo === post.outTradeNo)?.startAtMs ?? -1;
      expect(post.atMs).toBeGreaterThanOrEqual(start);
      expect(post.atMs).toBeLessThanOrEqual(start + 1200);
    }
    expect(planHostile({ plan, seed: 9, kinds: [], windowMs: 1200 })).toEqual([]);
  });

  it('verify, or fail to, as each kind should with today’s decodeNotification', () => {
    const bodies = new HostileBodies(defaultMerchant);
    const key = defaultMerchant.key;
    const decode = (kind: (typeof HOSTILE_KINDS)[number]) =>
      decodeNotification(bodies.body(kind, order) ?? '', { key });
    expect(decode('wrongAmount').order.totalFee).not.toBe(order.spec.totalFee);
    expect(decode('otherMerchant').order.mchId).toBe(OTHER_MCH_ID);
    expect(decode('otherSubMerchant').order).toMatchObject({
      mchId: defaultMerchant.mchId,
      subMchId: OTHER_SUB_MCH_ID,
    });
    expect(() => decode('forged')).toThrow(SignatureError);
    // Each binds differently: the merchant's expect refuses another merchant at the route already.
    expect(() =>
      decodeNotification(bodies.body('otherMerchant', order) ?? '', { key, expect: { mchId: defaultMerchant.mchId } }),
    ).toThrow(MismatchError);
    // Nothing to copy yet: no unpaid answer seen, no genuine notification received.
    expect(bodies.body('replay', order)).toBeUndefined();
    expect(bodies.body('duplicate', order)).toBeUndefined();
  });
});
