import { describe, expect, it } from 'vitest';
import { createActor, type Snapshot } from 'xstate';
import { createOrderMachine } from '../src/definition/create-order-machine.ts';
import type { OrderMachineInput } from '../src/definition/types.ts';
import { schedules } from '../src/index.ts';
import { ScriptedClient, stateOutcome } from './fixtures.ts';
import { VirtualClock } from './virtual-time.ts';

const input: OrderMachineInput = { query: { outTradeNo: 'R1' }, startedAt: 0, deadlineAt: 60_000, firstQueryAt: 2000 };

function machineFor(client: ScriptedClient, clock: VirtualClock) {
  return createOrderMachine({ client, schedule: schedules.native, scheduler: clock.scheduler, jitter: { ratio: 0 } });
}

/** What a process would write to disk and read back after a restart. */
function throughJson(snapshot: unknown): Snapshot<unknown> {
  return JSON.parse(JSON.stringify(snapshot)) as Snapshot<unknown>;
}

describe('persisted snapshots', () => {
  it('restored in the middle of a wait, the wait goes on to the same due time', async () => {
    const clock = new VirtualClock();
    const client = new ScriptedClient([stateOutcome('R1', 'NOTPAY'), stateOutcome('R1', 'SUCCESS')]);
    const first = createActor(machineFor(client, clock), { input });
    first.start();
    await clock.advanceTo(3000);
    expect(first.getSnapshot().value).toEqual({ NOTPAY: 'waiting' });
    expect(first.getSnapshot().context.dueAt).toBe(4000);
    const saved = throughJson(first.getPersistedSnapshot());
    first.stop();

    const restored = createActor(machineFor(client, clock), { snapshot: saved, input });
    restored.start();
    expect(restored.getSnapshot().value).toEqual({ NOTPAY: 'waiting' });
    await clock.advanceTo(3999);
    expect(client.calls).toHaveLength(1);
    await clock.advanceTo(4000);
    expect(client.calls).toHaveLength(2);
    expect(restored.getSnapshot().status).toBe('done');
    expect(restored.getSnapshot().output).toMatchObject({ end: 'SUCCESS', attempts: 2 });
  });

  it('restored in the middle of a query, the query is asked again', async () => {
    const clock = new VirtualClock();
    const hung = new ScriptedClient([stateOutcome('R1', 'NOTPAY')], { hold: true });
    const first = createActor(machineFor(hung, clock), { input });
    first.start();
    await clock.advanceTo(2000);
    expect(first.getSnapshot().value).toEqual({ UNKNOWN: 'querying' });
    const saved = throughJson(first.getPersistedSnapshot());
    first.stop();
    expect(hung.calls[0]?.signal?.aborted).toBe(true);

    const client = new ScriptedClient([stateOutcome('R1', 'USERPAYING')]);
    const restored = createActor(machineFor(client, clock), { snapshot: saved, input });
    restored.start();
    await clock.settle();
    expect(client.calls).toHaveLength(1);
    expect(restored.getSnapshot().value).toEqual({ USERPAYING: 'waiting' });
    expect(restored.getSnapshot().context).toMatchObject({ attempts: 1, dueAt: 4000, tradeState: 'USERPAYING' });
  });

  it('a persisted snapshot holds no client, key or function', async () => {
    const clock = new VirtualClock();
    const key = '192006250b4c09247ec02edce69f6a2d';
    const client = Object.assign(new ScriptedClient([stateOutcome('R1', 'NOTPAY')], { hold: true }), { key });
    const actor = createActor(machineFor(client, clock), { input });
    actor.start();
    await clock.advanceTo(2000);
    const json = JSON.stringify(actor.getPersistedSnapshot());
    expect(JSON.parse(json)).toEqual(actor.getPersistedSnapshot());
    expect(json).not.toContain(key);
    expect(json).toContain('"R1"');
    actor.stop();
  });
});
