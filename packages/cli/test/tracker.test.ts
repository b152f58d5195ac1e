import { describe, expect, it } from 'vitest';
import type { DemoScenario } from '../src/demo/scenarios.ts';
import { DemoTracker } from '../src/demo/tracker.ts';

const scenario = (name: string, expectedEnd: string, maxQueries?: number): DemoScenario => ({
  name,
  tradeType: 'NATIVE',
  totalFee: 1,
  script: [],
  notify: false,
  group: { name: 'test', schedule: 'native', deadlineMs: 1000, followRefunds: false },
  expectedEnd,
  maxQueries,
  story: '',
});

describe('DemoTracker', () => {
  it('builds timelines from watch emissions, with lifecycle ends and later steps appended once', () => {
    let now = 100;
    const tracker = new DemoTracker([scenario('paid', 'SUCCESS'), scenario('expired', 'CLOSED')], () => now);
    tracker.observe('paid', { tradeState: undefined, attempts: 0, done: false });
    tracker.observe('paid', { tradeState: 'NOTPAY', attempts: 1, done: false });
    tracker.observe('paid', { tradeState: 'NOTPAY', attempts: 2, done: false });
    now = 600;
    tracker.observe('paid', { tradeState: 'SUCCESS', attempts: 3, done: true, end: 'SUCCESS' });
    tracker.finish('paid');
    tracker.observe('expired', { tradeState: 'NOTPAY', attempts: 5, done: true, end: 'DEADLINE' });
    tracker.step('expired', 'CLOSED', 1);
    expect(tracker.allFinished).toBe(false);
    now = 900;
    tracker.finish('expired');

    const [paid, expired] = tracker.rows();
    expect(paid).toMatchObject({ timeline: ['NOTPAY', 'SUCCESS'], queries: 3, elapsedMs: 500, status: 'ok' });
    expect(expired).toMatchObject({ timeline: ['NOTPAY', 'DEADLINE', 'CLOSED'], queries: 6, status: 'ok' });
    expect(tracker.allFinished).toBe(true);
    expect(tracker.allAsScripted).toBe(true);
  });

  it('fails an order that ended otherwise, or spent more queries than its point allows', () => {
    const tracker = new DemoTracker([scenario('a', 'SUCCESS'), scenario('b', 'SUCCESS', 0)], () => 0);
    tracker.observe('a', { tradeState: 'NOTPAY', attempts: 30, done: true, end: 'DEADLINE' });
    tracker.finish('a');
    tracker.observe('b', { tradeState: 'SUCCESS', attempts: 1, done: true, end: 'SUCCESS' });
    tracker.finish('b');
    const [a, b] = tracker.summary();
    expect(a).toMatchObject({ status: 'failed', note: 'expected SUCCESS', expected: 'SUCCESS' });
    expect(b).toMatchObject({ status: 'failed', note: 'expected at most 0 queries' });
    expect(tracker.allAsScripted).toBe(false);
  });

  it('keeps an unfinished order running and refuses unknown names', () => {
    const tracker = new DemoTracker([scenario('a', 'SUCCESS')], () => 0);
    tracker.observe('a', { tradeState: 'SUCCESS', attempts: 1, done: false });
    expect(tracker.rows()[0]?.status).toBe('running');
    expect(tracker.allAsScripted).toBe(false);
    expect(() => tracker.observe('zzz', { tradeState: undefined, attempts: 0, done: false })).toThrow(/zzz/);
  });
});
