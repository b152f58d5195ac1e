import { createLimiter, type OrderWatch, scaleSchedule, schedules, watchOrders } from '@tradestate/machine';
import { createPayClient } from '@tradestate/protocol';
import { CLOSE_MIN_AGE_MS, defaultMerchant, startSandbox } from '@tradestate/sandbox';
import picocolors from 'picocolors';
import { filter, from, lastValueFrom, merge, tap } from 'rxjs';
import { formatDuration } from '../duration.ts';
import type { OutputStream } from '../io.ts';
import { createLiveView } from '../render/live-view.ts';
import { renderSummaryTable, type SummaryLine } from '../render/summary-table.ts';
import { type NotificationReceiver, startNotificationReceiver } from './notification-receiver.ts';
import { DEMO_SCENARIOS, type DemoScenario, type WatchGroup } from './scenarios.ts';
import { DemoTracker } from './tracker.ts';

/**
 * Options of {@link runDemo}.
 *
 * @example
 * ```ts
 * await runDemo({ stdout: process.stdout, scale: 0.1 });
 * ```
 */
export interface DemoOptions {
  readonly stdout: OutputStream;
  /** Story time to real time: 0.1 plays a 60 s story in 6 s. Default 0.1. */
  readonly scale?: number | undefined;
  readonly scenarios?: readonly DemoScenario[] | undefined;
  /** Redraw in place. Default: `stdout` is a TTY. */
  readonly tty?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Receives the sandbox's event lines (orders created, state changes, notifications). */
  readonly log?: ((line: string) => void) | undefined;
}

/**
 * What {@link runDemo} found.
 *
 * @example
 * ```ts
 * const { ok, summary } = await runDemo({ stdout: process.stdout });
 * ```
 */
export interface DemoResult {
  /** Every order ended as its script said. */
  readonly ok: boolean;
  readonly summary: readonly SummaryLine[];
  /** `orderquery` answers the sandbox served, all orders together. */
  readonly sandboxQueries: number;
  readonly elapsedMs: number;
}

const outTradeNoOf = (scenario: DemoScenario) => `demo-${scenario.name}`;

function groupsOf(scenarios: readonly DemoScenario[]): { group: WatchGroup; members: DemoScenario[] }[] {
  const groups = new Map<string, { group: WatchGroup; members: DemoScenario[] }>();
  for (const scenario of scenarios) {
    const entry = groups.get(scenario.group.name) ?? { group: scenario.group, members: [] };
    entry.members.push(scenario);
    groups.set(scenario.group.name, entry);
  }
  return [...groups.values()];
}

/**
 * The main job on the embedded sandbox: creates orders that end differently, watches them all at once, shows a
 * live view, and closes with a summary table. `ok` only when every order ended as its script said.
 *
 * @example
 * ```ts
 * const { ok } = await runDemo({ stdout: process.stdout });
 * process.exitCode = ok ? 0 : 1;
 * ```
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const scale = options.scale ?? 0.1;
  const scenarios = options.scenarios ?? DEMO_SCENARIOS;
  const out = options.stdout;
  const tty = options.tty ?? out.isTTY === true;
  const colors = picocolors.createColors(tty);
  const started = performance.now();

  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1', timeScale: scale, logger: options.log });
  let receiver: NotificationReceiver | undefined;
  try {
    receiver = await startNotificationReceiver({ key: defaultMerchant.key });
    const client = createPayClient({ ...defaultMerchant, baseURL: sandbox.url });
    out.write(
      `${colors.bold('tradestate demo')}: ${scenarios.length} orders on the embedded WeChat Pay sandbox ` +
        `(${sandbox.url}), story time x${Math.round(1 / scale)}\n\n`,
    );
    for (const scenario of scenarios) {
      // The story starts 5 minutes (story time) after the customers placed their orders: WeChat refuses to
      // close an order younger than that, and the deadlines are shorter. Scripts keep their times from now.
      sandbox.createOrder({
        outTradeNo: outTradeNoOf(scenario),
        totalFee: scenario.totalFee,
        tradeType: scenario.tradeType,
        initialState: scenario.initialState,
        ageMs: CLOSE_MIN_AGE_MS,
        script: scenario.script.map((step) => ({ ...step, afterMs: step.afterMs + CLOSE_MIN_AGE_MS })),
        notifyUrl: scenario.notify ? receiver.url : undefined,
      });
    }

    const tracker = new DemoTracker(scenarios, () => performance.now());
    const view = createLiveView(out, () => tracker.rows(), { tty });
    view.refresh();
    const notifications = receiver.notifications;
    const limiter = createLimiter({ ratePerSecond: 50, burst: 10 });

    const storyStart = Date.now();
    const byOutTradeNo = new Map(scenarios.map((scenario) => [outTradeNoOf(scenario), scenario]));
    const afterEnd = (scenario: DemoScenario): void => {
      tracker.finish(scenario.name);
      view.refresh();
    };
    // One watchOrders stream per group (its schedule, deadline, refund policy), over one shared limiter and
    // one notification stream, as a merchant's till, web checkout and back-end job would run side by side.
    const watches = groupsOf(scenarios).map(({ group, members }) =>
      watchOrders(from(members.map((scenario) => ({ outTradeNo: outTradeNoOf(scenario) }))), {
        client,
        schedule: scaleSchedule(schedules[group.schedule], scale),
        deadline: group.deadlineMs * scale,
        // At the deadline the library settles the order as its preset says (close a QR order, reverse a micropay),
        // then a verified query decides: a payment may have won the race. The story's orders were placed five
        // minutes (story time) before it starts, so WeChat's 5-minute close rule does not hold the demo up.
        atDeadline: schedules[group.schedule].atDeadline,
        createdAt: storyStart - 300_000 * scale,
        settleTiming: {
          closeAfterMs: 300_000 * scale,
          recallPauseMs: 10_000 * scale,
          retryMs: 2000 * scale,
          maxRetryMs: 60_000 * scale,
        },
        followRefunds: group.followRefunds,
        notifications,
        limiter,
        signal: options.signal,
      }),
    );
    const scenarioOf = (watch: OrderWatch): DemoScenario => {
      const scenario = byOutTradeNo.get(watch.query.outTradeNo ?? '');
      if (scenario === undefined) throw new Error(`a watch for an order the demo did not create`);
      return scenario;
    };
    const all = merge(...watches).pipe(
      tap((watch) => {
        tracker.observe(scenarioOf(watch).name, watch);
        if (!watch.done) view.refresh();
      }),
      filter((watch) => watch.done),
      tap((watch) => afterEnd(scenarioOf(watch))),
    );
    await lastValueFrom(all, { defaultValue: undefined });
    view.stop();

    const summary = tracker.summary();
    const sandboxQueries = sandbox.counters().byEndpoint['/pay/orderquery'] ?? 0;
    const elapsedMs = performance.now() - started;
    const ok = tracker.allAsScripted;
    out.write(`\n${renderSummaryTable(summary, { color: tty })}\n`);
    const failed = summary.filter((line) => line.status !== 'ok').map((line) => line.label);
    const verdict = ok
      ? colors.green(`${summary.length}/${summary.length} orders ended as scripted`)
      : colors.red(`${summary.length - failed.length}/${summary.length} ended as scripted; not: ${failed.join(', ')}`);
    out.write(`${verdict} · ${sandboxQueries} queries served by the sandbox · ${formatDuration(elapsedMs)}\n`);
    return { ok, summary, sandboxQueries, elapsedMs };
  } finally {
    await receiver?.close();
    await sandbox.close();
  }
}
