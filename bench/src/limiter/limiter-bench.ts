import { fileURLToPath } from 'node:url';
import { Child } from '../harness/child.ts';
import type { Section } from '../harness/results.ts';
import { round } from '../harness/stats.ts';
import { SandboxHandle } from '../sandbox/sandbox-handle.ts';
import type { LimiterRunFigures, LimiterRunParams } from './limiter-process.ts';
import { maxInWindow, meanRate } from './windows.ts';

const ENTRY = fileURLToPath(new URL('./limiter-process.ts', import.meta.url));

export interface LimiterBenchOptions {
  readonly watches: number;
  readonly ratePerSecond: number;
  /** The limiter's burst; undefined: the library's default. */
  readonly burst?: number | undefined;
  readonly durationMs: number;
}

export interface LimiterFigures {
  readonly maxPerSecond: number;
  readonly meanPerSecond: number;
  readonly ratePerSecond: number;
}

/**
 * Limiter: thousands of watches that each want a query every second share one `createLimiter`. The sandbox
 * timestamps every orderquery on arrival; the figure is the largest count in any sliding 1000 ms window.
 */
export async function runLimiterBench(
  options: LimiterBenchOptions,
): Promise<{ section: Section; figures: LimiterFigures }> {
  const sandbox = await SandboxHandle.start({ timeScale: 1, seed: 3 });
  const client = await Child.start(ENTRY, { label: 'limiter client' });
  let stamps: number[];
  let run: LimiterRunFigures;
  try {
    const ids = Array.from({ length: options.watches }, (_, i) => `L-${i}`);
    await sandbox.createOrders(ids.map((outTradeNo) => ({ outTradeNo, totalFee: 1, tradeType: 'NATIVE' as const })));
    await sandbox.takeStamps();
    run = await client.call<LimiterRunFigures>('run', {
      url: sandbox.url,
      ids,
      ratePerSecond: options.ratePerSecond,
      burst: options.burst,
      durationMs: options.durationMs,
    } satisfies LimiterRunParams);
    stamps = (await sandbox.takeStamps()).sort((a, b) => a - b);
  } finally {
    await client.stop();
    await sandbox.close();
  }
  const figures: LimiterFigures = {
    maxPerSecond: maxInWindow(stamps, 1000),
    meanPerSecond: meanRate(stamps),
    ratePerSecond: options.ratePerSecond,
  };
  return {
    section: {
      id: 'limiter',
      title: `limiter: ${options.watches.toLocaleString('en-US')} watches under ${options.ratePerSecond} queries/second`,
      columns: [
        { key: 'watches', label: 'watches' },
        { key: 'rate', label: 'limit /s' },
        { key: 'queries', label: 'queries seen by the sandbox' },
        { key: 'maxPerSecond', label: 'max in any 1 s window' },
        { key: 'meanPerSecond', label: 'mean /s' },
        { key: 'pendingAtEnd', label: 'waiting for a slot at the end' },
        { key: 'errors', label: 'watch errors' },
      ],
      rows: [
        {
          watches: options.watches,
          rate: options.ratePerSecond,
          queries: stamps.length,
          maxPerSecond: figures.maxPerSecond,
          meanPerSecond: round(figures.meanPerSecond),
          pendingAtEnd: run.pendingAtEnd,
          errors: run.errors,
        },
      ],
      notes: [
        `Every watch wants a query each second (demand ≈ ${options.watches.toLocaleString('en-US')}/s) for ${options.durationMs / 1000} s; one createLimiter({ ratePerSecond: ${options.ratePerSecond}${options.burst === undefined ? '' : `, burst: ${options.burst}`} }) for all${options.burst === undefined ? ' (default burst)' : ''}.`,
        'Counted by the sandbox process: each orderquery is timestamped on arrival (diagnostics channel http.server.request.start); windows slide over every arrival instant.',
      ],
    },
    figures,
  };
}
