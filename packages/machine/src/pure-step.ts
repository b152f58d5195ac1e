import { type AnyActorScope, createActor } from 'xstate';
import { type OrderSnapshot, pureOrderMachine } from './machine.ts';
import type { OrderEvent, OrderMachineInput } from './types.ts';

/** Any valid input: the scope's own actor is never started, its snapshot never read. */
const INERT_INPUT: OrderMachineInput = { query: { outTradeNo: 'inert' }, startedAt: 0, deadlineAt: 0 };

/**
 * Advances {@link pureOrderMachine} snapshots purely, like xstate's `initialTransition` / `transition`, but
 * through one inert actor scope made once. xstate's helpers build a fresh actor per call, whose constructor
 * computes the machine's initial snapshot (running the context factory without an input, which throws and is
 * caught): about 20 µs and a few kilobytes of garbage per step, most of a watch's CPU between two polls.
 * The machine's actions are all `assign`, resolved into the snapshot, so nothing needs the scope's executor.
 *
 * @example
 * ```ts
 * const step = createPureStepper();
 * let snapshot = step.initial({ query: { outTradeNo: 'A1' }, startedAt: now, deadlineAt: now + 60_000 });
 * snapshot = step.next(snapshot, { type: 'DUE', at: now });
 * ```
 */
export function createPureStepper(): {
  initial(input: OrderMachineInput): OrderSnapshot;
  next(snapshot: OrderSnapshot, event: OrderEvent): OrderSnapshot;
} {
  const self = createActor(pureOrderMachine, { input: INERT_INPUT });
  const scope = {
    self,
    defer: () => {},
    id: '',
    logger: () => {},
    sessionId: '',
    stopChild: () => {},
    system: self.system,
    emit: () => {},
    actionExecutor: () => {},
  } as unknown as AnyActorScope;
  return {
    initial: (input) => pureOrderMachine.getInitialSnapshot(scope, input) as OrderSnapshot,
    next: (snapshot, event) => pureOrderMachine.transition(snapshot, event, scope) as OrderSnapshot,
  };
}
