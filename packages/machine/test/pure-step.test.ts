import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { pureOrderMachine } from '../src/machine.ts';
import { createPureStepper } from '../src/pure-step.ts';
import type { OrderEvent, StoredOrder } from '../src/types.ts';

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
