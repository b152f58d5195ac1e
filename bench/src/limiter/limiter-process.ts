// The client process of the limiter benchmark: thousands of watches that all want to query every second,
// behind one shared limiter.
import { createLimiter, type Schedule, watchOrders } from '@tradestate/machine';
import { createPayClient, type OrderQuery } from '@tradestate/protocol';
import { from } from 'rxjs';
import { MERCHANT } from '../fixtures.ts';
import { serveParent } from '../harness/child.ts';

export interface LimiterRunParams {
  readonly url: string;
  readonly ids: readonly string[];
  readonly ratePerSecond: number;
  /** The limiter's burst; undefined: its default. */
  readonly burst?: number | undefined;
  readonly durationMs: number;
}

export interface LimiterRunFigures {
  readonly emissions: number;
  readonly errors: number;
  /** Watches still waiting for a slot when the run was stopped. */
  readonly pendingAtEnd: number;
}

const everySecond: Schedule = () => 1000;

serveParent({
  run(params: LimiterRunParams): Promise<LimiterRunFigures> {
    const client = createPayClient({ ...MERCHANT, baseURL: params.url });
    const limiter = createLimiter(
      params.burst === undefined
        ? { ratePerSecond: params.ratePerSecond }
        : { ratePerSecond: params.ratePerSecond, burst: params.burst },
    );
    let emissions = 0;
    let errors = 0;
    return new Promise((resolve) => {
      const subscription = watchOrders(from(params.ids.map((outTradeNo): OrderQuery => ({ outTradeNo }))), {
        client,
        schedule: everySecond,
        deadline: 3_600_000,
        limiter,
      }).subscribe({
        next: (watch) => {
          emissions++;
          if (watch.error !== undefined) errors++;
        },
      });
      setTimeout(() => {
        const pendingAtEnd = limiter.pending;
        subscription.unsubscribe();
        resolve({ emissions, errors, pendingAtEnd });
      }, params.durationMs);
    });
  },
});
