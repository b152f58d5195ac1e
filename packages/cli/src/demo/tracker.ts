import type { OrderRow } from '../render/order-row.ts';
import type { SummaryLine } from '../render/summary-table.ts';
import type { DemoScenario } from './scenarios.ts';

/**
 * What the tracker needs from each emission of a watch: the machine's `OrderWatch` reduced to names.
 *
 * @example
 * tracker.observe('jsapi-paid', { tradeState: 'NOTPAY', attempts: 1, done: false });
 */
export interface WatchSnapshot {
  readonly tradeState: string | undefined;
  readonly attempts: number;
  readonly done: boolean;
  readonly end?: string | undefined;
}

interface Progress {
  readonly scenario: DemoScenario;
  readonly timeline: string[];
  attempts: number;
  extraQueries: number;
  finishedAt: number | undefined;
}

/**
 * Keeps each demo order's timeline, queries and elapsed time, and judges whether it ended as scripted.
 *
 * @example
 * const tracker = new DemoTracker(DEMO_SCENARIOS, () => performance.now());
 * tracker.observe('jsapi-paid', { tradeState: 'SUCCESS', attempts: 9, done: true, end: 'SUCCESS' });
 * tracker.finish('jsapi-paid');
 */
export class DemoTracker {
  readonly #progress = new Map<string, Progress>();
  readonly #now: () => number;
  readonly #startedAt: number;

  constructor(scenarios: readonly DemoScenario[], now: () => number) {
    this.#now = now;
    this.#startedAt = now();
    for (const scenario of scenarios) {
      this.#progress.set(scenario.name, {
        scenario,
        timeline: [],
        attempts: 0,
        extraQueries: 0,
        finishedAt: undefined,
      });
    }
  }

  #get(name: string): Progress {
    const progress = this.#progress.get(name);
    if (progress === undefined) throw new Error(`no demo order named ${name}`);
    return progress;
  }

  #append(progress: Progress, entry: string): void {
    if (progress.timeline.at(-1) !== entry) progress.timeline.push(entry);
  }

  /** Records one emission of the order's watch; `end`s that are not trade states join the timeline. */
  observe(name: string, watch: WatchSnapshot): void {
    const progress = this.#get(name);
    progress.attempts = watch.attempts;
    if (watch.tradeState !== undefined) this.#append(progress, watch.tradeState);
    if (watch.done && watch.end !== undefined) this.#append(progress, watch.end);
  }

  /** Records a step the demo took after the watch (closing at the deadline) and what it established. */
  step(name: string, entry: string, queries: number): void {
    const progress = this.#get(name);
    progress.extraQueries += queries;
    this.#append(progress, entry);
  }

  /** Marks the order finished: its elapsed time stops. */
  finish(name: string): void {
    const progress = this.#get(name);
    progress.finishedAt ??= this.#now();
  }

  /** Whether every order is finished. */
  get allFinished(): boolean {
    return [...this.#progress.values()].every((progress) => progress.finishedAt !== undefined);
  }

  #verdict(progress: Progress): { status: OrderRow['status']; note: string | undefined } {
    const { scenario, timeline } = progress;
    if (progress.finishedAt === undefined) return { status: 'running', note: undefined };
    const last = timeline.at(-1);
    if (last !== scenario.expectedEnd) return { status: 'failed', note: `expected ${scenario.expectedEnd}` };
    const queries = progress.attempts + progress.extraQueries;
    if (scenario.maxQueries !== undefined && queries > scenario.maxQueries) {
      return { status: 'failed', note: `expected at most ${scenario.maxQueries} queries` };
    }
    return { status: 'ok', note: undefined };
  }

  #row(progress: Progress): OrderRow {
    const { status, note } = this.#verdict(progress);
    return {
      label: progress.scenario.name,
      timeline: progress.timeline,
      queries: progress.attempts + progress.extraQueries,
      elapsedMs: (progress.finishedAt ?? this.#now()) - this.#startedAt,
      status,
      note,
    };
  }

  /** The live view's rows, in scenario order. */
  rows(): OrderRow[] {
    return [...this.#progress.values()].map((progress) => this.#row(progress));
  }

  /** The summary table's lines. */
  summary(): SummaryLine[] {
    return [...this.#progress.values()].map((progress) => ({
      ...this.#row(progress),
      expected: progress.scenario.expectedEnd,
    }));
  }

  /** True when every order finished as its script said. */
  get allAsScripted(): boolean {
    return this.rows().every((row) => row.status === 'ok');
  }
}
