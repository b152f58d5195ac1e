import type { StateValue } from 'xstate';
import { fromStoredOrder } from './outcome.ts';
import { END_STATES, type OrderStateName } from './transitions.ts';
import type { OrderContext, OrderWatch, WatchEnd } from './types.ts';

/**
 * The top-level state name of an {@link orderMachine} snapshot value (`{ NOTPAY: 'waiting' }` → `NOTPAY`).
 *
 * @example
 * ```ts
 * stateNameOf(actor.getSnapshot().value); // 'USERPAYING'
 * ```
 */
export function stateNameOf(value: StateValue): OrderStateName {
  return (typeof value === 'string' ? value : Object.keys(value)[0]) as OrderStateName;
}

/**
 * The end a state name stands for, if it is final.
 *
 * @example
 * ```ts
 * endOf('CLOSED'); // 'CLOSED'
 * endOf('NOTPAY'); // undefined
 * ```
 */
export function endOf(state: OrderStateName): WatchEnd | undefined {
  return (END_STATES as readonly string[]).includes(state) ? (state as WatchEnd) : undefined;
}

/**
 * Builds the {@link OrderWatch} a snapshot stands for.
 *
 * @example
 * ```ts
 * const watch = toOrderWatch(snapshot.value, snapshot.context);
 * ```
 */
export function toOrderWatch(value: StateValue, context: OrderContext): OrderWatch {
  const end = endOf(stateNameOf(value));
  return {
    query: context.query,
    tradeState: context.tradeState,
    done: end !== undefined,
    end,
    attempts: context.attempts,
    order: context.order === undefined ? undefined : fromStoredOrder(context.order),
    anomalies: context.anomalies,
    // At DEADLINE the latest retryable error says why no answer came (cleared by any good answer since).
    error: end === undefined || end === 'ERROR' || end === 'DEADLINE' ? context.error : undefined,
    lastOutcomeAt: context.lastOutcomeAt,
  };
}

/**
 * Whether two watches differ in what a subscriber can see (the emission rule of `watchOrder`: emit on every
 * change, and only then).
 *
 * @example
 * ```ts
 * if (watchChanged(previous, next)) subscriber.next(next);
 * ```
 */
export function watchChanged(a: OrderWatch | undefined, b: OrderWatch): boolean {
  return (
    a === undefined ||
    a.tradeState !== b.tradeState ||
    a.done !== b.done ||
    a.end !== b.end ||
    a.attempts !== b.attempts ||
    a.anomalies.length !== b.anomalies.length ||
    a.anomalies[a.anomalies.length - 1] !== b.anomalies[b.anomalies.length - 1] ||
    a.error !== b.error ||
    a.lastOutcomeAt !== b.lastOutcomeAt
  );
}
