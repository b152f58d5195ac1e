import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { pureOrderMachine } from '../src/definition/machine.ts';
import type { OrderEvent, StoredOrder } from '../src/definition/types.ts';
import { createPureStepper } from '../src/engine/pure-step.ts';
import { seededRandom } from '../src/schedules/schedules.ts';

const order = { outTradeNo: 'A1', transactionId: undefined } as unknown as StoredOrder;
const at = 1_000_000;

/** A watch's life in events: polls, a stale answer, an error, a notification, the end. */
const events: OrderEvent[] = [
  { type: 'DUE', at: at + 1 },
  { type: 'ANSWER', outcome: { kind: 'order', tradeState: 'NOTPAY', order }, at: at + 2, nextDelayMs: 1000 },
  { type: 'DUE', at: at + 1002 },
  {
    type: 'QUERY_FAILED',
    error: { code: 'SYSTEMERROR', message: '', retryable: true },
    at: at + 1003,
    nextDelayMs: 500,
  },
  { type: 'DUE', at: at + 1503 },
  { type: 'ANSWER', outcome: { kind: 'order', tradeState: 'USERPAYING', order }, at: at + 1504, nextDelayMs: 1000 },
  { type: 'NOTIFY', outcome: { kind: 'order', tradeState: 'NOTPAY', order }, at: at + 1600 },
  { type: 'NOTIFY', outcome: { kind: 'order', tradeState: 'SUCCESS', order }, at: at + 1700 },
];

describe('createPureStepper', () => {
  it('advances snapshots exactly as xstate’s initialTransition and transition do', () => {
    const step = createPureStepper();
    const input = { query: { outTradeNo: 'A1' }, startedAt: at, deadlineAt: at + 60_000, firstQueryAt: at };
    let ours = step.initial(input);
    let theirs = initialTransition(pureOrderMachine, input)[0];
    expect(ours.value).toEqual(theirs.value);
    expect(ours.context).toEqual(theirs.context);
    for (const event of events) {
      ours = step.next(ours, event);
      theirs = transition(pureOrderMachine, theirs, event)[0];
      expect({ value: ours.value, status: ours.status, context: ours.context }).toEqual({
        value: theirs.value,
        status: theirs.status,
        context: theirs.context,
      });
    }
    expect(ours.status).toBe('done');
    expect(ours.context.tradeState).toBe('SUCCESS');
    expect(ours.context.anomalies.map((a) => a.kind)).toEqual(['backwards']);
  });

  it('keeps independent watches apart on one stepper', () => {
    const step = createPureStepper();
    const a = step.initial({ query: { outTradeNo: 'A' }, startedAt: at, deadlineAt: at + 10, firstQueryAt: at });
    const b = step.initial({ query: { outTradeNo: 'B' }, startedAt: at, deadlineAt: at + 60_000, firstQueryAt: at });
    expect(step.next(a, { type: 'DUE', at: at + 20 }).value).toBe('DEADLINE');
    expect(step.next(b, { type: 'DUE', at: at + 20 }).value).toEqual({ UNKNOWN: 'querying' });
    expect(b.context.query).toEqual({ outTradeNo: 'B' });
  });
});

describe('createPureStepper().advance', () => {
  /** Unbound, bound to an amount (the merchant learnt from the polls), or to an amount and a given merchant. */
  const input = (followRefunds: boolean, binding: number) => ({
    query: { outTradeNo: 'G1' },
    startedAt: 0,
    deadlineAt: 10_000,
    notFoundGraceMs: 300,
    followRefunds,
    ...(binding > 0 ? { expect: { totalFee: 101 } } : {}),
    ...(binding > 1 ? { merchant: { mchId: '10000100' } } : {}),
  });
  /** A third of the lives settle at the deadline (close or reverse), on short pauses so the lives get there. */
  const settling = (seed: number) =>
    seed % 3 === 0
      ? {}
      : {
          atDeadline: seed % 3 === 1 ? ('close' as const) : ('reverse' as const),
          createdAt: 0,
          settleTiming: {
            closeAfterMs: 3000,
            recallPauseMs: 200,
            retryMs: 100,
            callTimeoutMs: 300,
            maxAttempts: 4,
            maxRecalls: 2,
          },
        };
  const other = { outTradeNo: 'OTHER', transactionId: undefined } as unknown as StoredOrder;
  const mine = { outTradeNo: 'G1', transactionId: '4200000001' } as unknown as StoredOrder;
  // The binding's cases: the right amount and merchant, another amount, another merchant.
  const paid = { ...mine, mchId: '10000100', totalFee: 101 } as StoredOrder;
  const wrongAmount = { ...paid, totalFee: 1 } as StoredOrder;
  const otherMerchant = { ...paid, mchId: '10000200' } as StoredOrder;
  const tradeStates = ['NOTPAY', 'USERPAYING', 'ACCEPT', 'SUCCESS', 'REFUND', 'CLOSED', 'REVOKED', 'PAYERROR'] as const;

  /** Every kind of event the drivers send, including the anomalies (foreign order, unknown state). */
  function randomEvent(random: () => number, at: number): OrderEvent {
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
    // Mostly short delays; some long enough that a query asked for 1 s after the previous one comes sooner.
    const nextDelayMs =
      random() < 0.05 ? null : random() < 0.3 ? 1500 + Math.floor(random() * 2000) : Math.floor(random() * 400);
    const outcome = () =>
      pick([
        { kind: 'order' as const, tradeState: pick(tradeStates), order: mine },
        { kind: 'order' as const, tradeState: pick(tradeStates), order: paid },
        { kind: 'order' as const, tradeState: pick(tradeStates), order: paid },
        { kind: 'order' as const, tradeState: pick(tradeStates), order: wrongAmount },
        { kind: 'order' as const, tradeState: pick(tradeStates), order: otherMerchant },
        { kind: 'order' as const, tradeState: pick(tradeStates), order: other },
        { kind: 'order' as const, tradeState: { unknown: 'FROZEN' }, order: mine },
        { kind: 'not-found' as const, message: 'ORDERNOTEXIST' },
      ]);
    switch (
      pick(['DUE', 'DUE', 'DUE', 'ANSWER', 'ANSWER', 'FAILED', 'NOTIFY', 'NOTIFY', 'ASK', 'CANCEL', 'SETTLED'] as const)
    ) {
      case 'SETTLED':
        return random() < 0.1
          ? { type: 'SETTLE_LOST', at }
          : {
              type: 'SETTLED',
              result: pick([
                { kind: 'done' as const },
                { kind: 'paid' as const },
                { kind: 'recall' as const },
                { kind: 'error' as const, error: { code: 'SYSTEMERROR', message: 'busy', retryable: true } },
                { kind: 'error' as const, error: { code: 'TRADE_ERROR', message: 'no', retryable: false } },
              ]),
              at,
            };
      case 'DUE':
        return { type: 'DUE', at };
      case 'ANSWER':
        return { type: 'ANSWER', outcome: outcome(), at, nextDelayMs };
      case 'FAILED':
        return {
          type: 'QUERY_FAILED',
          error: { code: 'SYSTEMERROR', message: 'busy', retryable: random() < 0.8 },
          at,
          nextDelayMs,
        };
      case 'NOTIFY':
        return { type: 'NOTIFY', outcome: outcome(), at };
      case 'ASK':
        return { type: 'ASK', at };
      case 'CANCEL':
        return random() < 0.2 ? { type: 'CANCEL', at } : { type: 'DUE', at };
    }
  }

  it('equals xstate’s transition on 600 seeded random lives, step by step, bound and unbound, asked early or not', () => {
    let cached = 0;
    let changed = 0;
    let steps = 0;
    const kinds = new Set<string>();
    for (let seed = 1; seed <= 600; seed++) {
      const random = seededRandom(seed);
      const step = createPureStepper();
      const followRefunds = seed % 2 === 0;
      let theirs = initialTransition(pureOrderMachine, { ...input(followRefunds, seed % 3), ...settling(seed) })[0];
      let ours = { value: theirs.value, context: theirs.context };
      let at = 0;
      while (theirs.status === 'active' && at < 16_000) {
        at += Math.floor(random() * 300);
        const event = randomEvent(random, at);
        const before = step.fullSteps;
        const next = step.advance(ours, event);
        const after = transition(pureOrderMachine, theirs, event)[0];
        expect({ value: next.value, context: next.context }).toEqual({ value: after.value, context: after.context });
        // Unchanged means the same object, as the engine relies on.
        expect(next === ours).toBe(after === theirs);
        if (next !== ours) {
          changed++;
          if (step.fullSteps === before) cached++;
        }
        steps++;
        for (const anomaly of after.context.anomalies) kinds.add(anomaly.kind);
        if (after.context.error?.code === 'MISMATCH') kinds.add('MISMATCH');
        if (event.type === 'ASK' && after !== theirs) kinds.add('asked');
        const name = typeof after.value === 'string' ? after.value : Object.keys(after.value)[0];
        const was = typeof theirs.value === 'string' ? theirs.value : Object.keys(theirs.value)[0];
        if (typeof after.value === 'object' && name === 'SETTLING')
          kinds.add(`SETTLING.${String((after.value as Record<string, unknown>).SETTLING)}`);
        if (was === 'SETTLING' && after.status === 'done') kinds.add(`settled ${String(name)}`);
        ours = next;
        theirs = after;
      }
    }
    // The lives went through every new rule: refused notifications, ended polls, queries brought forward.
    for (const end of ['CLOSED', 'REVOKED', 'SUCCESS', 'ERROR']) expect(kinds).toContain(`settled ${end}`);
    for (const kind of [...kinds]) if (kind.startsWith('settled') || kind.startsWith('SETTLING')) kinds.delete(kind);
    expect([...kinds].sort()).toEqual(
      [
        'MISMATCH',
        'asked',
        'backwards',
        'foreign-order',
        'mismatch',
        'not-found-after-order',
        'unknown-trade-state',
      ].sort(),
    );
    // Changes other than an end (the poll cycle, anomalies, errors) come from the cache, not xstate's full step.
    expect(steps).toBeGreaterThan(4000);
    expect(cached / changed).toBeGreaterThan(0.75);
  });

  it('serves the poll cycle (due, answer, due…) from the cache after the first of each kind', () => {
    const step = createPureStepper();
    const first = step.initial({
      query: { outTradeNo: 'A1' },
      startedAt: at,
      deadlineAt: at + 60_000,
      firstQueryAt: at,
    });
    let state = { value: first.value, context: first.context };
    for (let i = 0; i < 50; i++) {
      const t = at + i * 1000;
      state = step.advance(state, { type: 'DUE', at: t });
      state = step.advance(state, {
        type: 'ANSWER',
        outcome: { kind: 'order', tradeState: 'NOTPAY', order },
        at: t + 1,
        nextDelayMs: 999,
      });
    }
    expect(state.value).toEqual({ NOTPAY: 'waiting' });
    expect(state.context.attempts).toBe(50);
    expect(state.context.dueAt).toBe(at + 49_000 + 1000);
    expect(step.fullSteps).toBe(0);
  });

  it('takes xstate’s full step where the cache must not guess: an eventless end', () => {
    const step = createPureStepper();
    const first = step.initial({
      query: { outTradeNo: 'A1' },
      startedAt: at,
      deadlineAt: at + 60_000,
      firstQueryAt: at,
    });
    const querying = step.advance({ value: first.value, context: first.context }, { type: 'DUE', at });
    const gaveUp = step.advance(querying, {
      type: 'ANSWER',
      outcome: { kind: 'order', tradeState: 'NOTPAY', order },
      at: at + 1,
      nextDelayMs: null,
    });
    expect(gaveUp.value).toBe('DEADLINE');
    expect(step.fullSteps).toBe(1);
    const paid = step.advance(querying, {
      type: 'ANSWER',
      outcome: { kind: 'order', tradeState: 'SUCCESS', order },
      at: at + 1,
      nextDelayMs: 1000,
    });
    expect(paid.value).toBe('SUCCESS');
    expect(paid.context.tradeState).toBe('SUCCESS');
    // A top-level final state comes from the cache: only the eventless end needed xstate's full step.
    expect(step.fullSteps).toBe(1);
  });

  it('starts a watch as xstate’s initial snapshot does, from the cache unless the start ends at once', () => {
    const step = createPureStepper();
    const inputs = [
      { query: { outTradeNo: 'S1' }, startedAt: 5, deadlineAt: 9000 },
      {
        query: { transactionId: '4200000001' },
        startedAt: 5,
        deadlineAt: 9000,
        firstQueryAt: 700,
        followRefunds: true,
      },
      { query: { outTradeNo: 'S3' }, startedAt: 5, deadlineAt: 9000, notFoundGraceMs: 10 },
    ];
    for (const input of inputs) {
      const ours = step.initialState(input);
      const theirs = initialTransition(pureOrderMachine, input)[0];
      expect({ value: ours.value, context: ours.context }).toEqual({ value: theirs.value, context: theirs.context });
    }
    expect(step.fullSteps).toBe(0);
    // firstQueryAt null: the schedule gave up before the first query, an eventless end xstate computes.
    const gaveUp = { query: { outTradeNo: 'S4' }, startedAt: 5, deadlineAt: 9000, firstQueryAt: null };
    const ours = step.initialState(gaveUp);
    expect(ours.value).toBe('DEADLINE');
    expect(ours.context).toEqual(initialTransition(pureOrderMachine, gaveUp)[0].context);
    expect(step.fullSteps).toBe(1);
  });
});
