// A child process that runs the sandbox for the benchmarks, so the server's CPU and memory never count for
// the client being measured. It also timestamps every orderquery request on arrival (through Node's
// `http.server.request.start` diagnostics channel), which is how the limiter's windows are counted.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type OrderSpec, type Sandbox, type SandboxOptions, startSandbox } from '@tradestate/sandbox';
import { serveParent } from '../harness/child.ts';
import type { OrderReport, SandboxStartOptions } from './sandbox-handle.ts';

const ORDER_QUERY = '/pay/orderquery';
let sandbox: Sandbox | undefined;
let stamps: number[] = [];
let scale = 1;

subscribe('http.server.request.start', (message) => {
  const { request } = message as { request: IncomingMessage };
  if (request.url === ORDER_QUERY) stamps.push(performance.timeOrigin + performance.now());
});

/**
 * A belt for notification timing: a sandbox timer that fired before `Date.now()` reached a paying step's due
 * instant used to leave the step, and its notification, to the next query of that order (the sandbox now
 * re-arms). Reading the order 2 ms after its due instant bounds any such lateness to 2 ms.
 */
function nudgePayment(box: Sandbox, spec: OrderSpec): void {
  const paying = spec.script?.find((step) => step.tradeState === 'SUCCESS');
  if (spec.notifyUrl === undefined || paying === undefined) return;
  const timer = setTimeout(() => box.getOrder(spec.outTradeNo), paying.afterMs * scale + 2);
  timer.unref();
}

function running(): Sandbox {
  if (sandbox === undefined) throw new Error('sandbox not started');
  return sandbox;
}

serveParent({
  async start(options: SandboxStartOptions) {
    const sandboxOptions: SandboxOptions = {
      timeScale: options.timeScale,
      seed: options.seed,
    };
    sandbox = await startSandbox(sandboxOptions);
    scale = options.timeScale;
    return { url: sandbox.url };
  },
  createOrders(specs: readonly OrderSpec[]) {
    const box = running();
    for (const spec of specs) {
      box.createOrder(spec);
      nudgePayment(box, spec);
    }
    return specs.length;
  },
  orders(outTradeNos: readonly string[]): OrderReport[] {
    const box = running();
    return outTradeNos.map((outTradeNo) => {
      const order = box.getOrder(outTradeNo);
      if (order === undefined) throw new Error(`no order ${outTradeNo}`);
      return {
        outTradeNo,
        tradeState: order.tradeState,
        history: order.history.map((h) => ({ tradeState: h.tradeState, at: Date.parse(h.at) })),
        queries: order.queries,
        notificationAttempts: order.notification?.attempts ?? 0,
      };
    });
  },
  takeStamps() {
    const taken = stamps;
    stamps = [];
    return taken;
  },
  counters() {
    const { requests, byEndpoint, byAnswer, faultsInjected, notifications } = running().counters();
    return { requests, byEndpoint, byAnswer, faultsInjected, notifications };
  },
  async close() {
    await sandbox?.close();
    sandbox = undefined;
    return true;
  },
});
