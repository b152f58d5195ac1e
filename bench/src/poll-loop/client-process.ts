// A child process that runs one poll-loop contender and measures it from the inside: CPU with
// process.cpuUsage(), memory by sampling RSS and heap, so nothing of the sandbox or another contender counts.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { serveParent } from '../harness/child.ts';
import { type PollLoopContenderName, prepareContender, type WatcherFactory } from './watchers.ts';

export interface WarmupParams {
  readonly contender: PollLoopContenderName;
  readonly url: string;
  readonly ids: readonly string[];
  readonly intervalMs: number;
}

export interface RunParams {
  readonly contender: PollLoopContenderName;
  readonly url: string;
  readonly ids: readonly string[];
  readonly intervalMs: number;
  /** Orders are started evenly over this span, the way they arrive in production. */
  readonly rampMs: number;
  /** When to take the forced-GC heap reading: every order started, none finished yet. */
  readonly fullAtMs: number;
  readonly timeoutMs: number;
  /** Write a CPU profile of the measured window (not start-up, not warm-up) to this file. Skews the figures. */
  readonly profileFile?: string | undefined;
}

export interface RunFigures {
  readonly cpuUserUs: number;
  readonly cpuSystemUs: number;
  readonly wallMs: number;
  readonly paid: number;
  readonly endedOtherwise: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly baselineRss: number;
  readonly peakRss: number;
  readonly baselineHeap: number;
  /** Heap used after a forced GC with every order watched and none finished; -1 if never reached. */
  readonly heapAtFull: number;
  /** RSS right after that GC: what the watched orders hold, without the garbage between collections. */
  readonly rssAtFull: number;
  readonly timedOut: boolean;
}

function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc ?? exposeGc();
  collect();
  collect();
}

function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Allocation sampling of the measured window, objects collected since included: where the garbage of a poll
 * comes from. Set `TRADESTATE_BENCH_HEAP_PROF=FILE` in the environment of `pnpm bench` to write it.
 */
async function startHeapSampling(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 4096,
    includeObjectsCollectedByMajorGC: true,
    // TRADESTATE_BENCH_HEAP_PROF_OLD=1: leave out what the scavenger collects, so the profile shows what
    // reached the old generation (live, or garbage for the next major GC): what grows peak RSS.
    includeObjectsCollectedByMinorGC: process.env['TRADESTATE_BENCH_HEAP_PROF_OLD'] !== '1',
  } as never);
  return session;
}

async function startProfiler(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return session;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  if (typeof error === 'object' && error !== null && 'code' in error) return JSON.stringify(error);
  return String(error);
}

let prepared: { readonly key: string; readonly factory: WatcherFactory } | undefined;

/** The contender's client, built at warm-up so its set-up (an RSA key for the peer) is never measured. */
function factoryFor(params: WarmupParams | RunParams): WatcherFactory {
  const key = `${params.contender} ${params.url}`;
  if (prepared?.key !== key) prepared = { key, factory: prepareContender(params.contender, params.url) };
  return prepared.factory;
}

function watchAll(params: WarmupParams | RunParams, ramp: (start: (id: string) => void) => void) {
  let paid = 0;
  let endedOtherwise = 0;
  let errors = 0;
  let firstError: string | undefined;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const total = params.ids.length;
  const watcher = factoryFor(params)(params.intervalMs, {
    onDone: (ok) => {
      if (ok) paid++;
      else endedOtherwise++;
      if (paid + endedOtherwise === total) resolveDone();
    },
    onError: (error) => {
      errors++;
      firstError ??= describe(error);
    },
  });
  ramp((id) => watcher.watch(id));
  return {
    done,
    end: () => watcher.end(),
    figures: () => ({ paid, endedOtherwise, errors, firstError }),
  };
}

serveParent({
  /** Runs the whole watch path on a few orders so every contender is measured warm (JIT, sockets, modules). */
  async warmup(params: WarmupParams) {
    const run = watchAll(params, (start) => {
      for (const id of params.ids) start(id);
    });
    run.end();
    await run.done;
    return run.figures();
  },

  async run(params: RunParams): Promise<RunFigures> {
    gc();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let heapAtFull = -1;
    let rssAtFull = -1;
    let gcCpu = { user: 0, system: 0 };
    // rss() alone: a full memoryUsage() walks the heap spaces and would cost the client more than it measures.
    const sampler = setInterval(() => {
      const rss = process.memoryUsage.rss();
      if (rss > peakRss) peakRss = rss;
    }, 20);

    const profiler = params.profileFile === undefined ? undefined : await startProfiler();
    const heapProfileFile = process.env['TRADESTATE_BENCH_HEAP_PROF'];
    const heapSampler = heapProfileFile === undefined ? undefined : await startHeapSampling();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const total = params.ids.length;
    let started = 0;
    let driver: NodeJS.Timeout | undefined;
    const run = watchAll(params, (start) => {
      // One driver timer starts the orders due, for every contender alike; it sleeps until the next batch is due.
      const tick = () => {
        const elapsed = performance.now() - t0;
        while (started < total && (started * params.rampMs) / total <= elapsed) start(params.ids[started++] as string);
        if (started === total) run.end();
        else driver = setTimeout(tick, Math.max(5, (started * params.rampMs) / total - elapsed));
      };
      driver = setTimeout(tick, 0);
    });
    const full = setTimeout(() => {
      const before = process.cpuUsage();
      gc();
      const afterGc = process.memoryUsage();
      heapAtFull = afterGc.heapUsed;
      rssAtFull = afterGc.rss;
      gcCpu = process.cpuUsage(before);
    }, params.fullAtMs);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      run.done.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), params.timeoutMs);
      }),
    ]);
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    if (profiler !== undefined && params.profileFile !== undefined) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(params.profileFile, JSON.stringify(profile));
      profiler.disconnect();
    }
    if (heapSampler !== undefined && heapProfileFile !== undefined) {
      const { profile } = await heapSampler.post('HeapProfiler.stopSampling');
      writeFileSync(`${heapProfileFile}.${params.contender}.heapprofile`, JSON.stringify(profile));
      heapSampler.disconnect();
    }
    clearTimeout(timer);
    clearTimeout(full);
    clearTimeout(driver);
    clearInterval(sampler);
    return {
      cpuUserUs: cpu.user - gcCpu.user,
      cpuSystemUs: cpu.system - gcCpu.system,
      wallMs,
      ...run.figures(),
      baselineRss: baseline.rss,
      peakRss,
      baselineHeap: baseline.heapUsed,
      heapAtFull,
      rssAtFull,
      timedOut,
    };
  },
});
