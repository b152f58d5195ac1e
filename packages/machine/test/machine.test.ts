import type { TradeState } from '@tradestate/protocol';
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { type OrderSnapshot, pureOrderMachine } from '../src/definition/machine.ts';
import type { OrderEvent, OrderMachineInput } from '../src/definition/types.ts';
import { stateNameOf } from '../src/streams/emission.ts';
import { watchOutcome } from './fixtures.ts';

const base: OrderMachineInput = {
  query: { outTradeNo: 'M1' },
  startedAt: 0,
  deadlineAt: 60_000,
  notFoundGraceMs: 10_000,
};

function run(events: readonly OrderEvent[], input: Partial<OrderMachineInput> = {}): OrderSnapshot {
  let [snapshot] = initialTransition(pureOrderMachine, { ...base, ...input });
  for (const event of events) [snapshot] = transition(pureOrderMachine, snapshot, event);
  return snapshot;
}

const due = (at: number): OrderEvent => ({ type: 'DUE', at });
const answer = (tradeState: TradeState, at: number, nextDelayMs: number | null = 2000): OrderEvent => ({
  type: 'ANSWER',
  outcome: watchOutcome('M1', tradeState),
  at,
  nextDelayMs,
});
const notify = (tradeState: TradeState, at: number, outTradeNo = 'M1'): OrderEvent => ({
  type: 'NOTIFY',
  outcome: watchOutcome(outTradeNo, tradeState),
  at,
});
const notFound = (at: number): OrderEvent => ({
  type: 'ANSWER',
  outcome: { kind: 'not-found', message: 'ORDERNOTEXIST' },
  at,
  nextDelayMs: 2000,
});
const failed = (code: string, retryable: boolean, at: number): OrderEvent => ({
  type: 'QUERY_FAILED',
  error: { code, message: `${code} happened`, retryable },
  at,
  nextDelayMs: retryable ? 5000 : null,
});

describe('orderMachine (pure)', () => {
  it('starts UNKNOWN, waiting for the first query at firstQueryAt', () => {
    const s = run([], { firstQueryAt: 3000 });
    expect(s.value).toEqual({ UNKNOWN: 'waiting' });
    expect(s.context.dueAt).toBe(3000);
    expect(run([due(2999)], { firstQueryAt: 3000 }).value).toEqual({ UNKNOWN: 'waiting' });
    expect(run([due(3000)], { firstQueryAt: 3000 }).value).toEqual({ UNKNOWN: 'querying' });
  });

  it('moves forward with answers, planning the next query from the answer time', () => {
    const s = run([due(0), answer('NOTPAY', 100), due(2100), answer('USERPAYING', 2200, 3000)]);
    expect(s.value).toEqual({ USERPAYING: 'waiting' });
    expect(s.context).toMatchObject({ tradeState: 'USERPAYING', attempts: 2, dueAt: 5200, lastOutcomeAt: 2200 });
  });

  it('ends at a final trade state with the output of the watch', () => {
    const s = run([due(0), answer('NOTPAY', 100), due(2100), answer('SUCCESS', 2200)]);
    expect(s.status).toBe('done');
    expect(s.output).toMatchObject({ end: 'SUCCESS', tradeState: 'SUCCESS', attempts: 2 });
  });

  it('records a backwards answer as an anomaly and does not move', () => {
    const s = run([due(0), answer('USERPAYING', 100), due(2100), answer('NOTPAY', 2200)]);
    expect(stateNameOf(s.value)).toBe('USERPAYING');
    expect(s.context.tradeState).toBe('USERPAYING');
    expect(s.context.anomalies).toEqual([
      { kind: 'backwards', source: 'poll', at: 2200, from: 'USERPAYING', to: 'NOTPAY' },
    ]);
    expect(s.value).toEqual({ USERPAYING: 'waiting' });
    expect(s.context.dueAt).toBe(4200);
  });

  it('treats a duplicate notification as a no-op (same snapshot, wait not restarted)', () => {
    const before = run([due(0), answer('NOTPAY', 100)]);
    const [after] = transition(pureOrderMachine, before, notify('NOTPAY', 500));
    expect(after.value).toEqual(before.value);
    expect(after.context).toEqual(before.context);
  });

  it('judges notifications with the same guards: forward moves, backwards is an anomaly', () => {
    const moved = run([notify('USERPAYING', 10)]);
    expect(moved.value).toEqual({ USERPAYING: 'waiting' });
    const stale = run([notify('USERPAYING', 10), notify('NOTPAY', 20)]);
    expect(stale.value).toEqual({ USERPAYING: 'waiting' });
    expect(stale.context.anomalies[0]).toMatchObject({ kind: 'backwards', source: 'notification' });
    expect(run([notify('SUCCESS', 10)]).output).toMatchObject({ end: 'SUCCESS', attempts: 0 });
  });

  it('never lets another order move the watch', () => {
    const s = run([notify('SUCCESS', 10, 'OTHER')]);
    expect(s.value).toEqual({ UNKNOWN: 'waiting' });
    expect(s.context.anomalies[0]).toMatchObject({ kind: 'foreign-order', to: 'SUCCESS' });
  });

  it('records an unknown trade_state without moving', () => {
    const s = run([
      due(0),
      { type: 'ANSWER', outcome: watchOutcome('M1', { unknown: 'BRAND_NEW' }), at: 10, nextDelayMs: 2000 },
    ]);
    expect(s.value).toEqual({ UNKNOWN: 'waiting' });
    expect(s.context.anomalies[0]).toMatchObject({ kind: 'unknown-trade-state', to: 'BRAND_NEW' });
  });

  it('keeps polling ORDERNOTEXIST through the grace window, then ends NOT_FOUND', () => {
    const within = run([due(0), notFound(0), due(2000), notFound(9999)]);
    expect(within.value).toEqual({ UNKNOWN: 'waiting' });
    expect(within.context.notFoundSince).toBe(0);
    const over = run([due(0), notFound(0), due(2000), notFound(10_000)]);
    expect(over.output).toMatchObject({ end: 'NOT_FOUND' });
  });

  it('a not-found after the order was seen is stale, not an end', () => {
    const s = run([due(0), answer('NOTPAY', 0), due(2000), notFound(20_000)]);
    expect(s.value).toEqual({ NOTPAY: 'waiting' });
    expect(s.context.anomalies[0]).toMatchObject({ kind: 'not-found-after-order', to: 'ORDERNOTEXIST' });
  });

  it('backs off on a retryable failure and counts failures in a row', () => {
    const s = run([due(0), failed('SYSTEMERROR', true, 10), due(5010), failed('NETWORK', true, 5020)]);
    expect(s.value).toEqual({ UNKNOWN: 'waiting' });
    expect(s.context).toMatchObject({ consecutiveErrors: 2, dueAt: 10_020, error: { code: 'NETWORK' } });
    const recovered = run([due(0), failed('SYSTEMERROR', true, 10), due(5010), answer('NOTPAY', 5020)]);
    expect(recovered.context).toMatchObject({ consecutiveErrors: 0, error: undefined });
  });

  it('ends ERROR at once on a non-retryable failure, keeping code and message only', () => {
    const s = run([due(0), answer('NOTPAY', 10), due(2010), failed('NOAUTH', false, 2020)]);
    expect(s.output).toMatchObject({ end: 'ERROR', tradeState: 'NOTPAY' });
    expect(s.output?.error).toEqual({ code: 'NOAUTH', message: 'NOAUTH happened', retryable: false });
  });

  it('ends DEADLINE when due after the deadline, or when the schedule gives up', () => {
    expect(run([due(0), answer('NOTPAY', 10), due(60_000)]).output).toMatchObject({ end: 'DEADLINE' });
    expect(run([due(0), answer('NOTPAY', 10, null)]).output).toMatchObject({ end: 'DEADLINE', tradeState: 'NOTPAY' });
    expect(run([], { firstQueryAt: null }).output).toMatchObject({ end: 'DEADLINE', attempts: 0 });
  });

  it('ends CANCELLED on CANCEL from any watching state', () => {
    expect(run([{ type: 'CANCEL', at: 5 }]).output).toMatchObject({ end: 'CANCELLED' });
    expect(run([due(0), { type: 'CANCEL', at: 5 }]).output).toMatchObject({ end: 'CANCELLED' });
  });

  it('follows refunds after SUCCESS when asked: PAID, then REFUND; the deadline then ends SUCCESS', () => {
    const paid = run([due(0), answer('SUCCESS', 10)], { followRefunds: true });
    expect(paid.value).toEqual({ PAID: 'waiting' });
    expect(paid.context.tradeState).toBe('SUCCESS');
    expect(
      run([due(0), answer('SUCCESS', 10), due(2010), answer('REFUND', 2020)], { followRefunds: true }).output,
    ).toMatchObject({ end: 'REFUND' });
    expect(run([due(0), answer('SUCCESS', 10), due(60_000)], { followRefunds: true }).output).toMatchObject({
      end: 'SUCCESS',
    });
    expect(
      run([due(0), answer('SUCCESS', 10), due(2010), answer('NOTPAY', 2020)], { followRefunds: true }).value,
    ).toEqual({ PAID: 'waiting' });
  });

  it('ignores every event once ended', () => {
    const ended = run([notify('CLOSED', 1)]);
    for (const event of [due(5), answer('SUCCESS', 5), notify('SUCCESS', 5), { type: 'CANCEL', at: 5 } as const]) {
      const [after] = transition(pureOrderMachine, ended, event);
      expect(after.value).toBe('CLOSED');
      expect(after.output).toEqual(ended.output);
    }
  });

  it('keeps at most 20 anomalies', () => {
    const events: OrderEvent[] = [notify('ACCEPT', 0)];
    for (let i = 1; i <= 30; i++) events.push(notify('NOTPAY', i));
    const s = run(events);
    expect(s.context.anomalies).toHaveLength(20);
    expect(s.context.anomalies.at(-1)?.at).toBe(30);
  });

  it('has a JSON-safe persisted snapshot that restores to the same state', () => {
    const s = run([due(0), answer('USERPAYING', 10)]);
    const persisted = JSON.parse(JSON.stringify(pureOrderMachine.getPersistedSnapshot(s)));
    const restored = pureOrderMachine.resolveState({ value: persisted.value, context: persisted.context });
    expect(restored.value).toEqual(s.value);
    expect(restored.context).toEqual(s.context);
    const [next] = transition(pureOrderMachine, restored, answer('SUCCESS', 30));
    expect(next.value).toEqual({ USERPAYING: 'waiting' });
    const [queried] = transition(pureOrderMachine, restored, due(2010));
    expect(transition(pureOrderMachine, queried, answer('SUCCESS', 2020))[0].value).toBe('SUCCESS');
  });
});
