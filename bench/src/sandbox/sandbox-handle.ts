import { fileURLToPath } from 'node:url';
import type { TradeState } from '@tradestate/protocol';
import type { OrderSpec, SandboxCounters } from '@tradestate/sandbox';
import { Child } from '../harness/child.ts';

export interface SandboxStartOptions {
  readonly timeScale: number;
  readonly seed: number;
}

/** What the benchmarks need to know about an order afterwards; `at` instants are epoch ms. */
export interface OrderReport {
  readonly outTradeNo: string;
  readonly tradeState: TradeState;
  readonly history: readonly { readonly tradeState: TradeState; readonly at: number }[];
  readonly queries: number;
  readonly notificationAttempts: number;
}

const ENTRY = fileURLToPath(new URL('./sandbox-process.ts', import.meta.url));

/** The sandbox running in a child process, driven over IPC. */
export class SandboxHandle {
  private constructor(
    private readonly child: Child,
    readonly url: string,
  ) {}

  static async start(options: SandboxStartOptions): Promise<SandboxHandle> {
    const child = await Child.start(ENTRY, { label: 'sandbox' });
    const { url } = await child.call<{ url: string }>('start', options);
    return new SandboxHandle(child, url);
  }

  createOrders(specs: readonly OrderSpec[]): Promise<number> {
    return this.child.call('createOrders', specs);
  }

  orders(outTradeNos: readonly string[]): Promise<OrderReport[]> {
    return this.child.call('orders', outTradeNos);
  }

  /** Arrival instants (epoch ms, sub-ms precision) of every orderquery request since the last call. */
  takeStamps(): Promise<number[]> {
    return this.child.call('takeStamps');
  }

  counters(): Promise<Omit<SandboxCounters, 'queriesByOrder'>> {
    return this.child.call('counters');
  }

  async close(): Promise<void> {
    await this.child.call('close').catch(() => undefined);
    await this.child.stop();
  }
}
