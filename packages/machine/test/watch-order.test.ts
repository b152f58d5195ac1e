import { MismatchError, type OrderQueryOutcome, SignatureError, TransportError } from '@tradestate/protocol';
import { of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createActor, type InspectionEvent } from 'xstate';
import { createOrderMachine } from '../src/definition/create-order-machine.ts';
import { type OrderWatch, schedules, type WatchOrderOptions, watchOrder } from '../src/index.ts';
import { errorOutcome, notFound, orderFor, ScriptedClient, type Step, stateOutcome } from './fixtures.ts';
import { VirtualClock } from './virtual-time.ts';

function setup(steps: readonly Step[], extra: Partial<WatchOrderOptions> = {}, hold = false) {
  const clock = new VirtualClock();
  const client = new ScriptedClient(steps, { hold });
  const watch$ = watchOrder({
    client,
    query: { outTradeNo: 'W1' },
    schedule: schedules.native,
    deadline: 60_000,
    scheduler: clock.scheduler,
    jitter: { ratio: 0 },
    ...extra,
  });
  return { clock, client, watch$ };
}

function values(frames: { notification: { kind: string; value?: unknown } }[]): OrderWatch[] {
  return frames.filter((f) => f.notification.kind === 'N').map((f) => f.notification.value as OrderWatch);
}

describe('watchOrder', () => {
  it('emits at subscribe, on every change, and completes after the terminal emission', async () => {
    const { clock, recording } = (() => {
      const s = setup([stateOutcome('W1', 'NOTPAY'), stateOutcome('W1', 'USERPAYING'), stateOutcome('W1', 'SUCCESS')]);
      return { ...s, recording: s.clock.record(s.watch$) };
    })();
    expect(values(recording.frames)).toHaveLength(1);
    expect(values(recording.frames)[0]).toMatchObject({ tradeState: undefined, done: false, attempts: 0 });
    await clock.advanceTo(10_000);
    const watches = values(recording.frames);
    expect(watches.map((w) => w.tradeState)).toContain('USERPAYING');
    expect(watches.at(-1)).toMatchObject({ done: true, end: 'SUCCESS', tradeState: 'SUCCESS', attempts: 3 });
    expect(watches.at(-1)?.order?.outTradeNo).toBe('W1');
    expect(recording.frames.at(-1)?.notification.kind).toBe('C');
    expect(recording.frames.at(-1)?.frame).toBe(6000);
    for (let i = 1; i < watches.length; i++) expect(watches[i]).not.toEqual(watches[i - 1]);
  });

  it('shares one query stream between two subscribers and stops polling when both leave', async () => {
    const { clock, client, watch$ } = setup([stateOutcome('W1', 'NOTPAY')]);
    const first = clock.record(watch$);
    await clock.advanceTo(2500);
    const second = clock.record(watch$);
    expect(values(second.frames)[0]).toEqual(values(first.frames).at(-1)); // the latest, replayed at subscribe
    await clock.advanceTo(6500);
    expect(client.calls).toHaveLength(3); // at 2, 4 and 6 s: one stream, not two
    first.subscription.unsubscribe();
    await clock.advanceTo(8500);
    expect(client.calls).toHaveLength(4);
    second.subscription.unsubscribe();
    await clock.advanceTo(30_000);
    expect(client.calls).toHaveLength(4);
  });

  it('a new subscriber after everyone left starts a fresh watch', async () => {
    const { clock, client, watch$ } = setup([stateOutcome('W1', 'NOTPAY')]);
    clock.record(watch$).subscription.unsubscribe();
    const again = clock.record(watch$);
    await clock.advanceTo(2000);
    expect(values(again.frames).at(-1)?.attempts).toBe(1);
    expect(client.calls).toHaveLength(1);
  });

  it('unsubscribing aborts the request in flight, and one query is in flight at a time', async () => {
    const { clock, client, watch$ } = setup([stateOutcome('W1', 'NOTPAY')], {}, true);
    const recording = clock.record(watch$);
    await clock.advanceTo(2000);
    expect(client.inFlight).toBe(1);
    await clock.advanceTo(20_000);
    expect(client.calls).toHaveLength(1); // the next query waits for the answer
    recording.subscription.unsubscribe();
    expect(client.calls[0]?.signal?.aborted).toBe(true);
  });

  it('a SUCCESS notification ends the watch at once, even before the first poll answers', async () => {
    const notifications = new Subject<OrderQueryOutcome>();
    const { clock, client, watch$ } = setup([stateOutcome('W1', 'NOTPAY')], { notifications }, true);
    const recording = clock.record(watch$);
    await clock.advanceTo(2000);
    expect(client.inFlight).toBe(1);
    notifications.next({ ...stateOutcome('W1', 'SUCCESS'), order: orderFor('W1', { transactionId: '4200001' }) });
    const last = values(recording.frames).at(-1);
    expect(last).toMatchObject({ done: true, end: 'SUCCESS', attempts: 1 });
    expect(last?.order?.transactionId).toBe('4200001');
    expect(client.calls[0]?.signal?.aborted).toBe(true);
    expect(recording.frames.at(-1)?.frame).toBe(2000);
  });

  it('a notification already there at subscribe wins before any query', async () => {
    const notification = { tradeState: 'SUCCESS' as const, order: orderFor('W1') };
    const { clock, client, watch$ } = setup([stateOutcome('W1', 'NOTPAY')], { notifications: of(notification) });
    const recording = clock.record(watch$);
    await clock.advanceTo(10_000);
    expect(values(recording.frames).at(-1)).toMatchObject({ end: 'SUCCESS', attempts: 0 });
    expect(client.calls).toHaveLength(0);
  });

  it('ignores notifications about other orders and duplicates', async () => {
    const notifications = new Subject<OrderQueryOutcome>();
    const { clock, watch$ } = setup([stateOutcome('W1', 'NOTPAY')], { notifications });
    const recording = clock.record(watch$);
    await clock.advanceTo(2000);
    const count = recording.frames.length;
    notifications.next(stateOutcome('OTHER', 'SUCCESS'));
    notifications.next({ ...stateOutcome('W1', 'NOTPAY') });
    expect(recording.frames).toHaveLength(count);
    expect(values(recording.frames).at(-1)?.done).toBe(false);
  });

  it('records a stale answer as an anomaly and keeps the verified state', async () => {
    const { clock, watch$ } = setup([
      stateOutcome('W1', 'USERPAYING'),
      stateOutcome('W1', 'NOTPAY'),
      stateOutcome('W1', 'SUCCESS'),
    ]);
    const recording = clock.record(watch$);
    await clock.advanceTo(10_000);
    const watches = values(recording.frames);
    expect(watches.map((w) => w.tradeState)).not.toContain('NOTPAY');
    expect(watches.at(-1)).toMatchObject({ end: 'SUCCESS' });
    expect(watches.at(-1)?.anomalies).toEqual([
      { kind: 'backwards', source: 'poll', at: 4000, from: 'USERPAYING', to: 'NOTPAY' },
    ]);
  });

  it.each([
    ['NOAUTH answer', errorOutcome('NOAUTH', false), 'NOAUTH'],
    ['SIGNERROR answer', errorOutcome('SIGNERROR', false), 'SIGNERROR'],
    ['MismatchError', new MismatchError('out_trade_no'), 'MISMATCH'],
  ])('ends ERROR at once on a %s, keeping only code and message', async (_name, step, code) => {
    const { clock, client, watch$ } = setup([step]);
    const recording = clock.record(watch$);
    await clock.advanceTo(30_000);
    const last = values(recording.frames).at(-1)!;
    expect(last).toMatchObject({ done: true, end: 'ERROR', error: { code, retryable: false } });
    expect(Object.keys(last.error!).sort()).toEqual(['code', 'message', 'retryable']);
    expect(client.calls).toHaveLength(1);
  });

  it('retries transport failures and bad signatures, then succeeds', async () => {
    const { clock, client, watch$ } = setup([
      new TransportError('NETWORK', 'socket hang up'),
      new SignatureError('SIGNATURE_INVALID', 'sign does not verify'),
      stateOutcome('W1', 'SUCCESS'),
    ]);
    const recording = clock.record(watch$);
    await clock.advanceTo(30_000);
    const watches = values(recording.frames);
    expect(watches.some((w) => w.error?.code === 'SIGNATURE_INVALID')).toBe(true);
    expect(watches.at(-1)).toMatchObject({ end: 'SUCCESS', error: undefined });
    expect(client.calls).toHaveLength(3);
    expect(recording.frames.at(-1)?.frame).toBe(2000 + 4000 + 8000);
  });

  it('does not persist what an unknown throwable said', async () => {
    const { clock, watch$ } = setup([new Error('key=192006250b4c09247ec02edce69f6a2d'), stateOutcome('W1', 'CLOSED')]);
    const recording = clock.record(watch$);
    await clock.advanceTo(30_000);
    expect(JSON.stringify(values(recording.frames))).not.toContain('192006250b4c');
    expect(values(recording.frames).at(-1)).toMatchObject({ end: 'CLOSED' });
  });

  it('ends NOT_FOUND after the grace window of ORDERNOTEXIST', async () => {
    const { clock, client, watch$ } = setup([notFound()], { notFoundGraceMs: 5000 });
    const recording = clock.record(watch$);
    await clock.advanceTo(30_000);
    expect(values(recording.frames).at(-1)).toMatchObject({ end: 'NOT_FOUND', tradeState: undefined });
    expect(recording.frames.at(-1)?.frame).toBe(8000); // queries at 2, 4, 6, 8 s: 8 − 2 ≥ 5
    expect(client.calls).toHaveLength(4);
  });

  it('ends CANCELLED when the signal aborts, aborting the query in flight', async () => {
    const controller = new AbortController();
    const { clock, client, watch$ } = setup([stateOutcome('W1', 'NOTPAY')], { signal: controller.signal }, true);
    const recording = clock.record(watch$);
    await clock.advanceTo(2000);
    controller.abort();
    expect(values(recording.frames).at(-1)).toMatchObject({ done: true, end: 'CANCELLED' });
    expect(recording.frames.at(-1)?.notification.kind).toBe('C');
    expect(client.calls[0]?.signal?.aborted).toBe(true);
  });

  it('aborts a query still in flight at the deadline and ends DEADLINE', async () => {
    const { clock, client, watch$ } = setup([stateOutcome('W1', 'NOTPAY')], { deadline: 5000 }, true);
    const recording = clock.record(watch$);
    await clock.advanceTo(10_000);
    expect(client.calls[0]?.signal?.aborted).toBe(true);
    expect(values(recording.frames).at(-1)).toMatchObject({ end: 'DEADLINE' });
    expect(recording.frames.at(-1)?.frame).toBe(5000);
  });

  it('ending at the deadline after failing answers keeps the last error, so the reason is not lost', async () => {
    const { clock, watch$ } = setup([errorOutcome('SYSTEMERROR', true)], { deadline: 9000 });
    const recording = clock.record(watch$);
    await clock.advanceTo(20_000);
    expect(values(recording.frames).at(-1)).toMatchObject({
      end: 'DEADLINE',
      error: { code: 'SYSTEMERROR', retryable: true },
    });
  });

  it('ending at the deadline after a good answer carries no stale error', async () => {
    const { clock, watch$ } = setup([errorOutcome('SYSTEMERROR', true), stateOutcome('W1', 'NOTPAY')], {
      deadline: 9000,
    });
    const recording = clock.record(watch$);
    await clock.advanceTo(20_000);
    const last = values(recording.frames).at(-1);
    expect(last).toMatchObject({ end: 'DEADLINE', tradeState: 'NOTPAY' });
    expect(last?.error).toBeUndefined();
  });

  it('the live actor of the same machine shows its transitions to an inspect callback', async () => {
    const events: InspectionEvent[] = [];
    const clock = new VirtualClock();
    const client = new ScriptedClient([stateOutcome('W1', 'NOTPAY'), stateOutcome('W1', 'SUCCESS')]);
    const machine = createOrderMachine({
      client,
      schedule: schedules.native,
      scheduler: clock.scheduler,
      jitter: { ratio: 0 },
    });
    const actor = createActor(machine, {
      input: { query: { outTradeNo: 'W1' }, startedAt: 0, deadlineAt: 60_000 },
      inspect: (event) => events.push(event),
    });
    actor.start();
    await clock.advanceTo(10_000);
    actor.stop();
    const sent = events.filter((e) => e.type === '@xstate.event').map((e) => e.event.type);
    expect(sent).toEqual(expect.arrayContaining(['DUE', 'ANSWER']));
    const values = events
      .filter((e): e is Extract<InspectionEvent, { type: '@xstate.snapshot' }> => e.type === '@xstate.snapshot')
      .map((e) => JSON.stringify((e.snapshot as { value?: unknown }).value))
      .filter((v) => v !== undefined);
    expect(values).toEqual(
      expect.arrayContaining([
        JSON.stringify({ UNKNOWN: 'querying' }),
        JSON.stringify({ NOTPAY: 'waiting' }),
        JSON.stringify('SUCCESS'),
      ]),
    );
    expect(events.some((e) => e.type === '@xstate.microstep')).toBe(true);
  });
});
