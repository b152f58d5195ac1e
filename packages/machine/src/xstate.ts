/**
 * The machine definition behind every watch, for users who want a live xstate actor (inspection, React): the
 * machine, a factory that gives it a client, and the types of its events, context, input and output. A watch
 * (`watchOrder`, `watchOrders`, `resumeWatches`) runs the same definition on the library's engine; tests hold
 * the two to the same behaviour.
 *
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * import { createOrderMachine } from '@tradestate/machine/xstate';
 * const actor = createActor(createOrderMachine({ client, schedule: schedules.native }), { input });
 * actor.start();
 * ```
 * @module
 */
export type { QueryActorDeps as OrderMachineDeps } from './definition/actors.ts';
export { createOrderMachine } from './definition/create-order-machine.ts';
export { type OrderSnapshot, orderMachine } from './definition/machine.ts';
export type { OrderStateName } from './definition/transitions.ts';
export type { OrderContext, OrderEvent, OrderMachineInput, OrderMachineOutput } from './definition/types.ts';
