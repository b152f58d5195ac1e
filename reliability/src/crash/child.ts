// One watcher process of the crash-and-resume test. `--mode start` watches every order of the plan file with a
// SQLite snapshot store; `--mode resume` resumes whatever that store holds. Each end is written to stdout
// synchronously (one JSON line) the moment it is emitted, so a SIGKILL loses nothing already reported.
import { readFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  createLimiter,
  type OrderWatch,
  resumeWatches,
  type Schedule,
  type WatchRequest,
  watchOrder,
  watchOrders,
} from '@tradestate/machine';
import { createSqliteSnapshotStore } from '@tradestate/machine/sqlite';
import { createPayClient } from '@tradestate/protocol';
import { defaultMerchant } from '@tradestate/sandbox';
import { from, merge, type Observable } from 'rxjs';

/** One order of the plan file. */
export interface CrashPlanEntry {
  readonly outTradeNo: string;
  readonly followRefunds: boolean;
  /** The order's amount: every watch is bound to it, and the binding must survive the crash in the store. */
  readonly totalFee: number;
}

const { values } = parseArgs({
  options: {
    db: { type: 'string' },
    url: { type: 'string' },
    plan: { type: 'string' },
    mode: { type: 'string' },
    rate: { type: 'string', default: '400' },
    'die-after-ends': { type: 'string' },
    // `engine`: watchOrders (snapshots advanced purely); `actors`: one live watchOrder actor per order.
    watchers: { type: 'string', default: 'engine' },
  },
  strict: true,
});
if (values.db === undefined || values.url === undefined || values.plan === undefined) {
  throw new Error('--db, --url and --plan are required');
}

const line = (event: Record<string, unknown>) => writeSync(1, `${JSON.stringify(event)}\n`);
const store = createSqliteSnapshotStore(values.db);
const client = createPayClient({
  appId: defaultMerchant.appId,
  mchId: defaultMerchant.mchId,
  key: defaultMerchant.key,
  baseURL: values.url,
  timeoutMs: 1000,
});
const limiter = createLimiter({ ratePerSecond: Number(values.rate) });
const schedule: Schedule = (_attempt, last) => (last.kind === 'retryable-error' ? 400 : 200);
const merchant = { appId: defaultMerchant.appId, mchId: defaultMerchant.mchId };
const common = { client, store, limiter, schedule, deadline: 60_000, merchant };

let watches: Observable<OrderWatch>;
if (values.mode === 'start') {
  const plan = JSON.parse(readFileSync(values.plan, 'utf8')) as CrashPlanEntry[];
  const queries = (follow: boolean): WatchRequest[] =>
    plan
      .filter((entry) => entry.followRefunds === follow)
      .map((entry) => ({ query: { outTradeNo: entry.outTradeNo }, expect: { totalFee: entry.totalFee } }));
  watches =
    values.watchers === 'actors'
      ? merge(
          ...plan.map((entry) =>
            watchOrder({
              ...common,
              query: { outTradeNo: entry.outTradeNo },
              followRefunds: entry.followRefunds,
              expect: { totalFee: entry.totalFee },
            }),
          ),
        )
      : merge(
          watchOrders(from(queries(false)), common),
          watchOrders(from(queries(true)), { ...common, followRefunds: true }),
        );
} else if (values.mode === 'resume') {
  line({ event: 'resuming', stored: (await store.list()).length });
  watches = resumeWatches(store, client, { limiter, schedule });
} else {
  throw new Error('--mode must be start or resume');
}

// A crash at the worst moment: right after the handler of an end returned, before the event loop runs anything
// else (a microtask queued inside the handler runs once the synchronous code that delivered the end is done).
// Dying inside the handler would be an unfinished delivery, which is rightly delivered again on resume.
const dieAfterEnds = values['die-after-ends'] === undefined ? undefined : Number(values['die-after-ends']);
let ends = 0;

watches.subscribe({
  next: (watch) => {
    if (!watch.done) return;
    line({ event: 'end', outTradeNo: watch.query.outTradeNo, end: watch.end, totalFee: watch.order?.totalFee });
    if (++ends === dieAfterEnds) queueMicrotask(() => process.kill(process.pid, 'SIGKILL'));
  },
  error: (error: unknown) => {
    writeSync(2, `watch stream error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
  complete: () => {
    line({ event: 'complete' });
    // At once: the stream completes only after the last ended watch's entry has been deleted.
    store.close();
  },
});
