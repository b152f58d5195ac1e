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
export type { QueryActorDeps as OrderMachineDeps } from './actors.ts';
export { createOrderMachine } from './create-order-machine.ts';
export { type OrderSnapshot, orderMachine } from './machine.ts';
export type { OrderStateName } from './transitions.ts';
export type { OrderContext, OrderEvent, OrderMachineInput, OrderMachineOutput } from './types.ts';
