// The watch engine's own CPU per poll, without HTTP: watchOrders over an in-process client that answers on the
// next turn of the event loop (NOTPAY, USERPAYING, SUCCESS, the decoded answer built once per order), beside a
// plain setTimeout loop over the same client. The difference is what the engine adds to each poll.
// Usage (after pnpm build): tsx src/tools/engine-alone.ts [engine|loop] [n=10000] [intervalMs=5000]
//   HEAP=FILE also writes a sampling heap profile (allocations of the run, collected ones included).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { type Schedule, watchOrders } from '@tradestate/machine';
import type { Order, OrderQuery, OrderQueryClient, OrderQueryOutcome, TradeState } from '@tradestate/protocol';
import { Subject } from 'rxjs';

const mode = process.argv[2] ?? 'engine';
if (mode !== 'engine' && mode !== 'loop') throw new Error('mode: engine or loop');
const n = Number(process.argv[3] ?? 10_000);
const intervalMs = Number(process.argv[4] ?? 5000);
const heapFile = process.env['HEAP'];

const STATES: readonly TradeState[] = ['NOTPAY', 'USERPAYING', 'SUCCESS'];
const answers = new Map<string, { polls: number; order: Order }>();
let polls = 0;

function orderOf(outTradeNo: string): Order {
  return {
    appId: 'wxd930ea5d5a258f4f',
    mchId: '10000100',
    outTradeNo,
    transactionId: `4200000${outTradeNo.slice(1)}`,
    totalFee: 1000,
    cashFee: 800,
    feeType: 'CNY',
    tradeType: 'MICROPAY',
    bankType: 'CMC',
    openId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    isSubscribe: false,
    coupons: [
      { id: '10000', type: 'NO_CASH', fee: 100 },
      { id: '10001', type: 'CASH', fee: 100 },
    ],
  } as unknown as Order;
}

function answer(outTradeNo: string): OrderQueryOutcome {
  let entry = answers.get(outTradeNo);
  if (entry === undefined) {
    entry = { polls: 0, order: orderOf(outTradeNo) };
    answers.set(outTradeNo, entry);
  }
  polls++;
  const tradeState = STATES[Math.min(entry.polls++, STATES.length - 1)] as TradeState;
  return { kind: 'order', tradeState, order: entry.order, fields: {} } as OrderQueryOutcome;
}

const client: OrderQueryClient = {
  queryOrder: (query: OrderQuery) =>
    new Promise((resolve) => setImmediate(() => resolve(answer(query.outTradeNo as string)))),
};

const session = new Session();
session.connect();
if (heapFile !== undefined) {
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  } as never);
}

const ids = Array.from({ length: n }, (_, i) => `E${i}`);
const cpu0 = process.cpuUsage();
let ended = 0;
const queries = new Subject<OrderQuery>();
async function finish(): Promise<void> {
  const cpu = process.cpuUsage(cpu0);
  console.log(`${mode} N=${n}: ${((cpu.user + cpu.system) / polls).toFixed(1)} µs CPU per poll, ${polls} polls`);
  queries.complete();
  if (heapFile !== undefined) {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(heapFile, JSON.stringify(profile));
  }
  session.disconnect();
}
const onEnd = () => {
  if (++ended === n) void finish();
};

if (mode === 'engine') {
  const schedule: Schedule = (_attempt, last) => (last.kind === 'start' ? 0 : intervalMs);
  watchOrders(queries, { client, schedule, jitter: { ratio: 0 }, deadline: 600_000 }).subscribe({
    next: (watch) => {
      if (watch.done) onEnd();
    },
  });
  for (const [i, outTradeNo] of ids.entries()) setTimeout(() => queries.next({ outTradeNo }), (i * intervalMs) / n);
} else {
  for (const [i, outTradeNo] of ids.entries()) {
    const poll = (): void => {
      void client.queryOrder({ outTradeNo }).then((outcome) => {
        if (outcome.kind === 'order' && outcome.tradeState === 'SUCCESS') onEnd();
        else setTimeout(poll, intervalMs);
      });
    };
    setTimeout(poll, (i * intervalMs) / n);
  }
}
