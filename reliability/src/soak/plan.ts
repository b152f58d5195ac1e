import { seededRandom } from '@tradestate/machine';
import type { TradeState } from '@tradestate/protocol';
import type { OrderSpec, ScriptStep, TradeType } from '@tradestate/sandbox';

/** The states a watch can end in that a script can end in: every one is represented in a plan. */
export const FINAL_STATES = ['SUCCESS', 'REFUND', 'CLOSED', 'REVOKED', 'PAYERROR'] as const;
export type FinalState = (typeof FINAL_STATES)[number];

/** One planned order: when it is created (ms after the run starts), its sandbox spec, and how it must end. */
export interface PlannedOrder {
  readonly startAtMs: number;
  readonly spec: OrderSpec;
  readonly expected: FinalState;
}

interface Path {
  readonly tradeType: TradeType;
  readonly initial: TradeState;
  readonly steps: readonly TradeState[];
}

/** Every legal path to each final state the sandbox (like WeChat) allows; one is drawn per order. */
const PATHS: Readonly<Record<FinalState, readonly Path[]>> = {
  SUCCESS: [
    { tradeType: 'NATIVE', initial: 'NOTPAY', steps: ['SUCCESS'] },
    { tradeType: 'JSAPI', initial: 'NOTPAY', steps: ['ACCEPT', 'SUCCESS'] },
    { tradeType: 'MICROPAY', initial: 'USERPAYING', steps: ['SUCCESS'] },
    { tradeType: 'MICROPAY', initial: 'NOTPAY', steps: ['USERPAYING', 'SUCCESS'] },
  ],
  REFUND: [
    { tradeType: 'NATIVE', initial: 'NOTPAY', steps: ['SUCCESS', 'REFUND'] },
    { tradeType: 'APP', initial: 'SUCCESS', steps: ['REFUND'] },
  ],
  CLOSED: [
    { tradeType: 'NATIVE', initial: 'NOTPAY', steps: ['CLOSED'] },
    { tradeType: 'JSAPI', initial: 'NOTPAY', steps: ['ACCEPT', 'CLOSED'] },
  ],
  REVOKED: [
    { tradeType: 'MICROPAY', initial: 'USERPAYING', steps: ['REVOKED'] },
    { tradeType: 'MICROPAY', initial: 'NOTPAY', steps: ['USERPAYING', 'REVOKED'] },
  ],
  PAYERROR: [
    { tradeType: 'MICROPAY', initial: 'USERPAYING', steps: ['PAYERROR'] },
    { tradeType: 'MICROPAY', initial: 'NOTPAY', steps: ['USERPAYING', 'PAYERROR'] },
  ],
};

/** Options of {@link planOrders}. */
export interface PlanOptions {
  readonly orders: number;
  readonly seed: number;
  /** Orders are created during the first `startWindowMs` of the run. */
  readonly startWindowMs: number;
  /** A script's last step comes at most this long after its order is created. */
  readonly scriptWindowMs: number;
  /** A prefix that keeps `out_trade_no` unique across runs sharing a sandbox. */
  readonly prefix?: string;
}

/**
 * Plans `orders` sandbox orders with random scripts: final states in equal shares (so each is represented),
 * a random legal path to each, random step times, random start times. Deterministic for a seed.
 */
export function planOrders(options: PlanOptions): PlannedOrder[] {
  const random = seededRandom(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const plan: PlannedOrder[] = [];
  for (let i = 0; i < options.orders; i++) {
    const expected = FINAL_STATES[i % FINAL_STATES.length] as FinalState;
    const path = pick(PATHS[expected]);
    // Step times: sorted draws inside the script window, so some states last long and some are missed by polls.
    const times = path.steps.map(() => Math.round(random() * options.scriptWindowMs)).sort((a, b) => a - b);
    const script: ScriptStep[] = path.steps.map((tradeState, n) => ({ afterMs: times[n] as number, tradeState }));
    plan.push({
      startAtMs: Math.round(random() * options.startWindowMs),
      expected,
      spec: {
        outTradeNo: `${options.prefix ?? 'S'}${String(i).padStart(6, '0')}`,
        totalFee: 1 + Math.floor(random() * 100_000),
        tradeType: path.tradeType,
        initialState: path.initial,
        script,
      },
    });
  }
  return plan.sort((a, b) => a.startAtMs - b.startAtMs);
}
