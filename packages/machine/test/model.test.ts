import { TRADE_STATES, type TradeState } from '@tradestate/protocol';
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, transition } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import {
  ACTIVE_STATES,
  END_STATES,
  type OrderEvent,
  type OrderMachineInput,
  type OrderSnapshot,
  type OrderStateName,
  orderMachine,
  pureOrderMachine,
  rankOf,
  stateNameOf,
} from '../src/index.ts';
import { watchOutcome } from './fixtures.ts';

const DEADLINE = 1000;
const input = (followRefunds: boolean): OrderMachineInput => ({
  query: { outTradeNo: 'G1' },
  startedAt: 0,
  deadlineAt: DEADLINE,
  notFoundGraceMs: 0,
  followRefunds,
});

/** A finite alphabet: every kind of event the drivers send, at times that exercise each guard. */
const EVENTS: readonly OrderEvent[] = [
  { type: 'DUE', at: 500 },
  { type: 'DUE', at: DEADLINE },
  ...TRADE_STATES.map(
    (s): OrderEvent => ({ type: 'ANSWER', outcome: watchOutcome('G1', s), at: 100, nextDelayMs: 10 }),
  ),
  ...TRADE_STATES.map((s): OrderEvent => ({ type: 'NOTIFY', outcome: watchOutcome('G1', s), at: 100 })),
  { type: 'ANSWER', outcome: watchOutcome('G1', 'NOTPAY'), at: 100, nextDelayMs: null },
  { type: 'ANSWER', outcome: { kind: 'not-found', message: 'ORDERNOTEXIST' }, at: 100, nextDelayMs: 10 },
  { type: 'QUERY_FAILED', error: { code: 'SYSTEMERROR', message: 'busy', retryable: true }, at: 100, nextDelayMs: 10 },
  { type: 'QUERY_FAILED', error: { code: 'NOAUTH', message: 'no', retryable: false }, at: 100, nextDelayMs: null },
  { type: 'CANCEL', at: 100 },
];

/** Graph vertices are state values: context (attempts, times) would make the graph infinite. */
const serializeState = (s: OrderSnapshot) => JSON.stringify(s.value);

function paths(followRefunds: boolean) {
  return getShortestPaths(pureOrderMachine, { input: input(followRefunds), events: EVENTS, serializeState });
}

/** The moves the transition table allows between top-level states, written out independently of the machine. */
function allowed(from: OrderStateName, to: OrderStateName, followRefunds: boolean): boolean {
  if (from === to) return true; // refused, or a move within the state (waiting ↔ querying)
  if ((END_STATES as readonly string[]).includes(from)) return false;
  if (to === 'CANCELLED' || to === 'ERROR') return true;
  if (to === 'NOT_FOUND') return from === 'UNKNOWN';
  if (to === 'DEADLINE') return from !== 'PAID';
  if (from === 'PAID') return to === 'REFUND' || to === 'REVOKED' || to === 'SUCCESS';
  const fromTrade = from === 'UNKNOWN' ? undefined : (from as TradeState);
  if (to === 'PAID') return followRefunds && rankOf(fromTrade) < rankOf('SUCCESS');
  if (to === 'SUCCESS' && followRefunds) return false;
  return (TRADE_STATES as readonly string[]).includes(to) && rankOf(to as TradeState) > rankOf(fromTrade);
}

describe('orderMachine model (xstate/graph)', () => {
  it.each([false, true])('reaches every state by a shortest path (followRefunds: %s)', (follow) => {
    const reached = new Set(paths(follow).map((p) => stateNameOf(p.state.value)));
    const expected = [...ACTIVE_STATES, ...END_STATES].filter((s) => follow || s !== 'PAID');
    expect([...reached].sort()).toEqual([...expected].sort());
    // Every watching state was reached in both of its substates.
    const values = new Set(paths(follow).map((p) => JSON.stringify(p.state.value)));
    for (const s of ACTIVE_STATES.filter((s) => follow || s !== 'PAID')) {
      expect(values).toContain(JSON.stringify({ [s]: 'waiting' }));
      expect(values).toContain(JSON.stringify({ [s]: 'querying' }));
    }
  });

  it.each([false, true])(
    'attempts every event in every reached state and takes only allowed moves (followRefunds: %s)',
    (follow) => {
      let refused = 0;
      let moved = 0;
      for (const path of paths(follow)) {
        const from = stateNameOf(path.state.value);
        for (const event of EVENTS) {
          const [next] = transition(pureOrderMachine, path.state, event);
          const to = stateNameOf(next.value);
          expect(allowed(from, to, follow), `${from} --${event.type}--> ${to}`).toBe(true);
          if (to === from) refused += 1;
          else moved += 1;
        }
      }
      expect(refused).toBeGreaterThan(0);
      expect(moved).toBeGreaterThan(0);
    },
  );

  it('refuses every backwards or sideways trade state, by answer and by notification, recording it', () => {
    let attempted = 0;
    for (const path of paths(true)) {
      const from = stateNameOf(path.state.value);
      if (!(ACTIVE_STATES as readonly string[]).includes(from) || from === 'UNKNOWN') continue;
      const current = path.state.context.tradeState!;
      const querying = path.state.matches({ [from]: 'querying' } as never);
      for (const stale of TRADE_STATES.filter((s) => s !== current && rankOf(s) <= rankOf(current))) {
        const events: OrderEvent[] = [{ type: 'NOTIFY', outcome: watchOutcome('G1', stale), at: 200 }];
        if (querying) events.push({ type: 'ANSWER', outcome: watchOutcome('G1', stale), at: 200, nextDelayMs: 10 });
        for (const event of events) {
          const [next] = transition(pureOrderMachine, path.state, event);
          expect(stateNameOf(next.value)).toBe(from);
          expect(next.context.tradeState).toBe(current);
          expect(next.context.anomalies.at(-1)).toMatchObject({ kind: 'backwards', from: current, to: stale });
          attempted += 1;
        }
      }
    }
    expect(attempted).toBeGreaterThan(20);
  });

  it('ends refuse everything: the snapshot does not change', () => {
    for (const path of paths(false).filter((p) => p.state.status === 'done')) {
      for (const event of EVENTS) {
        const [next] = transition(pureOrderMachine, path.state, event);
        expect(next.value).toEqual(path.state.value);
        expect(next.context).toEqual(path.state.context);
      }
    }
  });

  it('the live orderMachine follows every shortest path to the same state', () => {
    // Inert actors: the path's events are the only thing that drives the live actor here.
    const live = orderMachine.provide({
      actors: { wait: fromCallback(() => undefined), queryOrder: fromCallback(() => undefined) },
    });
    for (const follow of [false, true]) {
      for (const path of paths(follow)) {
        const actor = createActor(live, { input: input(follow) });
        actor.start();
        for (const step of path.steps) actor.send(step.event);
        expect(actor.getSnapshot().value).toEqual(path.state.value);
        actor.stop();
      }
    }
  });
});
