import { TRADE_STATES, type TradeState } from '@tradestate/protocol';
import { and, assign, not, setup } from 'xstate';
import { DEFAULT_SETTLE_TIMING, type SettleTiming } from '../engine/settle.ts';
import type { QueryActorInput, SettleActorInput, WaitActorInput } from './actors.ts';
import { systemQueryActor, systemSettleActor, systemWaitActor } from './actors.ts';
import { bindingMismatch, merchantOf } from './binding.ts';
import { sameStoredOrder } from './stored-order.ts';
import { ACTIVE_STATES, classifyOutcome, type OrderStateName, type OutcomeClass, stateFor } from './transitions.ts';
import type {
  Anomaly,
  OrderContext,
  OrderEvent,
  OrderMachineInput,
  OrderMachineOutput,
  SettleProgress,
  WatchEnd,
  WatchError,
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
    case 'SETTLED':
      return event.result.kind === 'error' ? { kind: 'error', ...event.result.error } : undefined;
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

function settles(context: OrderContext): boolean {
  return context.atDeadline === 'close' || context.atDeadline === 'reverse';
}

function timingOf(context: OrderContext): SettleTiming {
  return context.settleTiming ?? DEFAULT_SETTLE_TIMING;
}

/** The settling progress of a watch in `SETTLING` (set by `beginSettle` on the way in). */
function progressOf(context: OrderContext): SettleProgress {
  return context.settle ?? { action: 'close', next: 'call', dueAt: 0, calls: 0, recalls: 0, failures: 0, callBy: 0 };
}

/** An event's time; xstate's own start event (`xstate.init`) has none: the watch's start stands in. */
function timeOf(context: OrderContext, event: OrderEvent): number {
  return typeof event.at === 'number' ? event.at : context.startedAt;
}

/** The pause before settling's next try after `failures` retryable failures in a row: doubling, capped. */
function retryPause(timing: SettleTiming, failures: number): number {
  return Math.min(timing.maxRetryMs, timing.retryMs * 2 ** failures);
}

/** Settling retried as often as it may: `ERROR` with this unless a real error says more. */
function unconfirmed(context: OrderContext): WatchError {
  const { action, calls } = progressOf(context);
  return {
    code: 'SETTLE_UNCONFIRMED',
    message: `no verified answer confirmed the ${action} after ${calls} call(s)`,
    retryable: false,
  };
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
    const { kind: _, ...error } = outcome;
    return {
      error,
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
  /** The deadline passed without a final state: settling starts, a close no sooner than WeChat's rule allows. */
  beginSettle: ({ context, event }: AssignArgs): Partial<OrderContext> => {
    const at = timeOf(context, event);
    const action = context.atDeadline === 'reverse' ? 'reverse' : 'close';
    const notBefore = (context.createdAt ?? context.startedAt) + timingOf(context).closeAfterMs;
    const dueAt = action === 'close' ? Math.max(at, notBefore) : at;
    return { settle: { action, next: 'call', dueAt, calls: 0, recalls: 0, failures: 0, callBy: dueAt } };
  },
  /** A close or reverse is sent: counted (and persisted) before it leaves, so a restart never sends it blind. */
  startSettleCall: ({ context, event }: AssignArgs): Partial<OrderContext> => {
    const settle = progressOf(context);
    const at = timeOf(context, event);
    return { settle: { ...settle, calls: settle.calls + 1, callBy: at + timingOf(context).callTimeoutMs } };
  },
  /** A verified query confirms what settling did. */
  startConfirm: ({ context, event }: AssignArgs): Partial<OrderContext> => {
    const settle = progressOf(context);
    const at = timeOf(context, event);
    return {
      attempts: context.attempts + 1,
      lastQueryAt: at,
      settle: { ...settle, next: 'confirm', callBy: at + timingOf(context).callTimeoutMs },
    };
  },
  /** Reverse answered `recall: 'Y'`: call it again after WeChat's pause. */
  planRecall: ({ context, event }: AssignArgs): Partial<OrderContext> => {
    const settle = progressOf(context);
    const dueAt = timeOf(context, event) + timingOf(context).recallPauseMs;
    return { settle: { ...settle, next: 'call', recalls: settle.recalls + 1, dueAt } };
  },
  /** The call failed retryably, or the confirming query found the order still open: call again after a pause. */
  planCallAgain: ({ context, event }: AssignArgs): Partial<OrderContext> => {
    const settle = progressOf(context);
    const dueAt = timeOf(context, event) + retryPause(timingOf(context), settle.failures);
    return { settle: { ...settle, next: 'call', failures: settle.failures + 1, dueAt } };
  },
  /** The confirming query failed retryably (or said something not believed): ask again after a pause. */
  planConfirmAgain: ({ context, event }: AssignArgs): Partial<OrderContext> => {
    const settle = progressOf(context);
    const dueAt = timeOf(context, event) + retryPause(timingOf(context), settle.failures);
    return { settle: { ...settle, next: 'confirm', failures: settle.failures + 1, dueAt } };
  },
  /** Reverse kept answering `recall: 'Y'`. */
  recordRecallLimit: ({ context }: AssignArgs): Partial<OrderContext> => ({
    error: {
      code: 'RECALL_LIMIT',
      message: `reverse still answered recall=Y after ${progressOf(context).recalls} more call(s)`,
      retryable: false,
    },
  }),
  /** Settling gave up without a verified end; a real error of the last step says more, and stays. */
  recordUnconfirmed: ({ context, event }: AssignArgs): Partial<OrderContext> =>
    outcomeOf(event)?.kind === 'error' ? {} : { error: unconfirmed(context) },
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
    settleOrder: systemSettleActor,
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
    /** The watch settles at its deadline (`atDeadline` close or reverse). */
    settles: ({ context }) => settles(context),
    /** One named guard, not `and(…)`: the engine's step cache reads eventless guards by name. */
    gaveUpToSettle: ({ context }) => context.dueAt === null && settles(context),
    settleDue: ({ context, event }) => eventTime(event) >= progressOf(context).dueAt,
    settleNext: ({ context }, params: { next: SettleProgress['next'] }) => progressOf(context).next === params.next,
    settledIs: ({ event }, params: { kinds: readonly string[] }) =>
      event.type === 'SETTLED' && params.kinds.includes(event.result.kind),
    settledRetryably: ({ event }) =>
      event.type === 'SETTLED' && event.result.kind === 'error' && event.result.error.retryable,
    recallsLeft: ({ context }) => progressOf(context).recalls < timingOf(context).maxRecalls,
    settleTriesLeft: ({ context }) => progressOf(context).failures + 1 < timingOf(context).maxAttempts,
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
    beginSettle: assign(ORDER_ASSIGNMENTS.beginSettle),
    startSettleCall: assign(ORDER_ASSIGNMENTS.startSettleCall),
    startConfirm: assign(ORDER_ASSIGNMENTS.startConfirm),
    planRecall: assign(ORDER_ASSIGNMENTS.planRecall),
    planCallAgain: assign(ORDER_ASSIGNMENTS.planCallAgain),
    planConfirmAgain: assign(ORDER_ASSIGNMENTS.planConfirmAgain),
    recordRecallLimit: assign(ORDER_ASSIGNMENTS.recordRecallLimit),
    recordUnconfirmed: assign(ORDER_ASSIGNMENTS.recordUnconfirmed),
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

/** What the live actor's query is started with: the watch's own query, under `deadlineAt`. */
function queryInput(context: OrderContext, deadlineAt: number): QueryActorInput {
  return {
    query: context.query,
    attempt: context.attempts,
    consecutiveErrors: context.consecutiveErrors,
    tradeState: context.tradeState,
    startedAt: context.startedAt,
    deadlineAt,
  };
}

/** A watching state: wait until due, query, judge the answer. `live` adds the invoked actors that drive it. */
function watchingState(name: (typeof ACTIVE_STATES)[number], live: boolean): StateConfig {
  const timeUp: WatchEnd = name === 'PAID' ? 'SUCCESS' : 'DEADLINE';
  // A paid order is not settled: its time up is SUCCESS. Any other settles first when the watch says so.
  const settleFirst = (when: 'deadlineReached' | 'scheduleGaveUp'): object[] => {
    if (name === 'PAID') return [];
    const guard = when === 'scheduleGaveUp' ? 'gaveUpToSettle' : and([when, 'settles']);
    return [{ guard, target: '#order.SETTLING', actions: 'beginSettle' }];
  };
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
          ...settleFirst('scheduleGaveUp'),
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
            ...settleFirst('deadlineReached'),
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
                input: ({ context }): QueryActorInput => queryInput(context, context.deadlineAt),
              },
            }
          : {}),
        on: { ANSWER: answerTransitions(), QUERY_FAILED: answerTransitions() },
      },
    },
  } as StateConfig;
}

/** The trade states a confirming query (or a notification) may end settling with. */
const SETTLED_STATES = ['SUCCESS', 'REFUND', 'CLOSED', 'REVOKED', 'PAYERROR'] as const;
const STILL_OPEN: readonly OutcomeClass[] = ['forward', 'duplicate'];
const RETRY_CONFIRM: readonly OutcomeClass[] = ['retryable-error', ...ANOMALIES];

/** A verified answer or notification that ends settling: the final trade state it shows (SUCCESS even when following refunds). */
function settledEnds(actions: readonly string[]): object[] {
  return SETTLED_STATES.map((tradeState) => ({
    guard: { type: 'movesTo', params: { tradeState } },
    target: `#order.${tradeState}`,
    actions: [...actions],
  }));
}

/**
 * `SETTLING`: the deadline passed (or the schedule gave up) without a final state, and the watch closes or
 * reverses the order, then confirms with a verified query. `waiting` until the next step is due (the 5-minute
 * rule, a recall's pause, a retry's backoff), `calling` close or reverse, `confirming` with a query. A
 * notification that shows a final state ends it at once; nothing unverified ever does.
 */
function settlingState(live: boolean): StateConfig {
  const answer = [
    { guard: MISMATCH, target: '#order.ERROR', actions: 'recordMismatch' },
    ...settledEnds(['recordOrder']),
    {
      guard: { type: 'outcomeIs', params: { classes: ['fatal-error'] } },
      target: '#order.ERROR',
      actions: 'recordError',
    },
    {
      guard: { type: 'outcomeIs', params: { classes: ['not-found'] } },
      target: '#order.NOT_FOUND',
      actions: 'recordNotFound',
    },
    {
      guard: and([{ type: 'outcomeIs', params: { classes: STILL_OPEN } }, 'settleTriesLeft']),
      target: 'waiting',
      actions: ['recordOrder', 'planCallAgain'],
    },
    {
      guard: { type: 'outcomeIs', params: { classes: STILL_OPEN } },
      target: '#order.ERROR',
      actions: ['recordOrder', 'recordUnconfirmed'],
    },
    {
      guard: and([{ type: 'outcomeIs', params: { classes: RETRY_CONFIRM } }, 'settleTriesLeft']),
      target: 'waiting',
      actions: ['recordError', 'recordAnomaly', 'planConfirmAgain'],
    },
    {
      guard: { type: 'outcomeIs', params: { classes: RETRY_CONFIRM } },
      target: '#order.ERROR',
      actions: ['recordError', 'recordAnomaly', 'recordUnconfirmed'],
    },
  ];
  return {
    initial: 'waiting',
    on: {
      NOTIFY: [
        ...settledEnds(['recordOrder']),
        { guard: { type: 'outcomeIs', params: { classes: ['forward'] } }, actions: 'recordOrder' },
        { guard: { type: 'outcomeIs', params: { classes: ANOMALIES } }, actions: 'recordAnomaly' },
      ],
      CANCEL: { target: '#order.CANCELLED' },
    },
    states: {
      waiting: {
        ...(live
          ? {
              invoke: {
                src: 'wait',
                input: ({ context }): WaitActorInput => {
                  const { dueAt } = progressOf(context);
                  return { dueAt, deadlineAt: dueAt };
                },
              },
            }
          : {}),
        on: {
          DUE: [
            { guard: and(['settleDue', { type: 'settleNext', params: { next: 'call' } }]), target: 'calling' },
            { guard: 'settleDue', target: 'confirming' },
          ],
        },
      },
      calling: {
        entry: 'startSettleCall',
        ...(live
          ? {
              invoke: {
                src: 'settleOrder',
                input: ({ context }): SettleActorInput => {
                  const { action, callBy } = progressOf(context);
                  return { query: context.query, action, callBy };
                },
              },
            }
          : {}),
        on: {
          SETTLED: [
            { guard: { type: 'settledIs', params: { kinds: ['done', 'paid'] } }, target: 'confirming' },
            {
              guard: and([{ type: 'settledIs', params: { kinds: ['recall'] } }, 'recallsLeft']),
              target: 'waiting',
              actions: 'planRecall',
            },
            {
              guard: { type: 'settledIs', params: { kinds: ['recall'] } },
              target: '#order.ERROR',
              actions: 'recordRecallLimit',
            },
            {
              guard: and(['settledRetryably', 'settleTriesLeft']),
              target: 'waiting',
              actions: ['recordError', 'planCallAgain'],
            },
            {
              guard: { type: 'settledIs', params: { kinds: ['error'] } },
              target: '#order.ERROR',
              actions: 'recordError',
            },
          ],
          // The call's answer was lost with the process that sent it: a query decides, never a blind second call.
          SETTLE_LOST: { target: 'confirming' },
        },
      },
      confirming: {
        entry: 'startConfirm',
        ...(live
          ? {
              invoke: {
                src: 'queryOrder',
                input: ({ context }): QueryActorInput => queryInput(context, progressOf(context).callBy),
              },
            }
          : {}),
        on: { ANSWER: answer, QUERY_FAILED: answer },
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
    ...settleContext(input),
  };
}

/** Settling's part of the context: nothing at all for a watch that does not settle (most of them, in a fleet). */
function settleContext(input: OrderMachineInput): Partial<OrderContext> {
  const { atDeadline } = input;
  if (atDeadline === undefined || atDeadline === 'none') return {};
  const timing =
    input.settleTiming === undefined ? DEFAULT_SETTLE_TIMING : { ...DEFAULT_SETTLE_TIMING, ...input.settleTiming };
  return { atDeadline, createdAt: input.createdAt ?? input.startedAt, settleTiming: timing };
}

function machineConfig(live: boolean): MachineConfig {
  const states: Record<OrderStateName, StateConfig> = {
    UNKNOWN: watchingState('UNKNOWN', live),
    NOTPAY: watchingState('NOTPAY', live),
    USERPAYING: watchingState('USERPAYING', live),
    ACCEPT: watchingState('ACCEPT', live),
    PAID: watchingState('PAID', live),
    SETTLING: settlingState(live),
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
