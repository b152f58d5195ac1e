import {
  createLimiter,
  type Limiter,
  type OrderWatch,
  type Schedule,
  seededRandom,
  type WatchNotification,
  type WatchRequest,
  watchOrder,
  watchOrders,
} from '@tradestate/machine';
import { createPayClient, type OrderQueryClient, type SignType } from '@tradestate/protocol';
import { defaultMerchant, type FaultRates, type SandboxCounters, startSandbox } from '@tradestate/sandbox';
import axios from 'axios';
import { merge, mergeAll, type Observable, Subject } from 'rxjs';
import { HOSTILE_KINDS, HostileBodies, type HostileKind, planHostile, protocolRefusesReplays } from './hostile.ts';
import { judge, type WatchRecord } from './judge.ts';
import { postHostile, startNotificationReceiver } from './notification-receiver.ts';
import { type PlannedOrder, planOrders } from './plan.ts';
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
  /**
   * The whole run is bounded by this: orders start in the first 15%, their scripts end within 35% of it after
   * that, and each watch's deadline is 75% of it after its start.
   */
  readonly seconds: number;
  readonly seed?: number;
  /** The one limiter every watch shares, in queries per second. Default 400. */
  readonly ratePerSecond?: number;
  /** Hostile notifications posted to the notify route at random (see `HOSTILE_KINDS`). Default true. */
  readonly hostile?: boolean;
  /**
   * Whether replays of signed unpaid answers are among them: `auto` (default) sends them only if this protocol's
   * `decodeNotification` refuses one (a probe at the start); a protocol that decodes a replayed NOTPAY answer as a
   * payment makes every replay a false terminal no watch can tell from a real one.
   */
  readonly replays?: 'auto' | 'on' | 'off';
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
  /** Paid ends whose order is not the planned one (amount, merchant, sub-merchant): a believed forgery. */
  wrongOrder: number;
  /** Hostile notifications posted to the notify route. */
  hostileSent: number;
  /** Of those, refused: by the route (did not verify), or by the watch of the order (failed its binding). */
  hostileRefused: number;
  hostile: {
    /** Posted, per kind. */
    sent: Record<HostileKind, number>;
    /** Planned but with nothing to copy yet (no unpaid answer to replay, no genuine notification to duplicate). */
    skipped: Record<HostileKind, number>;
    /** Refused by the route, per kind: each became an unverified notification (a reason to ask). */
    refusedAtRoute: Record<HostileKind, number>;
    /** Verified by the route, per kind (duplicates, and what only the watch's binding can refuse). */
    acceptedAtRoute: Record<HostileKind, number>;
    /** Notifications the watches refused as `mismatch` anomalies (another amount, merchant or sub-merchant). */
    refusedByWatch: number;
    /** Whether replays were sent, and why not when they were not. */
    replays: string;
  };
  /**
   * The most limiter grants, and requests as axios sends them, in any sliding 1000 ms window: figures, not
   * verdicts. The limiter bounds grants per window on its own clock and releases them in bursts, so a stamp taken
   * a millisecond later can see two bursts in one window (reported with the machine findings).
   */
  maxGrantsPerSecond: number;
  maxQueriesPerSecond: number;
  ratePerSecond: number;
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

/** The largest number of instants (ascending) that fall in any window of 1000 ms. */
export function busiestSecond(instants: readonly number[]): number {
  let most = 0;
  let from = 0;
  for (let to = 0; to < instants.length; to++) {
    while ((instants[to] as number) - (instants[from] as number) >= 1000) from++;
    most = Math.max(most, to - from + 1);
  }
  return most;
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
    report.streamErrors === 0 &&
    report.wrongOrder === 0
  );
}

function perKind(): Record<HostileKind, number> {
  return Object.fromEntries(HOSTILE_KINDS.map((kind) => [kind, 0])) as Record<HostileKind, number>;
}

function sum(counts: Readonly<Record<string, number>>): number {
  return Object.values(counts).reduce((total, n) => total + n, 0);
}

/**
 * Runs the fault soak: a loopback sandbox injecting {@link SOAK_FAULTS} (seeded), `orders` orders with random
 * scripts created during the first 15% of the run, all polling through one shared limiter: most through two
 * `watchOrders` engines (the REFUND scripts' one follows refunds), one in ten through its own `watchOrder`; a third
 * queried with HMAC-SHA256, the rest MD5; half
 * the orders also get their payment notification (decoded and verified by a loopback notify_url) fused in. Each
 * answer and notification body is also read by an independent verifier. Every watch is bound to its order's
 * amount (`expect`) and the merchant; hostile notifications (replays of signed unpaid answers when the protocol
 * refuses them, other amounts, merchants and sub-merchants, forged signs, duplicates) reach the notify route at
 * random moments. Stops by itself after `seconds`.
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
  const served = new ServedStates(defaultMerchant.key);
  const hostileBodies = new HostileBodies(defaultMerchant);
  const notifications = new Subject<WatchNotification>();
  const replayMode = options.replays ?? 'auto';
  const replaysOn = replayMode === 'on' || (replayMode === 'auto' && protocolRefusesReplays(defaultMerchant));
  const replays = replaysOn
    ? 'sent'
    : replayMode === 'off'
      ? 'off (asked)'
      : 'off: this decodeNotification decodes a replayed signed NOTPAY answer as a payment';
  const posting: Promise<void>[] = [];
  const timers: NodeJS.Timeout[] = [];
  let receiver: Awaited<ReturnType<typeof startNotificationReceiver>> | undefined;
  try {
    receiver = await startNotificationReceiver({
      key: defaultMerchant.key,
      seen: (body) => {
        served.record(body);
        hostileBodies.recordGenuine(body);
      },
      deliver: (notification) => notifications.next(notification),
    });
    const notifyUrl = receiver.url;
    const http = axios.create();
    const sentAt: number[] = [];
    http.interceptors.request.use((config) => {
      sentAt.push(performance.now());
      return config;
    });
    http.interceptors.response.use((response) => {
      served.record(response.data);
      hostileBodies.recordAnswer(response.data);
      return response;
    });
    // Every third order is queried with HMAC-SHA256 (and answered so), the others with MD5: one client to the watchers.
    const clientOf = (signType: SignType) =>
      createPayClient({
        appId: defaultMerchant.appId,
        mchId: defaultMerchant.mchId,
        key: defaultMerchant.key,
        signType,
        baseURL: sandbox.url,
        timeoutMs: intervalMs,
        axios: http,
      });
    const md5 = clientOf('MD5');
    const hmac = clientOf('HMAC-SHA256');
    const hmacOrders = new Set<string>();
    const client: OrderQueryClient = {
      queryOrder: (query, queryOptions) =>
        (hmacOrders.has(query.outTradeNo ?? '') ? hmac : md5).queryOrder(query, queryOptions),
    };
    const ratePerSecond = options.ratePerSecond ?? 400;
    const shared = createLimiter({ ratePerSecond });
    // Grants stamped as soon as they resolve (the wire stamps above come a few async steps later).
    const grantedAt: number[] = [];
    const limiter: Limiter = {
      get pending() {
        return shared.pending;
      },
      acquire: async (key, signal) => {
        await shared.acquire(key, signal);
        grantedAt.push(Date.now());
      },
    };
    const common = {
      client,
      limiter,
      notifications,
      merchant: { appId: defaultMerchant.appId, mchId: defaultMerchant.mchId },
      schedule: soakSchedule(intervalMs),
      deadline: totalMs * 0.75,
      jitter: { ratio: 0.2, random: seededRandom(seed ^ 0x5bd1e995) },
    };
    const plan = planOrders({
      orders: options.orders,
      seed,
      startWindowMs: totalMs * 0.15,
      scriptWindowMs: totalMs * 0.35,
    });
    const records = new Map<
      string,
      WatchRecord & { states: (string | undefined)[]; ends: string[]; endOrder?: WatchRecord['endOrder'] }
    >();
    const byId = new Map<string, PlannedOrder>();
    for (const order of plan) {
      byId.set(order.spec.outTradeNo, order);
      records.set(order.spec.outTradeNo, {
        outTradeNo: order.spec.outTradeNo,
        expected: order.expected,
        states: [],
        ends: [],
        planned: { totalFee: order.spec.totalFee, mchId: defaultMerchant.mchId, subMchId: undefined },
      });
    }

    // Most orders share two `watchOrders` engines (one following refunds); one in ten gets its own live
    // `watchOrder` actor; half of them have a notify_url. All poll through the one limiter.
    const choose = seededRandom(seed ^ 0x27d4eb2f);
    const last = new Map<string, OrderWatch>();
    const plain = new Subject<WatchRequest>();
    const refunds = new Subject<WatchRequest>();
    const singles = new Subject<Observable<OrderWatch>>();
    let streamErrors = 0;
    const finished = new Promise<void>((resolve) => {
      const subscription = merge(
        watchOrders(plain, common),
        watchOrders(refunds, { ...common, followRefunds: true }),
        singles.pipe(mergeAll()),
      ).subscribe({
        next: (watch) => {
          const id = watch.query.outTradeNo;
          const record = id === undefined ? undefined : records.get(id);
          if (record === undefined) return;
          record.states.push(watch.tradeState);
          last.set(id as string, watch);
          if (watch.done) {
            record.ends.push(watch.end ?? 'undefined');
            record.endOrder ??= {
              totalFee: watch.order?.totalFee,
              mchId: watch.order?.mchId,
              subMchId: watch.order?.subMchId,
            };
          }
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

    const alone = new Set<string>();
    let watchedAlone = 0;
    let withNotifyUrl = 0;
    for (const order of plan) {
      const single = choose() < 0.1;
      const notify = choose() < 0.5;
      if (choose() < 1 / 3) hmacOrders.add(order.spec.outTradeNo);
      if (single) {
        watchedAlone++;
        alone.add(order.spec.outTradeNo);
      }
      if (notify) withNotifyUrl++;
      timers.push(
        setTimeout(() => {
          sandbox.createOrder(notify ? { ...order.spec, notifyUrl } : order.spec);
          const query = { outTradeNo: order.spec.outTradeNo };
          const followRefunds = order.expected === 'REFUND';
          // Bound to the order's own amount, as a shop binds a watch to what it charged.
          const expect = { totalFee: order.spec.totalFee };
          if (single) singles.next(watchOrder({ ...common, query, followRefunds, expect }));
          else (followRefunds ? refunds : plain).next({ query, expect });
        }, order.startAtMs),
      );
    }
    const hostileSent = perKind();
    const hostileSkipped = perKind();
    if (options.hostile ?? true) {
      const kinds = HOSTILE_KINDS.filter((kind) => kind !== 'replay' || replaysOn);
      for (const post of planHostile({ plan, seed, kinds, windowMs: totalMs * 0.35 * 1.2 })) {
        timers.push(
          setTimeout(() => {
            const order = byId.get(post.outTradeNo) as PlannedOrder;
            const body = hostileBodies.body(post.kind, order);
            if (body === undefined) {
              hostileSkipped[post.kind]++;
              return;
            }
            hostileSent[post.kind]++;
            posting.push(postHostile(notifyUrl, post.kind, body));
          }, post.atMs),
        );
      }
    }
    const lastStart = plan.reduce((max, order) => Math.max(max, order.startAtMs), 0);
    timers.push(
      setTimeout(() => {
        plain.complete();
        refunds.complete();
        singles.complete();
      }, lastStart + 1),
    );
    await finished;
    for (const timer of timers) clearTimeout(timer);
    await Promise.all(posting);
    let refusedByWatch = 0;
    for (const watch of last.values()) {
      refusedByWatch += watch.anomalies.filter((a) => a.kind === 'mismatch' && a.source === 'notification').length;
    }
    const hostileAtRoute = receiver.hostile;
    log(
      `hostile notifications: sent ${JSON.stringify(hostileSent)}, skipped ${JSON.stringify(hostileSkipped)}, refused by the route ${JSON.stringify(hostileAtRoute.refused)}, verified by the route ${JSON.stringify(hostileAtRoute.accepted)}, refused by the watches ${refusedByWatch}; replays ${replays}`,
    );
    log(
      `watched alone: ${watchedAlone}, queried with HMAC-SHA256: ${hmacOrders.size}, with a notify_url: ${withNotifyUrl}, notifications received: ${receiver.received()}, refused: ${receiver.refused()}`,
    );

    for (const record of records.values()) {
      if (record.ends.length === 1 && record.ends[0] === record.expected) continue;
      const order = plan.find((o) => o.spec.outTradeNo === record.outTradeNo);
      const watch = last.get(record.outTradeNo);
      const detail = {
        alone: alone.has(record.outTradeNo),
        startAtMs: order?.startAtMs,
        script: order?.spec.script,
        states: record.states,
        ends: record.ends,
        attempts: watch?.attempts,
        lastOutcomeAt: watch?.lastOutcomeAt === undefined ? undefined : watch.lastOutcomeAt - started,
        error: watch?.error,
        anomalies: watch?.anomalies,
        sandboxQueries: sandbox.getOrder(record.outTradeNo)?.queries,
      };
      log(`not as scripted: ${record.outTradeNo} ${JSON.stringify(detail)}`);
    }
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
      wrongOrder: verdict.wrongOrder,
      hostileSent: sum(hostileSent),
      hostileRefused: sum(hostileAtRoute.refused) + refusedByWatch,
      hostile: {
        sent: hostileSent,
        skipped: hostileSkipped,
        refusedAtRoute: hostileAtRoute.refused,
        acceptedAtRoute: hostileAtRoute.accepted,
        refusedByWatch,
        replays,
      },
      maxGrantsPerSecond: busiestSecond(grantedAt),
      maxQueriesPerSecond: busiestSecond(sentAt),
      ratePerSecond,
      wrong: verdict.wrong,
      seed,
      elapsedMs: Date.now() - started,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    await sandbox.close();
    await receiver?.close();
    process.off('unhandledRejection', onUnhandled);
  }
}
