import type { Order, TradeState } from '@tradestate/protocol';
import type { StateValue } from 'xstate';
import { fromStoredOrder } from '../definition/stored-order.ts';
import { END_STATES, type OrderStateName } from '../definition/transitions.ts';
import type { Anomaly, OrderContext, OrderWatch, WatchEnd } from '../definition/types.ts';

/**
 * The top-level state name of an {@link orderMachine} snapshot value (`{ NOTPAY: 'waiting' }` → `NOTPAY`).
 *
 * @example
 * ```ts
 * stateNameOf(actor.getSnapshot().value); // 'USERPAYING'
 * ```
 */
export function stateNameOf(value: StateValue): OrderStateName {
  if (typeof value === 'string') return value as OrderStateName;
  // The first key without Object.keys' array: this runs several times per poll of every watch.
  for (const name in value) return name as OrderStateName;
  throw new TypeError('an empty state value');
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
 * Builds the {@link OrderWatch} a snapshot stands for. `previous` is what the stream emitted last (its trade
 * state), so that `paid` is true only on the first emission that shows the payment.
 *
 * @example
 * ```ts
 * const watch = toOrderWatch(snapshot.value, snapshot.context, last);
 * ```
 */
export function toOrderWatch(
  value: StateValue,
  context: OrderContext,
  previous?: { readonly tradeState: TradeState | undefined } | undefined,
): OrderWatch {
  const end = endOf(stateNameOf(value));
  const common = {
    query: context.query,
    tradeState: context.tradeState,
    attempts: context.attempts,
    anomalies: context.anomalies,
    lastOutcomeAt: context.lastOutcomeAt,
    settle: context.settle,
  };
  const order = context.order === undefined ? undefined : fromStoredOrder(context.order);
  const firstPaid = context.tradeState === 'SUCCESS' && previous?.tradeState !== 'SUCCESS' && order !== undefined;
  switch (end) {
    case undefined:
      return firstPaid
        ? { ...common, done: false, end, paid: true, order, error: context.error }
        : { ...common, done: false, end, paid: false, order, error: context.error };
    case 'SUCCESS':
    case 'REFUND':
      // A paid end always carries the order its verified answer described.
      return { ...common, done: true, end, paid: firstPaid, order: order ?? identityOrder(context), error: undefined };
    case 'DEADLINE':
      return {
        ...common,
        done: true,
        end,
        paid: false,
        reason: context.tradeState === undefined ? 'NO_ANSWER' : 'UNPAID',
        order,
        // The latest retryable error says why no answer came (cleared by any good answer since).
        error: context.error,
      };
    case 'ERROR':
      return {
        ...common,
        done: true,
        end,
        paid: false,
        order,
        error: context.error ?? { code: 'UNEXPECTED', message: 'the watch ended ERROR', retryable: false },
      };
    default:
      return { ...common, done: true, end, paid: false, order, error: undefined };
  }
}

/** The order by its identities alone: what a paid end carries if its answer's order were ever missing. */
function identityOrder(context: OrderContext): Order {
  return fromStoredOrder({ outTradeNo: context.query.outTradeNo, transactionId: context.query.transactionId });
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
    a.lastOutcomeAt !== b.lastOutcomeAt ||
    a.settle !== b.settle
  );
}

/**
 * What a subscriber can see of a watch, kept small so a long-lived watch need not hold its last
 * {@link OrderWatch}: compared field by field with the rule of {@link watchChanged}.
 *
 * @example
 * ```ts
 * if (last === undefined || !signatureMatches(last, value, context)) {
 *   last = writeSignature(last, value, context);
 *   emit(toOrderWatch(value, context));
 * }
 * ```
 */
export interface WatchSignature {
  readonly tradeState: OrderWatch['tradeState'];
  readonly end: WatchEnd | undefined;
  readonly attempts: number;
  readonly anomalyCount: number;
  readonly lastAnomaly: Anomaly | undefined;
  readonly error: OrderWatch['error'];
  readonly lastOutcomeAt: number | undefined;
  readonly settle: OrderContext['settle'];
}

/** What a subscriber sees of the end and the error, as {@link toOrderWatch} shows them. */
function visibleEndAndError(value: StateValue, context: OrderContext) {
  const end = endOf(stateNameOf(value));
  const error = end === undefined || end === 'ERROR' || end === 'DEADLINE' ? context.error : undefined;
  return { end, error };
}

/**
 * Whether a snapshot shows a subscriber exactly what `signature` recorded ({@link watchChanged}'s rule).
 *
 * @example
 * ```ts
 * if (!signatureMatches(entry.last, value, context)) emit(toOrderWatch(value, context));
 * ```
 */
export function signatureMatches(signature: WatchSignature, value: StateValue, context: OrderContext): boolean {
  const { anomalies } = context;
  if (
    signature.tradeState !== context.tradeState ||
    signature.attempts !== context.attempts ||
    signature.anomalyCount !== anomalies.length ||
    signature.lastAnomaly !== anomalies[anomalies.length - 1] ||
    signature.lastOutcomeAt !== context.lastOutcomeAt ||
    signature.settle !== context.settle
  ) {
    return false;
  }
  const { end, error } = visibleEndAndError(value, context);
  return signature.end === end && signature.error === error;
}

/**
 * Records what a snapshot shows into `target` (a signature owned by the caller, updated in place so a
 * long-lived watch allocates nothing per poll), or into a new signature when `target` is `undefined`.
 *
 * @example
 * ```ts
 * entry.last = writeSignature(entry.last, value, context);
 * ```
 */
export function writeSignature(
  target: WatchSignature | undefined,
  value: StateValue,
  context: OrderContext,
): WatchSignature {
  const { end, error } = visibleEndAndError(value, context);
  const { anomalies } = context;
  const signature = (target ?? {}) as { -readonly [K in keyof WatchSignature]: WatchSignature[K] };
  signature.tradeState = context.tradeState;
  signature.end = end;
  signature.attempts = context.attempts;
  signature.anomalyCount = anomalies.length;
  signature.lastAnomaly = anomalies[anomalies.length - 1];
  signature.error = error;
  signature.lastOutcomeAt = context.lastOutcomeAt;
  signature.settle = context.settle;
  return signature;
}
