import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createSqliteSnapshotStore } from '@tradestate/machine/sqlite';
import { startSandbox } from '@tradestate/sandbox';
import { planOrders } from '../soak/plan.ts';
import type { CrashPlanEntry } from './child.ts';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..', '..');

/** What the crash-and-resume run saw. */
export interface CrashReport {
  orders: number;
  /** Ends reported by the first process before it was killed. */
  endedBeforeKill: number;
  /** How the first process ended: `SIGKILL` when the kill landed mid-way. */
  firstExit: string;
  /** Snapshots the second process found in the store. */
  resumed: number;
  /** Of those, how many still carry their order's amount (`expect`) and merchant: the binding survived the kill. */
  storedBound: number;
  endedAfterResume: number;
  secondExit: string;
  /** Orders with exactly one end, the scripted one. */
  correct: number;
  /** Orders that ended more than once across both processes. */
  twice: number;
  lost: number;
  /** `expected→ends` for every order that did not end as scripted. */
  wrong: Record<string, number>;
  /** Snapshots still in the store after the second process completed. */
  leftInStore: number;
}

interface ChildRun {
  readonly child: ChildProcess;
  readonly exit: Promise<string>;
  readonly stderr: string[];
}

function startChild(args: readonly string[], onEvent: (event: Record<string, unknown>) => void): ChildRun {
  // `node --import tsx` runs the TypeScript in this very process, so the SIGKILL hits the watcher itself
  // (the tsx CLI would put a second process between).
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@tradestate/source', join(here, 'child.ts'), ...args],
    { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  createInterface({ input: child.stdout as NonNullable<typeof child.stdout> }).on('line', (text) => {
    onEvent(JSON.parse(text) as Record<string, unknown>);
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exit = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`));
  });
  return { child, exit, stderr };
}

/**
 * When the first process dies:
 * - `after-first-end`: SIGKILLed from outside `ms` after it reported its first end (an arbitrary moment);
 * - `after-ends`: SIGKILLed from outside as soon as the parent has read its `ends`-th end;
 * - `right-after-end`: it SIGKILLs itself right after its handler of the `ends`-th end returned, before the event
 *   loop runs anything else: the worst moment for a store that is written after the end is emitted.
 */
export type CrashPoint =
  | { readonly kind: 'after-first-end'; readonly ms: number }
  | { readonly kind: 'after-ends'; readonly ends: number }
  | { readonly kind: 'right-after-end'; readonly ends: number };

/**
 * Crash and resume: a child process watches `orders` sandbox orders (random scripts, light faults) with the
 * SQLite snapshot store; it is SIGKILLed at `crash`; a second process resumes from the store. Every end
 * reported by either process is counted per order. Bounded by `timeoutMs`.
 */
export async function runCrashAndResume(options: {
  orders: number;
  crash: CrashPoint;
  /** How the first process watches: `watchOrders` engines (default) or one live `watchOrder` actor per order. */
  watchers?: 'engine' | 'actors';
  seed?: number;
  timeoutMs?: number;
}): Promise<CrashReport> {
  const { crash } = options;
  const seed = options.seed ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'tradestate-crash-'));
  const sandbox = await startSandbox({
    seed,
    faults: { systemError: 0.05, reset: 0.02, html502: 0.02, latency: 0.05, latencyMs: 100 },
  });
  const children: ChildProcess[] = [];
  const deadline = setTimeout(() => {
    for (const child of children) child.kill('SIGKILL');
  }, options.timeoutMs ?? 60_000);
  try {
    const plan = planOrders({ orders: options.orders, seed, startWindowMs: 0, scriptWindowMs: 4000, prefix: 'C' });
    for (const order of plan) sandbox.createOrder(order.spec);
    const planFile = join(dir, 'plan.json');
    const entries: CrashPlanEntry[] = plan.map((o) => ({
      outTradeNo: o.spec.outTradeNo,
      followRefunds: o.expected === 'REFUND',
      totalFee: o.spec.totalFee,
    }));
    writeFileSync(planFile, JSON.stringify(entries));
    const db = join(dir, 'watches.db');
    const common = ['--db', db, '--url', sandbox.url, '--plan', planFile];

    const ends = new Map<string, string[]>();
    const recordEnd = (event: Record<string, unknown>) => {
      if (event['event'] !== 'end') return false;
      const id = String(event['outTradeNo']);
      ends.set(id, [...(ends.get(id) ?? []), String(event['end'])]);
      return true;
    };

    let endedBeforeKill = 0;
    const selfKill = crash.kind === 'right-after-end' ? ['--die-after-ends', String(crash.ends)] : [];
    const watchers = ['--watchers', options.watchers ?? 'engine'];
    const first = startChild([...common, '--mode', 'start', ...watchers, ...selfKill], (event) => {
      if (!recordEnd(event)) return;
      endedBeforeKill++;
      if (crash.kind === 'after-ends' && endedBeforeKill === crash.ends) first.child.kill('SIGKILL');
      if (crash.kind === 'after-first-end' && endedBeforeKill === 1) {
        setTimeout(() => first.child.kill('SIGKILL'), crash.ms);
      }
    });
    children.push(first.child);
    const firstExit = await first.exit;
    const amounts = new Map(entries.map((entry) => [entry.outTradeNo, entry.totalFee]));
    const killed = createSqliteSnapshotStore(db);
    let storedBound = 0;
    for (const [, stored] of await killed.list()) {
      const { query, expect, merchant } = stored.snapshot.context;
      const bound = expect?.totalFee === amounts.get(query.outTradeNo ?? '') && merchant?.mchId !== undefined;
      if (bound) storedBound++;
    }
    killed.close();

    let resumed = 0;
    let endedAfterResume = 0;
    const second = startChild([...common, '--mode', 'resume'], (event) => {
      if (event['event'] === 'resuming') resumed = Number(event['stored']);
      if (recordEnd(event)) endedAfterResume++;
    });
    children.push(second.child);
    const secondExit = await second.exit;
    if (secondExit !== 'exit 0')
      throw new Error(`the resuming process ended with ${secondExit}: ${second.stderr.join('')}`);

    const report: CrashReport = {
      orders: options.orders,
      endedBeforeKill,
      firstExit,
      resumed,
      storedBound,
      endedAfterResume,
      secondExit,
      correct: 0,
      twice: 0,
      lost: 0,
      wrong: {},
      leftInStore: 0,
    };
    for (const order of plan) {
      const got = ends.get(order.spec.outTradeNo) ?? [];
      if (got.length === 0) report.lost++;
      if (got.length > 1) report.twice++;
      if (got.length === 1 && got[0] === order.expected) report.correct++;
      else {
        const key = `${order.expected}→${got.join(',')}`;
        report.wrong[key] = (report.wrong[key] ?? 0) + 1;
      }
    }
    const store = createSqliteSnapshotStore(db);
    report.leftInStore = (await store.list()).length;
    store.close();
    return report;
  } finally {
    clearTimeout(deadline);
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
