import { TRADE_STATES, type TradeState, TransportError } from '@tradestate/protocol';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, transition } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { type OrderSnapshot, orderMachine, pureOrderMachine } from '../src/definition/machine.ts';
import { ACTIVE_STATES, END_STATES, type OrderStateName, rankOf } from '../src/definition/transitions.ts';
import type { OrderEvent, OrderMachineInput, WatchOutcome } from '../src/definition/types.ts';
import { type OrderWatch, schedules, seededRandom, type WatchOrderOptions, watchOrder } from '../src/index.ts';
import { stateNameOf } from '../src/streams/emission.ts';
import {
  errorOutcome,
  notFound,
  orderFor,
  ScriptedClient,
  type Step,
  stateOutcome,
  storedOrder,
  watchOutcome,
} from './fixtures.ts';
import { watchWithActor } from './live-actor.ts';
import { VirtualClock } from './virtual-time.ts';

const DEADLINE = 1000;
const input = (followRefunds: boolean): OrderMachineInput => ({
  query: { outTradeNo: 'G1' },
  startedAt: 0,
  deadlineAt: DEADLINE,
  notFoundGraceMs: 0,
  followRefunds,
  // The fixture's orders are of 101 fen, from merchant 10000100.
  expect: { totalFee: 101 },
});

/** An outcome about G1 that fails the binding: another amount, or another merchant than the polls showed. */
const wrongAmount = (tradeState: TradeState): WatchOutcome => ({
  kind: 'order',
  tradeState,
  order: { ...storedOrder('G1'), totalFee: 1 },
});
const otherMerchant = (tradeState: TradeState): WatchOutcome => ({
  kind: 'order',
  tradeState,
  order: { ...storedOrder('G1'), mchId: '10000200' },
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
  { type: 'ASK', at: 100 },
  { type: 'ANSWER', outcome: wrongAmount('SUCCESS'), at: 100, nextDelayMs: 10 },
  { type: 'NOTIFY', outcome: wrongAmount('SUCCESS'), at: 100 },
  { type: 'NOTIFY', outcome: otherMerchant('SUCCESS'), at: 100 },
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

  it('a notification failing the binding, or an ASK, never moves the trade state; the same poll answer ends ERROR', () => {
    let refused = 0;
    for (const path of paths(true)) {
      if (path.state.status !== 'active') continue;
      const from = stateNameOf(path.state.value);
      const context = path.state.context;
      const events: OrderEvent[] = [
        { type: 'NOTIFY', outcome: wrongAmount('SUCCESS'), at: 200 },
        { type: 'ASK', at: 200 },
        ...(context.merchant === undefined
          ? []
          : [{ type: 'NOTIFY', outcome: otherMerchant('SUCCESS'), at: 200 } as const]),
      ];
      for (const event of events) {
        const [next] = transition(pureOrderMachine, path.state, event);
        expect(stateNameOf(next.value)).toBe(from);
        expect(next.context.tradeState).toBe(context.tradeState);
        expect(next.context.order).toBe(context.order);
        if (event.type === 'NOTIFY') {
          expect(next.context.anomalies.at(-1)).toMatchObject({ kind: 'mismatch', source: 'notification' });
          refused += 1;
        } else expect(next.context.anomalies).toBe(context.anomalies);
      }
      if (path.state.matches({ [from]: 'querying' } as never)) {
        const [next] = transition(pureOrderMachine, path.state, {
          type: 'ANSWER',
          outcome: wrongAmount('SUCCESS'),
          at: 200,
          nextDelayMs: 10,
        });
        expect(stateNameOf(next.value)).toBe('ERROR');
        expect(next.context.error).toMatchObject({ code: 'MISMATCH', field: 'total_fee', retryable: false });
        expect(next.context.order?.totalFee).toBe(1); // what WeChat said, kept for the operator
      }
    }
    expect(refused).toBeGreaterThanOrEqual(10); // every watching state, waiting and querying
  });

  it('while waiting, a reason to ask brings the query to now, or to 1 s after the previous one, never later', () => {
    let checked = 0;
    for (const path of paths(true)) {
      const from = stateNameOf(path.state.value);
      if (path.state.status !== 'active' || !path.state.matches({ [from]: 'waiting' } as never)) continue;
      // The next query planned at 900; the previous one started long ago, 500 ms ago, or just now.
      for (const [lastQueryAt, expected] of [
        [-5000, 'now'],
        [-500, 500],
        [150, 'unchanged'],
      ] as const) {
        const waiting = pureOrderMachine.resolveState({
          value: path.state.value,
          context: { ...path.state.context, dueAt: 900, lastQueryAt },
        });
        for (const event of [
          { type: 'ASK', at: 200 },
          { type: 'NOTIFY', outcome: wrongAmount('SUCCESS'), at: 200 },
        ] as const) {
          const [next] = transition(pureOrderMachine, waiting, event);
          expect(stateNameOf(next.value)).toBe(from);
          if (expected === 'now') expect(next.matches({ [from]: 'querying' } as never)).toBe(true);
          else {
            expect(next.matches({ [from]: 'waiting' } as never)).toBe(true);
            expect(next.context.dueAt).toBe(expected === 'unchanged' ? 900 : expected);
          }
          checked += 1;
        }
      }
    }
    expect(checked).toBe(5 * 3 * 2); // five watching states, three timings, two reasons
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

/** A seeded random life of one order: what the client answers, query after query (the last repeats). */
function randomLife(seed: number): Step[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const steps: Step[] = [];
  const length = 1 + Math.floor(random() * 8);
  for (let i = 0; i < length; i++) {
    steps.push(
      pick<() => Step>([
        () => stateOutcome('M1', pick(TRADE_STATES)),
        () => stateOutcome('M1', 'NOTPAY'),
        () => stateOutcome('M1', 'USERPAYING'),
        () => notFound(),
        () => errorOutcome('SYSTEMERROR', true),
        () => errorOutcome('NOAUTH', false),
        () => new TransportError('TIMEOUT', 'no answer', { retryable: true }),
        () => ({ ...stateOutcome('M1', 'SUCCESS'), order: orderFor('M1', { totalFee: 1 }) }),
      ])(),
    );
  }
  return steps;
}

/** Runs one life on a driver in virtual time and returns every emission with its time. */
async function runLife(
  driver: (options: WatchOrderOptions) => Observable<OrderWatch>,
  steps: readonly Step[],
  extra: Partial<WatchOrderOptions>,
) {
  const clock = new VirtualClock();
  const watch$ = driver({
    client: new ScriptedClient(steps),
    query: { outTradeNo: 'M1' },
    schedule: schedules.native,
    deadline: 20_000,
    scheduler: clock.scheduler,
    jitter: { ratio: 0 },
    notFoundGraceMs: 5000,
    expect: { totalFee: 101 },
    ...extra,
  });
  const recording = clock.record(watch$);
  await clock.advanceTo(40_000);
  recording.subscription.unsubscribe();
  return recording.frames.map((f) => ({ at: f.frame, kind: f.notification.kind, value: f.notification.value }));
}

describe('the two drivers of the one machine', () => {
  it('watchOrder (the engine) emits exactly what a live actor of createOrderMachine emits, life after life', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const steps = randomLife(seed);
      const extra: Partial<WatchOrderOptions> = { followRefunds: seed % 3 === 0 };
      const engine = await runLife(watchOrder, steps, extra);
      const actor = await runLife(watchWithActor, steps, extra);
      expect(engine, `seed ${seed}`).toEqual(actor);
      expect(engine.at(-1)?.kind, `seed ${seed}`).toBe('C');
    }
  });
});
