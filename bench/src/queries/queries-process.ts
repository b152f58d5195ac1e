// The client process of the queries-per-order benchmark: every policy watches its own copy of the same
// population at once, on a clock scaled like the sandbox's, and records when each watch saw the payment.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type NotificationInput, type Schedule, schedules, seededRandom, watchOrders } from '@tradestate/machine';
import {
  createPayClient,
  decodeNotification,
  notificationReply,
  type OrderQuery,
  type OrderQueryClient,
} from '@tradestate/protocol';
import { map, merge, Subject, timer } from 'rxjs';
import { MERCHANT } from '../fixtures.ts';
import { serveParent } from '../harness/child.ts';
import { preciseNow, ScaledScheduler } from '../harness/scaled-scheduler.ts';

export const POLICIES = ['fixed 2 s poll', 'schedules.backend', 'backend + notifications'] as const;
export type Policy = (typeof POLICIES)[number];

export interface WatchRecord {
  readonly policy: Policy;
  readonly outTradeNo: string;
  readonly end: string | undefined;
  /** Wall-clock epoch ms of the emission that first carried SUCCESS, if any. */
  readonly paidSeenAt: number | undefined;
  /** Whether that emission came from a notification (rather than a poll answer). */
  readonly seenByNotification: boolean;
  readonly attempts: number;
}

export interface WatchParams {
  readonly url: string;
  readonly timeScale: number;
  readonly deadlineMs: number;
  readonly seed: number;
  readonly orders: Readonly<Record<Policy, readonly string[]>>;
  /** When each order (by index, the same for every policy) arrives, in simulated ms after the start. */
  readonly arrivalsMs: readonly number[];
}

const fixedTwoSeconds: Schedule = () => 2000;

const SCHEDULES: Readonly<Record<Policy, Schedule>> = {
  'fixed 2 s poll': fixedTwoSeconds,
  'schedules.backend': schedules.backend,
  'backend + notifications': schedules.backend,
};

let notifyServer: Server | undefined;
const notifications = new Subject<NotificationInput>();
/** The order whose notification is being delivered: watchOrders handles it synchronously, so an emission of that order now is its effect. */
let notifying: string | undefined;

async function startNotifyServer(): Promise<string> {
  notifyServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const notification = decodeNotification(Buffer.concat(chunks), { key: MERCHANT.key });
        notifying = notification.order.outTradeNo;
        notifications.next(notification);
        notifying = undefined;
        res.end(notificationReply(true));
      } catch {
        res.end(notificationReply(false, 'invalid notification'));
      }
    });
  });
  await new Promise<void>((resolve) => notifyServer?.listen(0, '127.0.0.1', resolve));
  const { port } = notifyServer.address() as AddressInfo;
  return `http://127.0.0.1:${port}/notify`;
}

function watchPolicy(policy: Policy, ids: readonly string[], client: OrderQueryClient, params: WatchParams) {
  const scheduler = new ScaledScheduler(params.timeScale);
  const records: WatchRecord[] = [];
  const seen = new Map<string, { at: number; byNotification: boolean }>();
  return new Promise<WatchRecord[]>((resolve, reject) => {
    // Orders arrive over time, as they do in a shop: each watch starts when its order is placed.
    const arrivals = merge(
      ...ids.map((outTradeNo, i) =>
        timer(params.arrivalsMs[i] ?? 0, scheduler).pipe(map((): OrderQuery => ({ outTradeNo }))),
      ),
    );
    watchOrders(arrivals, {
      client,
      schedule: SCHEDULES[policy],
      deadline: params.deadlineMs,
      scheduler,
      jitter: { ratio: 0.1, random: seededRandom(params.seed) },
      notifications: policy === 'backend + notifications' ? notifications : undefined,
    }).subscribe({
      next: (watch) => {
        const id = watch.query.outTradeNo ?? watch.query.transactionId;
        if (watch.tradeState === 'SUCCESS' && !seen.has(id)) {
          seen.set(id, { at: preciseNow(), byNotification: notifying === id });
        }
        if (watch.done) {
          const first = seen.get(id);
          records.push({
            policy,
            outTradeNo: id,
            end: watch.end,
            paidSeenAt: first?.at,
            seenByNotification: first?.byNotification ?? false,
            attempts: watch.attempts,
          });
        }
      },
      error: reject,
      complete: () => resolve(records),
    });
  });
}

serveParent({
  startNotifyServer,
  async watch(params: WatchParams): Promise<WatchRecord[]> {
    const client = createPayClient({ ...MERCHANT, baseURL: params.url });
    const all = await Promise.all(POLICIES.map((policy) => watchPolicy(policy, params.orders[policy], client, params)));
    notifyServer?.close();
    return all.flat();
  },
});
