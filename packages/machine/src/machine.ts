import { TRADE_STATES, type TradeState } from '@tradestate/protocol';
import { and, assign, not, setup } from 'xstate';
import type { QueryActorInput, WaitActorInput } from './actors.ts';
import { systemQueryActor, systemWaitActor } from './actors.ts';
import { bindingMismatch, merchantOf } from './binding.ts';
import { sameStoredOrder } from './outcome.ts';
import { ACTIVE_STATES, classifyOutcome, type OrderStateName, type OutcomeClass, stateFor } from './transitions.ts';
import type {
  Anomaly,
  OrderContext,
  OrderEvent,
  OrderMachineInput,
  OrderMachineOutput,
  WatchEnd,
  WatchOutcome,
} from './types.ts';

/** Anomalies are kept for the operator, bounded so a misbehaving peer cannot grow a snapshot without limit. */
const MAX_ANOMALIES = 20;
const DEFAULT_NOT_FOUND_GRACE_MS = 30_000;
/** Every watch starts with this one empty list: anomalies are rare, and recording one copies the list. */
const NO_ANOMALIES: readonly Anomaly[] = Object.freeze([]);
/**
 * A query brought forward (by an unverifiable notification, or one that failed the binding) starts no sooner than
 * this after the previous one started: a flood of forged notifications costs at most one query a second.
 */
export const ASK_GAP_MS = 1000;

/** The outcome an event carries, if any: answers and notifications are judged by the same rules. */
function outcomeOf(event: OrderEvent): WatchOutcome | undefined {
  switch (event.type) {
    case 'ANSWER':
    case 'NOTIFY':
      return event.outcome;
    case 'QUERY_FAILED':
      return { kind: 'error', ...event.error };
    default:
      return undefined;
  }
}

function sourceOf(event: OrderEvent): 'poll' | 'notification' {
  return event.type === 'NOTIFY' ? 'notification' : 'poll';
}

/** The context is the binding: it carries `expect` and the merchant the polls showed. */
function classOf(context: OrderContext, event: OrderEvent): OutcomeClass | undefined {
  const outcome = outcomeOf(event);
  return outcome === undefined
    ? undefined
    : classifyOutcome(outcome, context.tradeState, context.query, context, sourceOf(event));
}

/** The field by which the event's order fails the binding, if it does. */
function mismatchOf(context: OrderContext, event: OrderEvent): string | undefined {
  const outcome = outcomeOf(event);
  if (outcome?.kind !== 'order') return undefined;
  const claimed = typeof outcome.tradeState === 'string' ? outcome.tradeState : undefined;
  return bindingMismatch(outcome.order, claimed, context, sourceOf(event));
}

function eventTime(event: OrderEvent): number {
  return event.at;
}

/** When a query asked for at `at` may start: now, but no sooner than {@link ASK_GAP_MS} after the previous one. */
function askAt(context: OrderContext, at: number): number {
  return context.lastQueryAt === undefined ? at : Math.max(at, context.lastQueryAt + ASK_GAP_MS);
}

/** Whether a query asked for at `at` would come sooner than the one planned, and before the deadline. */
function asksSooner(context: OrderContext, at: number): boolean {
  const when = askAt(context, at);
  return context.dueAt !== null && when < context.dueAt && when < context.deadlineAt;
}

/** What an `assign` of the machine is given. */
interface AssignArgs {
  readonly context: OrderContext;
  readonly event: OrderEvent;
}

/**
 * The machine's context updates, each the body of one `assign` action. They live in a table so the watch
 * engine's step cache (`pure-step.ts`) applies exactly the same functions xstate does.
 *
 * @example
 * ```ts
 * const context = { ...snapshot.context, ...ORDER_ASSIGNMENTS.countAttempt({ context: snapshot.context, event }) };
 * ```
 * @internal
 */
export const ORDER_ASSIGNMENTS = {
  countAttempt: ({ context, event }: AssignArgs): Partial<OrderContext> => ({
    attempts: context.attempts + 1,
    lastQueryAt: eventTime(event),
  }),
  recordOrder: ({ context, event }: AssignArgs): Partial<OrderContext> => {
    const outcome = outcomeOf(event);
    if (outcome?.kind !== 'order' || typeof outcome.tradeState !== 'string') return {};
    return {
      tradeState: outcome.tradeState,
      order: sameStoredOrder(context.order, outcome.order) ? context.order : outcome.order,
      lastOutcomeAt: eventTime(event),
      notFoundSince: undefined,
      consecutiveErrors: 0,
      error: undefined,
      // Only a verified poll answer (the client bound it to its merchant) teaches the watch its merchant.
      merchant: context.merchant ?? (event.type === 'ANSWER' ? merchantOf(outcome.order) : undefined),
    };
  },
  /** A poll answer that fails the binding: the end `ERROR`, with the order WeChat described kept for the operator. */
  recordMismatch: ({ context, event }: AssignArgs): Partial<OrderContext> => {
    const outcome = outcomeOf(event);
    const field = mismatchOf(context, event);
    if (outcome?.kind !== 'order' || field === undefined) return {};
    return {
      order: outcome.order,
      error: {
        code: 'MISMATCH',
        message: `the answer's ${field} is not what this watch is bound to (its expect, or its merchant)`,
        retryable: false,
        field,
      },
    };
  },
  recordNotFound: ({ context, event }: AssignArgs): Partial<OrderContext> => ({
    notFoundSince: context.notFoundSince ?? eventTime(event),
    lastOutcomeAt: eventTime(event),
    consecutiveErrors: 0,
    error: undefined,
  }),
  recordError: ({ context, event }: AssignArgs): Partial<OrderContext> => {
    const outcome = outcomeOf(event);
    if (outcome?.kind !== 'error') return {};
    return {
      error: { code: outcome.code, message: outcome.message, retryable: outcome.retryable },
      consecutiveErrors: context.consecutiveErrors + 1,
    };
  },
  recordAnomaly: ({ context, event }: AssignArgs): Partial<OrderContext> => {
    const outcome = outcomeOf(event);
    const kind = classOf(context, event);
    if (outcome === undefined || kind === undefined) return {};
    if (
      kind !== 'backwards' &&
      kind !== 'unknown-trade-state' &&
      kind !== 'foreign-order' &&
      kind !== 'not-found-after-order' &&
      kind !== 'mismatch'
    ) {
      return {};
    }
    const to =
      outcome.kind === 'order'
        ? typeof outcome.tradeState === 'string'
          ? outcome.tradeState
          : outcome.tradeState.unknown
        : outcome.kind === 'not-found'
          ? 'ORDERNOTEXIST'
          : undefined;
    const base = { kind, source: sourceOf(event), at: eventTime(event), from: context.tradeState, to };
    const anomaly: Anomaly = kind === 'mismatch' ? { ...base, field: mismatchOf(context, event) } : base;
    return { anomalies: [...context.anomalies, anomaly].slice(-MAX_ANOMALIES) };
  },
  /** A reason to ask: the next query comes at once, or as soon as the gap after the previous one allows. */
  bringForward: ({ context, event }: AssignArgs): Partial<OrderContext> => ({ dueAt: askAt(context, event.at) }),
  /** The next due time comes with the answer: the driver asked the schedule, the machine stays pure. */
  planNext: ({ event }: AssignArgs): Partial<OrderContext> => {
    if (event.type !== 'ANSWER' && event.type !== 'QUERY_FAILED') return {};
    return { dueAt: event.nextDelayMs === null ? null : event.at + Math.max(0, event.nextDelayMs) };
  },
} as const;

const orderSetup = setup({
  types: {
    context: {} as OrderContext,
    events: {} as OrderEvent,
    input: {} as OrderMachineInput,
    output: {} as OrderMachineOutput,
  },
  actors: {
    wait: systemWaitActor,
    queryOrder: systemQueryActor,
  },
  guards: {
    /** The outcome moves the watch forward to exactly this trade state. */
    movesTo: ({ context, event }, params: { tradeState: TradeState }) => {
      const outcome = outcomeOf(event);
      return (
        outcome?.kind === 'order' && outcome.tradeState === params.tradeState && classOf(context, event) === 'forward'
      );
    },
    outcomeIs: ({ context, event }, params: { classes: readonly OutcomeClass[] }) => {
      const c = classOf(context, event);
      return c !== undefined && params.classes.includes(c);
    },
    notFoundGraceOver: ({ context, event }) =>
      classOf(context, event) === 'not-found' &&
      eventTime(event) - (context.notFoundSince ?? eventTime(event)) >= context.notFoundGraceMs,
    followsRefunds: ({ context }) => context.followRefunds,
    deadlineReached: ({ context, event }) => eventTime(event) >= context.deadlineAt,
    isDue: ({ context, event }) => context.dueAt !== null && eventTime(event) >= context.dueAt,
    scheduleGaveUp: ({ context }) => context.dueAt === null,
    /** The watch could not start (its schedule refused a first delay): the reason is a fatal error in context. */
    startFailed: ({ context }) => context.dueAt === null && context.error !== undefined && !context.error.retryable,
    /** A query asked for now may start now (the gap since the previous one has passed) and is sooner than planned. */
    askNow: ({ context, event }) =>
      askAt(context, eventTime(event)) <= eventTime(event) && asksSooner(context, eventTime(event)),
    /** A query asked for now must wait for the gap, but still comes sooner than planned. */
    askSooner: ({ context, event }) =>
      askAt(context, eventTime(event)) > eventTime(event) && asksSooner(context, eventTime(event)),
  },
  actions: {
    countAttempt: assign(ORDER_ASSIGNMENTS.countAttempt),
    recordOrder: assign(ORDER_ASSIGNMENTS.recordOrder),
    recordNotFound: assign(ORDER_ASSIGNMENTS.recordNotFound),
    recordError: assign(ORDER_ASSIGNMENTS.recordError),
    recordAnomaly: assign(ORDER_ASSIGNMENTS.recordAnomaly),
    recordMismatch: assign(ORDER_ASSIGNMENTS.recordMismatch),
    planNext: assign(ORDER_ASSIGNMENTS.planNext),
    bringForward: assign(ORDER_ASSIGNMENTS.bringForward),
  },
});

type Setup = typeof orderSetup;
type MachineConfig = Parameters<Setup['createMachine']>[0];
type StateConfig = NonNullable<MachineConfig['states']>[string];
type Transitions = NonNullable<StateConfig['on']>['ANSWER'];

const ERRORS_THAT_WAIT: readonly OutcomeClass[] = ['retryable-error'];
const ANOMALIES: readonly OutcomeClass[] = [
  'backwards',
  'unknown-trade-state',
  'foreign-order',
  'not-found-after-order',
  'mismatch',
];
const MISMATCH = { type: 'outcomeIs', params: { classes: ['mismatch'] } } as const;

/** One guarded transition per trade state a forward answer can lead to: the table of `transitions.ts`. */
function forwardTransitions(withPlan: boolean): Transitions {
  return TRADE_STATES.flatMap((tradeState): object[] => {
    const to = (follow: boolean) => {
      const node = stateFor(tradeState, follow);
      const active = (ACTIVE_STATES as readonly string[]).includes(node);
      return {
        target: `#order.${node}`,
        actions: withPlan && active ? (['recordOrder', 'planNext'] as const) : (['recordOrder'] as const),
      };
    };
    const moves = { type: 'movesTo', params: { tradeState } } as const;
    return tradeState === 'SUCCESS'
      ? [
          { guard: and([moves, 'followsRefunds']), ...to(true) },
          { guard: and([moves, not('followsRefunds')]), ...to(false) },
        ]
      : [{ guard: moves, ...to(false) }];
  }) as Transitions;
}

/** What a poll answer (or failure) does in `querying`: forward, end, or back to `waiting` with the next due time. */
function answerTransitions(): Transitions {
  return [
    // A poll answer that fails the binding is a misconfiguration or another merchant's order: asking again cannot fix it.
    { guard: MISMATCH, target: '#order.ERROR', actions: 'recordMismatch' },
    ...(forwardTransitions(true) as object[]),
    {
      guard: { type: 'outcomeIs', params: { classes: ['fatal-error'] } },
      target: '#order.ERROR',
      actions: 'recordError',
    },
    { guard: 'notFoundGraceOver', target: '#order.NOT_FOUND', actions: 'recordNotFound' },
    {
      guard: { type: 'outcomeIs', params: { classes: ['duplicate'] } },
      target: 'waiting',
      actions: ['recordOrder', 'planNext'],
    },
    {
      guard: { type: 'outcomeIs', params: { classes: ['not-found'] } },
      target: 'waiting',
      actions: ['recordNotFound', 'planNext'],
    },
    {
      guard: { type: 'outcomeIs', params: { classes: ERRORS_THAT_WAIT } },
      target: 'waiting',
      actions: ['recordError', 'planNext'],
    },
    {
      guard: { type: 'outcomeIs', params: { classes: ANOMALIES } },
      target: 'waiting',
      actions: ['recordAnomaly', 'planNext'],
    },
  ] as Transitions;
}

/** What a notification does in any watching state: the same guards; a duplicate or a non-order outcome is a no-op. */
function notifyTransitions(): Transitions {
  return [
    ...(forwardTransitions(false) as object[]),
    { guard: { type: 'outcomeIs', params: { classes: ANOMALIES } }, actions: 'recordAnomaly' },
  ] as Transitions;
}

/**
 * While waiting, a reason to ask (an `ASK`, or a notification that failed the binding: not believed, but a sign
 * the order may have moved) brings the next query forward: to now, or, within {@link ASK_GAP_MS} of the previous
 * query, to the end of that gap (re-entering `waiting`, so the wait restarts with the new due time). Otherwise
 * (a query is due sooner anyway) the event falls through to the watching state's own transitions.
 */
function askTransitions(extraActions: readonly string[], guard?: typeof MISMATCH): Transitions {
  const when = (timing: 'askNow' | 'askSooner') => (guard === undefined ? timing : and([guard, timing]));
  return [
    { guard: when('askNow'), target: 'querying', actions: [...extraActions] },
    { guard: when('askSooner'), target: 'waiting', reenter: true, actions: [...extraActions, 'bringForward'] },
  ] as Transitions;
}

/** A watching state: wait until due, query, judge the answer. `live` adds the invoked actors that drive it. */
function watchingState(name: (typeof ACTIVE_STATES)[number], live: boolean): StateConfig {
  const timeUp: WatchEnd = name === 'PAID' ? 'SUCCESS' : 'DEADLINE';
  return {
    initial: 'waiting',
    on: {
      NOTIFY: notifyTransitions(),
      CANCEL: { target: '#order.CANCELLED' },
    },
    states: {
      waiting: {
        always: [
          { guard: 'startFailed', target: '#order.ERROR' },
          { guard: 'scheduleGaveUp', target: `#order.${timeUp}` },
        ],
        ...(live
          ? {
              invoke: {
                src: 'wait',
                input: ({ context }): WaitActorInput => ({
                  dueAt: context.dueAt ?? context.deadlineAt,
                  deadlineAt: context.deadlineAt,
                }),
              },
            }
          : {}),
        on: {
          DUE: [
            { guard: 'deadlineReached', target: `#order.${timeUp}` },
            { guard: 'isDue', target: 'querying' },
          ],
          NOTIFY: askTransitions(['recordAnomaly'], MISMATCH),
          ASK: askTransitions([]),
        },
      },
      querying: {
        entry: 'countAttempt',
        ...(live
          ? {
              invoke: {
                src: 'queryOrder',
                input: ({ context }): QueryActorInput => ({
                  query: context.query,
                  attempt: context.attempts,
                  consecutiveErrors: context.consecutiveErrors,
                  tradeState: context.tradeState,
                  startedAt: context.startedAt,
                  deadlineAt: context.deadlineAt,
                }),
              },
            }
          : {}),
        on: { ANSWER: answerTransitions(), QUERY_FAILED: answerTransitions() },
      },
    },
  } as StateConfig;
}

function endState(end: WatchEnd): StateConfig {
  return {
    type: 'final',
    output: ({ context }: { context: OrderContext }): OrderMachineOutput => ({
      end,
      tradeState: context.tradeState,
      order: context.order,
      attempts: context.attempts,
      anomalies: context.anomalies,
      error: end === 'ERROR' || end === 'DEADLINE' ? context.error : undefined,
    }),
  } as StateConfig;
}

/**
 * The machine's context when a watch starts: its own factory, shared with the engine's step cache.
 *
 * @example
 * ```ts
 * initialOrderContext({ query: { outTradeNo: 'A1' }, startedAt: 0, deadlineAt: 60_000 }).attempts; // 0
 * ```
 * @internal
 */
export function initialOrderContext(input: OrderMachineInput): OrderContext {
  const { failure } = input;
  return {
    query: input.query,
    startedAt: input.startedAt,
    deadlineAt: input.deadlineAt,
    dueAt: failure !== undefined ? null : input.firstQueryAt === undefined ? input.startedAt : input.firstQueryAt,
    notFoundGraceMs: input.notFoundGraceMs ?? DEFAULT_NOT_FOUND_GRACE_MS,
    followRefunds: input.followRefunds ?? false,
    attempts: 0,
    consecutiveErrors: 0,
    tradeState: undefined,
    order: undefined,
    notFoundSince: undefined,
    lastOutcomeAt: undefined,
    anomalies: NO_ANOMALIES,
    error: failure === undefined ? undefined : { ...failure, retryable: false },
    expect: input.expect,
    merchant: input.merchant,
    lastQueryAt: undefined,
  };
}

function machineConfig(live: boolean): MachineConfig {
  const states: Record<OrderStateName, StateConfig> = {
    UNKNOWN: watchingState('UNKNOWN', live),
    NOTPAY: watchingState('NOTPAY', live),
    USERPAYING: watchingState('USERPAYING', live),
    ACCEPT: watchingState('ACCEPT', live),
    PAID: watchingState('PAID', live),
    SUCCESS: endState('SUCCESS'),
    REFUND: endState('REFUND'),
    CLOSED: endState('CLOSED'),
    REVOKED: endState('REVOKED'),
    PAYERROR: endState('PAYERROR'),
    NOT_FOUND: endState('NOT_FOUND'),
    DEADLINE: endState('DEADLINE'),
    ERROR: endState('ERROR'),
    CANCELLED: endState('CANCELLED'),
  };
  return {
    id: 'order',
    initial: 'UNKNOWN',
    context: ({ input }) => initialOrderContext(input),
    states,
    // xstate hands the root the completed final state's own output in a done-state event.
    output: ({ event }: { event: { output?: OrderMachineOutput } }) => event.output,
  } as MachineConfig;
}

/**
 * The trade_state machine of one WeChat Pay order. Top-level states are named after `trade_state`
 * (`NOTPAY`, `USERPAYING`, `ACCEPT`; finals `SUCCESS`, `REFUND`, `CLOSED`, `REVOKED`, `PAYERROR`), plus
 * `UNKNOWN` (nothing verified yet), `PAID` (SUCCESS while following refunds) and the lifecycle ends
 * `NOT_FOUND`, `DEADLINE`, `ERROR`, `CANCELLED`. Each watching state has the substates `waiting` (an invoked
 * `wait` actor until `context.dueAt`) and `querying` (an invoked `queryOrder` actor). Moves are forward-only
 * ({@link TRADE_STATE_RANK}); a stale answer is an anomaly in context. Because the wait is an invoked actor
 * with its due time in context (not an `after` delay), a persisted snapshot resumes where it stopped.
 *
 * The definition holds no client: bind one to a running actor's system with `bindWatchDependencies` (what
 * `watchOrder` does: one shared definition for every watch), or make a machine with its own via
 * {@link createOrderMachine}, or provide your own `queryOrder` and `wait` actors with `orderMachine.provide`.
 *
 * @example
 * ```ts
 * import { createActor } from 'xstate';
 * const machine = createOrderMachine({ client, schedule: schedules.native });
 * const now = Date.now();
 * const actor = createActor(machine, { input: { query: { outTradeNo: 'A1' }, startedAt: now, deadlineAt: now + 60_000 } });
 * actor.subscribe((s) => console.log(s.value));
 * actor.start();
 * const saved = actor.getPersistedSnapshot(); // later: createActor(machine, { snapshot: saved }).start()
 * ```
 */
export const orderMachine = orderSetup.createMachine(machineConfig(true));

/**
 * The same states, guards and actions as {@link orderMachine} without the invoked actors: a pure description
 * advanced with xstate's `initialTransition`/`transition` by a driver that sends `DUE`, `ANSWER`,
 * `QUERY_FAILED`, `NOTIFY` and `CANCEL` itself. `watchOrders` uses it so that thousands of watches cost a
 * snapshot each, not a live actor.
 *
 * @example
 * ```ts
 * import { initialTransition, transition } from 'xstate';
 * let [s] = initialTransition(pureOrderMachine, { query: { outTradeNo: 'A1' }, startedAt: 0, deadlineAt: 60_000 });
 * [s] = transition(pureOrderMachine, s, { type: 'DUE', at: 0 });
 * s.matches({ UNKNOWN: 'querying' }); // true
 * ```
 */
export const pureOrderMachine = orderSetup.createMachine(machineConfig(false));

/**
 * The snapshot type of {@link orderMachine} and {@link pureOrderMachine}.
 *
 * @example
 * ```ts
 * const s: OrderSnapshot = actor.getSnapshot();
 * ```
 */
export type OrderSnapshot = ReturnType<typeof orderMachine.getInitialSnapshot>;
