import { createLimiter, type Schedule, watchOrders } from '@tradestate/machine';
import { createPayClient, type OrderQuery } from '@tradestate/protocol';
import { defaultMerchant, type FaultRates, type SandboxCounters, startSandbox } from '@tradestate/sandbox';
import axios from 'axios';
import { merge, Subject } from 'rxjs';
import { seededRandom } from '../prng.ts';
import { judge, type WatchRecord } from './judge.ts';
import { planOrders } from './plan.ts';
import { ServedStates } from './served-states.ts';

/** The fault mix of issue 7, per orderquery request, plus `returnFail` so every kind the sandbox has is in it. */
export const SOAK_FAULTS: FaultRates = {
  systemError: 0.1,
  latency: 0.05,
  hang: 0.03,
  reset: 0.03,
  truncated: 0.02,
  html502: 0.02,
  badSignature: 0.02,
  staleState: 0.02,
  frequencyLimited: 0.01,
  returnFail: 0.01,
};

/** Options of {@link runSoak}. */
export interface SoakOptions {
  readonly orders: number;
  /** The whole run is bounded by this; watches get 70% of it after their start, scripts end within 40%. */
  readonly seconds: number;
  readonly seed?: number;
  /** The one limiter every watch shares, in queries per second. Default 400. */
  readonly ratePerSecond?: number;
  readonly log?: (line: string) => void;
}

/** The soak's one-line report: the eight fields of issue 7, then what helps reading a failure. */
export interface SoakReport {
  orders: number;
  correct: number;
  falseTerminal: number;
  regressions: number;
  lost: number;
  unhandledRejections: number;
  queries: number;
  faultsInjected: SandboxCounters['faultsInjected'];
  endedTwice: number;
  streamErrors: number;
  wrong: Record<string, number>;
  seed: number;
  elapsedMs: number;
}

/** Polls every `intervalMs`, backing off to four times that on retryable errors. */
function soakSchedule(intervalMs: number): Schedule {
  return (_attempt, last) => {
    if (last.kind === 'start') return intervalMs / 4;
    if (last.kind === 'retryable-error')
      return Math.min(intervalMs * 2 ** (last.consecutiveErrors - 1), intervalMs * 4);
    return intervalMs;
  };
}

/** Whether every count of a report is what a healthy library gives. */
export function soakPassed(report: SoakReport): boolean {
  return (
    report.correct === report.orders &&
    report.falseTerminal === 0 &&
    report.regressions === 0 &&
    report.lost === 0 &&
    report.unhandledRejections === 0 &&
    report.endedTwice === 0 &&
    report.streamErrors === 0
  );
}

/**
 * Runs the fault soak: a loopback sandbox injecting {@link SOAK_FAULTS} (seeded), `orders` orders with random
 * scripts created during the first fifth of the run, every one watched through `watchOrders` and one shared
 * limiter (REFUND scripts in a second `watchOrders` that follows refunds), each answer body also read by an
 * independent verifier. Stops by itself after `seconds` at most (plus a few seconds to close).
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const seed = options.seed ?? 1;
  const totalMs = options.seconds * 1000;
  const intervalMs = Math.min(2000, Math.max(200, totalMs / 60));
  const log = options.log ?? (() => {});
  const started = Date.now();

  let unhandledRejections = 0;
  const onUnhandled = (reason: unknown) => {
    unhandledRejections++;
    log(`unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`);
  };
  process.on('unhandledRejection', onUnhandled);

  const sandbox = await startSandbox({
    seed,
    faults: { ...SOAK_FAULTS, latencyMs: Math.round(intervalMs / 2) },
  });
  const timers: NodeJS.Timeout[] = [];
  try {
    const served = new ServedStates(defaultMerchant.key);
    const http = axios.create();
    http.interceptors.response.use((response) => {
      served.record(response.data);
      return response;
    });
    const client = createPayClient({
      appId: defaultMerchant.appId,
      mchId: defaultMerchant.mchId,
      key: defaultMerchant.key,
      baseURL: sandbox.url,
      timeoutMs: intervalMs,
      axios: http,
    });
    const limiter = createLimiter({ ratePerSecond: options.ratePerSecond ?? 400 });
    const common = {
      client,
      limiter,
      schedule: soakSchedule(intervalMs),
      deadline: totalMs * 0.7,
      jitter: { ratio: 0.2, random: seededRandom(seed ^ 0x5bd1e995) },
    };
    const plan = planOrders({
      orders: options.orders,
      seed,
      startWindowMs: totalMs * 0.2,
      scriptWindowMs: totalMs * 0.4,
    });
    const records = new Map<string, WatchRecord & { states: (string | undefined)[]; ends: string[] }>();
    for (const order of plan) {
      records.set(order.spec.outTradeNo, {
        outTradeNo: order.spec.outTradeNo,
        expected: order.expected,
        states: [],
        ends: [],
      });
    }

    const plain = new Subject<OrderQuery>();
    const refunds = new Subject<OrderQuery>();
    let streamErrors = 0;
    const finished = new Promise<void>((resolve) => {
      const subscription = merge(
        watchOrders(plain, common),
        watchOrders(refunds, { ...common, followRefunds: true }),
      ).subscribe({
        next: (watch) => {
          const id = watch.query.outTradeNo;
          const record = id === undefined ? undefined : records.get(id);
          if (record === undefined) return;
          record.states.push(watch.tradeState);
          if (watch.done) record.ends.push(watch.end ?? 'undefined');
        },
        error: (error: unknown) => {
          streamErrors++;
          log(`watch stream error: ${error instanceof Error ? error.message : String(error)}`);
          resolve();
        },
        complete: () => resolve(),
      });
      // The hard bound: whatever is still watched then is lost.
      timers.push(
        setTimeout(() => {
          subscription.unsubscribe();
          resolve();
        }, totalMs),
      );
    });

    for (const order of plan) {
      timers.push(
        setTimeout(() => {
          sandbox.createOrder(order.spec);
          (order.expected === 'REFUND' ? refunds : plain).next({ outTradeNo: order.spec.outTradeNo });
        }, order.startAtMs),
      );
    }
    const lastStart = plan.reduce((max, order) => Math.max(max, order.startAtMs), 0);
    timers.push(
      setTimeout(() => {
        plain.complete();
        refunds.complete();
      }, lastStart + 1),
    );
    await finished;

    const verdict = judge([...records.values()], (outTradeNo, state) => served.served(outTradeNo, state));
    const counters = sandbox.counters();
    log(`answers read independently: ${served.bodies}, validly signed: ${served.verified}`);
    return {
      orders: options.orders,
      correct: verdict.correct,
      falseTerminal: verdict.falseTerminal,
      regressions: verdict.regressions,
      lost: verdict.lost,
      unhandledRejections,
      queries: counters.byEndpoint['/pay/orderquery'] ?? 0,
      faultsInjected: counters.faultsInjected,
      endedTwice: verdict.endedTwice,
      streamErrors,
      wrong: verdict.wrong,
      seed,
      elapsedMs: Date.now() - started,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await sandbox.close();
    process.off('unhandledRejection', onUnhandled);
  }
}
