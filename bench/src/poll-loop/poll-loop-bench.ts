import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OrderSpec } from '@tradestate/sandbox';
import { Child } from '../harness/child.ts';
import type { Figure, Section } from '../harness/results.ts';
import { median, round } from '../harness/stats.ts';
import { SandboxHandle } from '../sandbox/sandbox-handle.ts';
import type { RunFigures, RunParams, WarmupParams } from './client-process.ts';
import { POLL_LOOP_CONTENDERS, type PollLoopContenderName } from './watchers.ts';

const CLIENT_ENTRY = fileURLToPath(new URL('./client-process.ts', import.meta.url));
const WARMUP_ORDERS = 400;
const WARMUP_INTERVAL_MS = 50;

export interface PollLoopSize {
  /** Orders watched at once. */
  readonly n: number;
  /** Poll interval; orders are started evenly over one interval, so the poll rate is about n / interval. */
  readonly intervalMs: number;
  readonly rounds: number;
}

export interface PollLoopOptions {
  readonly sizes: readonly PollLoopSize[];
  /** Write a V8 CPU profile of each client process here. */
  readonly cpuProf?: string | undefined;
}

/** Per-contender medians at one N, what the targets are judged on. */
export interface PollLoopMedians {
  readonly n: number;
  readonly cpuUsPerPoll: ReadonlyMap<PollLoopContenderName, number>;
  readonly rssBytesPerOrder: ReadonlyMap<PollLoopContenderName, number>;
}

interface Sample {
  readonly polls: number;
  readonly figures: RunFigures;
}

/** NOTPAY at creation (1st poll), USERPAYING before the 2nd poll, SUCCESS before the 3rd: three polls each. */
function orderSpecs(ids: readonly string[], rampMs: number, intervalMs: number): OrderSpec[] {
  return ids.map((outTradeNo, i) => {
    const offset = (i * rampMs) / ids.length;
    return {
      outTradeNo,
      totalFee: 1000,
      // USERPAYING exists only for 付款码 (MICROPAY) orders.
      tradeType: 'MICROPAY',
      initialState: 'NOTPAY',
      coupons: [
        { id: '10000', type: 'NO_CASH', fee: 100 },
        { id: '10001', type: 'CASH', fee: 100 },
      ],
      script: [
        { afterMs: Math.round(offset + 0.5 * intervalMs), tradeState: 'USERPAYING' },
        { afterMs: Math.round(offset + 1.5 * intervalMs), tradeState: 'SUCCESS' },
      ],
    };
  });
}

export async function measureOnce(
  sandbox: SandboxHandle,
  contender: PollLoopContenderName,
  size: PollLoopSize,
  tag: string,
  cpuProf: string | undefined,
): Promise<Sample> {
  // TRADESTATE_BENCH_CLIENT_FLAGS adds Node flags to the measured clients only (e.g. --trace-gc), for diagnosis.
  const extra = process.env['TRADESTATE_BENCH_CLIENT_FLAGS']?.split(' ').filter((flag) => flag !== '') ?? [];
  const client = await Child.start(CLIENT_ENTRY, {
    label: `client ${contender}`,
    nodeFlags: ['--expose-gc', ...extra],
  });
  try {
    const warmIds = Array.from({ length: WARMUP_ORDERS }, (_, i) => `W${tag}-${i}`);
    await sandbox.createOrders(orderSpecs(warmIds, WARMUP_INTERVAL_MS, WARMUP_INTERVAL_MS));
    const warm = await client.call<{ paid: number }>('warmup', {
      contender,
      url: sandbox.url,
      ids: warmIds,
      intervalMs: WARMUP_INTERVAL_MS,
    } satisfies WarmupParams);
    if (warm.paid !== WARMUP_ORDERS) throw new Error(`${contender} warm-up saw ${warm.paid} of ${WARMUP_ORDERS} paid`);

    const rampMs = size.intervalMs;
    const ids = Array.from({ length: size.n }, (_, i) => `P${tag}-${i}`);
    await sandbox.createOrders(orderSpecs(ids, rampMs, size.intervalMs));
    await sandbox.takeStamps();
    const figures = await client.call<RunFigures>('run', {
      contender,
      url: sandbox.url,
      ids,
      intervalMs: size.intervalMs,
      rampMs,
      fullAtMs: rampMs + 0.25 * size.intervalMs,
      timeoutMs: rampMs + 6 * size.intervalMs + 15_000,
      profileFile: cpuProf === undefined ? undefined : join(cpuProf, `poll-loop-${tag}-${contender}.cpuprofile`),
    } satisfies RunParams);
    const polls = (await sandbox.takeStamps()).length;
    return { polls, figures };
  } finally {
    await client.stop();
  }
}

/**
 * Poll-loop benchmark: N orders going NOTPAY → USERPAYING → SUCCESS over three polls each, the sandbox in its
 * own process, each contender in a fresh process per round (interleaved: the order of contenders rotates).
 * CPU per poll = the client process's user + system CPU over the run ÷ the polls the sandbox answered.
 */
export async function runPollLoopBench(
  options: PollLoopOptions,
): Promise<{ section: Section; medians: PollLoopMedians[] }> {
  const rows: Record<string, Figure>[] = [];
  const medians: PollLoopMedians[] = [];
  const notes: string[] = [];
  for (const size of options.sizes) {
    const sandbox = await SandboxHandle.start({ timeScale: 1, seed: 1 });
    const samples = new Map<PollLoopContenderName, Sample[]>(POLL_LOOP_CONTENDERS.map((c) => [c, []]));
    try {
      for (let r = 0; r < size.rounds; r++) {
        for (let i = 0; i < POLL_LOOP_CONTENDERS.length; i++) {
          const index = (i + r) % POLL_LOOP_CONTENDERS.length;
          const contender = POLL_LOOP_CONTENDERS[index] as PollLoopContenderName;
          const sample = await measureOnce(sandbox, contender, size, `${size.n}-${r}-${index}`, options.cpuProf);
          const f = sample.figures;
          if (f.paid !== size.n || f.timedOut) {
            notes.push(
              `N=${size.n} ${contender} round ${r}: ${f.paid}/${size.n} paid${f.timedOut ? ', timed out' : ''}, ${f.errors} errors${f.firstError ? ` (${f.firstError})` : ''}`,
            );
          }
          samples.get(contender)?.push(sample);
        }
      }
    } finally {
      await sandbox.close();
    }
    const cpu = new Map<PollLoopContenderName, number>();
    const rss = new Map<PollLoopContenderName, number>();
    for (const [contender, list] of samples) {
      cpu.set(contender, median(list.map((s) => (s.figures.cpuUserUs + s.figures.cpuSystemUs) / s.polls)));
      rss.set(contender, median(list.map((s) => (s.figures.peakRss - s.figures.baselineRss) / size.n)));
    }
    medians.push({ n: size.n, cpuUsPerPoll: cpu, rssBytesPerOrder: rss });
    const oursCpu = cpu.get('tradestate') as number;
    for (const [contender, list] of samples) {
      const heapAtFull = list.filter((s) => s.figures.heapAtFull >= 0);
      rows.push({
        n: size.n,
        contender,
        pollsPerOrder: round(median(list.map((s) => s.polls / size.n))),
        cpuUsPerPoll: round(cpu.get(contender) as number),
        oursVsThis: round(oursCpu / (cpu.get(contender) as number)),
        rssKbPerOrder: round((rss.get(contender) as number) / 1024),
        rssAfterGcKbPerOrder:
          heapAtFull.length === 0
            ? null
            : round(median(heapAtFull.map((s) => (s.figures.rssAtFull - s.figures.baselineRss) / size.n)) / 1024),
        heapKbPerOrder:
          heapAtFull.length === 0
            ? null
            : round(median(heapAtFull.map((s) => (s.figures.heapAtFull - s.figures.baselineHeap) / size.n)) / 1024),
        wallS: round(median(list.map((s) => s.figures.wallMs)) / 1000),
        errors: list.reduce((sum, s) => sum + s.figures.errors, 0),
      });
    }
  }
  return {
    section: {
      id: 'poll-loop',
      title: 'poll loop: N orders NOTPAY → USERPAYING → SUCCESS, sandbox in another process',
      columns: [
        { key: 'n', label: 'N' },
        { key: 'contender', label: 'contender' },
        { key: 'pollsPerOrder', label: 'polls/order' },
        { key: 'cpuUsPerPoll', label: 'client CPU µs/poll' },
        { key: 'oursVsThis', label: 'tradestate ÷ this' },
        { key: 'rssKbPerOrder', label: 'peak RSS KB/order' },
        { key: 'rssAfterGcKbPerOrder', label: 'RSS KB/order after GC' },
        { key: 'heapKbPerOrder', label: 'heap KB/order after GC' },
        { key: 'wallS', label: 'wall s' },
        { key: 'errors', label: 'poll errors' },
      ],
      rows,
      notes: [
        `Sizes: ${options.sizes.map((s) => `N=${s.n} every ${s.intervalMs / 1000} s × ${s.rounds} round(s)`).join('; ')}; orders start evenly over one interval; medians across rounds.`,
        `Each contender runs in a fresh child process (warmed on ${WARMUP_ORDERS} orders first); CPU = user + system of that process ÷ polls counted by the sandbox; peak RSS = sampled peak − baseline (after GC), ÷ N; “after GC” = one forced GC once every order is watched and none has finished, RSS and heapUsed then − baseline, ÷ N.`,
        'tradestate: watchOrders + createPayClient, fixed-interval schedule, no jitter. wechatpay-axios-plugin: its v2 client + one setTimeout loop per order. floor: node:http keep-alive + regex + one MD5, setTimeout loop.',
        ...notes,
      ],
    },
    medians,
  };
}
