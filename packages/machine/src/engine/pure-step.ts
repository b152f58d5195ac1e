// The one file that reads xstate internals (`snapshot._nodes`, an inert actor scope, `getTransitionData`): xstate
// is pinned to an exact version in package.json for it, and pure-step.test.ts holds `advance` equal to xstate's
// own `transition()` on seeded lives. Nothing else in the package may reach below xstate's public API.
import { type AnyActorScope, createActor, type StateValue } from 'xstate';
import { initialOrderContext, ORDER_ASSIGNMENTS, type OrderSnapshot, pureOrderMachine } from '../definition/machine.ts';
import type { OrderContext, OrderEvent, OrderMachineInput } from '../definition/types.ts';

/** Any valid input: the scope's own actor is never started, its snapshot never read. */
const INERT_INPUT: OrderMachineInput = { query: { outTradeNo: 'inert' }, startedAt: 0, deadlineAt: 0 };

/**
 * A watch's state between events: the snapshot's value and context, all the engine keeps.
 *
 * @example
 * ```ts
 * const state: OrderState = { value: { NOTPAY: 'waiting' }, context };
 * ```
 */
export interface OrderState {
  readonly value: StateValue;
  readonly context: OrderContext;
}

type StateNode = (typeof pureOrderMachine.root.states)[string];
type Transition = ReturnType<typeof pureOrderMachine.getTransitionData>[number];
type Assignment = (args: { readonly context: OrderContext; readonly event: OrderEvent }) => Partial<OrderContext>;
type Guard = (args: { readonly context: OrderContext; readonly event: OrderEvent }, params: unknown) => boolean;

/**
 * What a transition does, worked out once per source state and transition: the state value it leads to, the
 * `assign`s it runs in xstate's order (the transition's own, then the entered states' entry actions), and the
 * guards of the eventless transitions of the states it enters, which, if one holds, need xstate's full step.
 */
interface Plan {
  readonly value: StateValue;
  readonly assignments: readonly Assignment[];
  readonly eventless: readonly Guard[];
}

const UNSUPPORTED = Symbol('unsupported');

/** Keys of object state values: nearly every step's value is one of the plans' shared frozen objects. */
const valueKeys = new WeakMap<object, string>();

/** The key of a state value (`{ NOTPAY: 'waiting' }` → `NOTPAY.waiting`), built once per value object. */
function valueKey(value: StateValue): string {
  if (typeof value === 'string') return value;
  let key = valueKeys.get(value);
  if (key === undefined) {
    key = composeKey(value);
    valueKeys.set(value, key);
  }
  return key;
}

function composeKey(value: StateValue): string {
  if (typeof value === 'string') return value;
  let key = '';
  for (const name in value) {
    const child = value[name];
    key += `${key === '' ? '' : ','}${name}${child === undefined ? '' : `.${composeKey(child)}`}`;
  }
  return key;
}

function ancestorsAndSelf(node: StateNode): StateNode[] {
  const list: StateNode[] = [];
  for (let n: StateNode | undefined = node; n !== undefined; n = n.parent) list.push(n);
  return list;
}

/** The atomic state a target settles in, through each compound state's initial child. */
function initialLeaf(node: StateNode): StateNode | typeof UNSUPPORTED {
  let leaf = node;
  while (leaf.type === 'compound') {
    const next = leaf.initial?.target?.[0];
    if (next === undefined || leaf.initial.target.length !== 1 || leaf.initial.actions.length > 0) return UNSUPPORTED;
    leaf = next;
  }
  // A top-level final state ends the machine: no done event can lead anywhere else.
  const topLevelFinal = leaf.type === 'final' && leaf.parent?.parent === undefined;
  return leaf.type === 'atomic' || topLevelFinal ? leaf : UNSUPPORTED;
}

/** The value of the configuration whose only atomic state is `leaf` (no parallel states in this machine). */
function valueOfLeaf(leaf: StateNode): StateValue {
  const path = ancestorsAndSelf(leaf).reverse().slice(1);
  let value: StateValue = (path.at(-1) as StateNode).key;
  for (let i = path.length - 2; i >= 0; i--) value = { [(path[i] as StateNode).key]: value };
  return value;
}

function assignmentOf(action: unknown): Assignment | typeof UNSUPPORTED {
  const name = typeof action === 'string' ? action : undefined;
  if (name === undefined || !Object.hasOwn(ORDER_ASSIGNMENTS, name)) return UNSUPPORTED;
  return ORDER_ASSIGNMENTS[name as keyof typeof ORDER_ASSIGNMENTS] as Assignment;
}

function guardOf(transition: Transition): Guard | typeof UNSUPPORTED {
  const { guard } = transition;
  if (typeof guard !== 'string') return UNSUPPORTED;
  const implementation = (pureOrderMachine.implementations.guards as Record<string, unknown>)[guard];
  return typeof implementation === 'function' ? (implementation as Guard) : UNSUPPORTED;
}

/** The guards of the eventless transitions of `nodes`, when all are the machine's own named guards. */
function eventlessGuards(nodes: readonly StateNode[]): Guard[] | typeof UNSUPPORTED {
  const guards: Guard[] = [];
  for (const node of nodes) {
    for (const always of node.always ?? []) {
      const guard = guardOf(always);
      if (guard === UNSUPPORTED) return UNSUPPORTED;
      guards.push(guard);
    }
  }
  return guards;
}

/**
 * Works out a {@link Plan}, or `UNSUPPORTED` for whatever this cache does not reproduce (several transitions,
 * re-entering a state, a nested final or a history state, exit actions, an action that is not one of the
 * machine's `assign`s): those steps go through xstate's full `transition`, as every step once did. A plan
 * yields the value and context only; a top-level final state's `output` and `status` are xstate's to give
 * (the engine reads the end from the state's name).
 */
function planOf(source: OrderSnapshot, transitions: readonly Transition[]): Plan | typeof UNSUPPORTED {
  if (transitions.length !== 1) return UNSUPPORTED;
  const transition = transitions[0] as Transition;
  const sourceNodes = new Set<StateNode>(source._nodes as StateNode[]);
  const sourceLeaves = [...sourceNodes].filter((n) => n.type === 'atomic');
  if (sourceLeaves.length !== 1) return UNSUPPORTED;
  let leaf = sourceLeaves[0] as StateNode;
  const targets = transition.target as StateNode[] | undefined;
  if (targets !== undefined && targets.length > 0) {
    if (targets.length !== 1 || transition.reenter) return UNSUPPORTED;
    const target = targets[0] as StateNode;
    // A target that is already active (or an ancestor of the active state) has xstate's re-entry rules.
    if (sourceNodes.has(target)) return UNSUPPORTED;
    const next = initialLeaf(target);
    if (next === UNSUPPORTED) return UNSUPPORTED;
    leaf = next;
  }
  const targetNodes = ancestorsAndSelf(leaf);
  const exited = [...sourceNodes].filter((n) => !targetNodes.includes(n));
  const entered = targetNodes.filter((n) => !sourceNodes.has(n)).sort((a, b) => a.order - b.order);
  if (exited.some((n) => n.exit.length > 0)) return UNSUPPORTED;
  const actions = [...transition.actions, ...entered.flatMap((n) => n.entry)];
  const assignments: Assignment[] = [];
  for (const action of actions) {
    const assignment = assignmentOf(action);
    if (assignment === UNSUPPORTED) return UNSUPPORTED;
    assignments.push(assignment);
  }
  const eventless = eventlessGuards(targetNodes);
  if (eventless === UNSUPPORTED) return UNSUPPORTED;
  return { value: Object.freeze(valueOfLeaf(leaf)) as StateValue, assignments, eventless };
}

/**
 * What a start does without xstate: the initial value, when its configuration has no entry actions and its
 * only eventless transitions are guarded by the machine's own guards (checked per start), or `UNSUPPORTED`.
 */
function startOf(snapshot: OrderSnapshot): { value: StateValue; eventless: Guard[] } | typeof UNSUPPORTED {
  if (snapshot.status !== 'active') return UNSUPPORTED;
  const nodes = snapshot._nodes as StateNode[];
  if (nodes.some((n) => n.entry.length > 0)) return UNSUPPORTED;
  const eventless = eventlessGuards(nodes);
  if (eventless === UNSUPPORTED) return UNSUPPORTED;
  return { value: Object.freeze(snapshot.value) as StateValue, eventless };
}

/**
 * Advances {@link pureOrderMachine} snapshots purely, like xstate's `initialTransition` / `transition`, but
 * through one inert actor scope made once. xstate's helpers build a fresh actor per call, whose constructor
 * computes the machine's initial snapshot (running the context factory without an input, which throws and is
 * caught): about 20 µs and a few kilobytes of garbage per step, most of a watch's CPU between two polls.
 * The machine's actions are all `assign`, resolved into the snapshot, so nothing needs the scope's executor.
 *
 * `advance` is the watch engine's step, on an {@link OrderState} rather than a snapshot. xstate picks the
 * transition (`getTransitionData`: the machine's own guards, in its order); what that transition does to the
 * configuration is worked out once per source state and transition and cached, and the machine's own
 * `assign` functions update the context. A full xstate step costs ~9 µs and ~20 KB of short-lived objects
 * (state-node sets, snapshots per `assign`): most of the engine's work per poll. Anything the cache does not
 * reproduce exactly (see `planOf`) or an eventless transition that fires takes xstate's full `transition`;
 * tests hold `advance` equal to it, step by step, on thousands of seeded lives.
 *
 * @example
 * ```ts
 * const step = createPureStepper();
 * let snapshot = step.initial({ query: { outTradeNo: 'A1' }, startedAt: now, deadlineAt: now + 60_000 });
 * snapshot = step.next(snapshot, { type: 'DUE', at: now });
 * const state = step.advance({ value: snapshot.value, context: snapshot.context }, { type: 'CANCEL', at: now });
 * ```
 */
export function createPureStepper(): {
  initial(input: OrderMachineInput): OrderSnapshot;
  next(snapshot: OrderSnapshot, event: OrderEvent): OrderSnapshot;
  /** The {@link OrderState} a watch starts in: `initial`'s value and context, from the cache when it can. */
  initialState(input: OrderMachineInput): OrderState;
  advance(state: OrderState, event: OrderEvent): OrderState;
  /** How many `advance` steps took xstate's full `transition` (not the cache): for tests and diagnostics. */
  readonly fullSteps: number;
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
  const next = (snapshot: OrderSnapshot, event: OrderEvent) =>
    pureOrderMachine.transition(snapshot, event, scope) as OrderSnapshot;
  /** A resolved snapshot per state value: what `getTransitionData` walks, with each order's context over it. */
  const templates = new Map<string, OrderSnapshot>();
  const plans = new Map<string, Map<Transition, Plan | typeof UNSUPPORTED>>();

  let fullSteps = 0;
  const full = (state: OrderState, event: OrderEvent): OrderState => {
    fullSteps++;
    const current = pureOrderMachine.resolveState({ value: state.value, context: state.context });
    const result = next(current, event);
    return result === current ? state : { value: result.value, context: result.context };
  };

  const initial = (input: OrderMachineInput) => pureOrderMachine.getInitialSnapshot(scope, input) as OrderSnapshot;
  /** The initial configuration, when nothing but its eventless guards can change it; worked out on first use. */
  let start: { readonly value: StateValue; readonly eventless: readonly Guard[] } | typeof UNSUPPORTED | undefined;
  const initialFull = (input: OrderMachineInput): OrderState => {
    fullSteps++;
    const snapshot = initial(input);
    return { value: snapshot.value, context: snapshot.context };
  };

  return {
    get fullSteps() {
      return fullSteps;
    },
    initial,
    next,
    initialState(input) {
      // Worked out from a start that stays active, whatever this input does.
      start ??= startOf(initial({ query: { outTradeNo: 'probe' }, startedAt: 0, deadlineAt: 1, firstQueryAt: 0 }));
      if (start === UNSUPPORTED) return initialFull(input);
      const context = initialOrderContext(input);
      // The start event xstate's eventless guards see.
      const event = { type: 'xstate.init', input } as unknown as OrderEvent;
      for (const guard of start.eventless) if (guard({ context, event }, undefined)) return initialFull(input);
      return { value: start.value, context };
    },
    advance(state, event) {
      const key = valueKey(state.value);
      let template = templates.get(key);
      if (template === undefined) {
        template = pureOrderMachine.resolveState({ value: state.value, context: state.context });
        if (template.status !== 'active') return full(state, event);
        templates.set(key, template);
        plans.set(key, new Map());
      }
      // The template's nodes and value, this order's context: all that guards and transition selection read.
      const view = Object.create(template) as { context: OrderContext };
      view.context = state.context;
      const transitions = pureOrderMachine.getTransitionData(view as unknown as OrderSnapshot, event);
      if (transitions.length === 0) return state;
      const byTransition = plans.get(key) as Map<Transition, Plan | typeof UNSUPPORTED>;
      let plan = byTransition.get(transitions[0] as Transition);
      if (plan === undefined) {
        plan = planOf(template, transitions);
        if (transitions.length === 1) byTransition.set(transitions[0] as Transition, plan);
      }
      if (plan === UNSUPPORTED || transitions.length !== 1) return full(state, event);
      // One new context per step: each assignment reads the context as the ones before it left it, as in
      // xstate, where each `assign` makes a context of its own.
      const context = { ...state.context };
      for (const assignment of plan.assignments) Object.assign(context, assignment({ context, event }));
      for (const guard of plan.eventless) {
        if (guard({ context, event }, undefined)) return full(state, event);
      }
      return { value: plan.value, context };
    },
  };
}
