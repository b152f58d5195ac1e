import type {
  Order,
  OrderOutcome,
  OrderQuery,
  OrderQueryClient,
  OrderQueryOutcome,
  QueryOptions,
  TradeState,
} from '@tradestate/protocol';
import { TransportError } from '@tradestate/protocol';
import type { StoredOrder, WatchOutcome } from '../src/definition/types.ts';

/** A verified-looking order for out_trade_no `id`, as the protocol layer would hand it over. */
export function orderFor(outTradeNo: string, extra: Partial<Order> = {}): Order {
  return {
    appId: 'wxd930ea5d5a258f4f',
    mchId: '10000100',
    subAppId: undefined,
    subMchId: undefined,
    deviceInfo: undefined,
    openId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    isSubscribe: false,
    subOpenId: undefined,
    subIsSubscribe: undefined,
    tradeType: 'NATIVE',
    bankType: undefined,
    totalFee: 101,
    settlementTotalFee: undefined,
    feeType: 'CNY',
    cashFee: undefined,
    cashFeeType: undefined,
    couponFee: undefined,
    couponCount: undefined,
    coupons: [],
    transactionId: undefined,
    outTradeNo,
    attach: undefined,
    timeEnd: undefined,
    paidAt: undefined,
    tradeStateDesc: undefined,
    ...extra,
  };
}

export function storedOrder(outTradeNo: string): StoredOrder {
  return { ...orderFor(outTradeNo), paidAt: undefined };
}

export function stateOutcome(outTradeNo: string, tradeState: TradeState): OrderOutcome {
  return { kind: 'order', tradeState, order: orderFor(outTradeNo), fields: {} };
}

export function watchOutcome(outTradeNo: string, tradeState: TradeState | { unknown: string }): WatchOutcome {
  return { kind: 'order', tradeState, order: storedOrder(outTradeNo) };
}

/** One scripted answer of the fake client: an outcome, or an error to throw. */
export type Step = OrderQueryOutcome | Error;

/**
 * A test double of `OrderQueryClient` answering from a script (the last step repeats). It records every call
 * and its abort signal, and can hold answers until released, to test in-flight behaviour.
 */
export class ScriptedClient implements OrderQueryClient {
  readonly calls: { query: OrderQuery; signal: AbortSignal | undefined }[] = [];
  private index = 0;
  private held: (() => void)[] = [];

  constructor(
    private readonly steps: readonly Step[],
    private readonly options: { hold?: boolean } = {},
  ) {}

  get inFlight(): number {
    return this.held.length;
  }

  release(): void {
    const held = this.held;
    this.held = [];
    for (const go of held) go();
  }

  queryOrder(query: OrderQuery, options: QueryOptions = {}): Promise<OrderQueryOutcome> {
    this.calls.push({ query, signal: options.signal });
    const step = this.steps[Math.min(this.index, this.steps.length - 1)];
    this.index += 1;
    const answer = () => (step instanceof Error ? Promise.reject(step) : Promise.resolve(step!));
    if (!this.options.hold) return answer();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new TransportError('ABORTED', 'aborted by the caller'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.held.push(() => {
        options.signal?.removeEventListener('abort', onAbort);
        answer().then(resolve, reject);
      });
    });
  }
}

export function notFound(): OrderQueryOutcome {
  return { kind: 'not-found', message: 'order does not exist', fields: {} };
}

export function errorOutcome(code: string, retryable: boolean): OrderQueryOutcome {
  return { kind: 'error', code, message: `${code} said WeChat`, retryable, fields: {} };
}
