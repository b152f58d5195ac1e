import { type OrderWatch, type Schedule, schedules, watchOrder } from '@tradestate/machine';
import type { PayClient } from '@tradestate/protocol';
import { lastValueFrom, tap } from 'rxjs';

/**
 * How a point-of-sale charge ended, in the cashier's words.
 * - `PAID`: SUCCESS, hand over the goods.
 * - `DECLINED`: PAYERROR (insufficient balance, wrong password too often…): ask for another way to pay.
 * - `REVERSED`: the 45 s window closed unpaid (or the answer stayed unknown) and the order was reversed, so the
 *   customer cannot pay it late; start again.
 * - `CANCELLED`: WeChat says the order was closed or revoked already.
 * - `NEEDS_ATTENTION`: reversing failed too: a person must check the order in the merchant platform.
 *
 * @example
 * const outcome: PosOutcome = 'PAID';
 */
export type PosOutcome = 'PAID' | 'DECLINED' | 'REVERSED' | 'CANCELLED' | 'NEEDS_ATTENTION';

/**
 * The result of {@link chargeAtCounter}.
 *
 * @example
 * const { result, timeline, queries } = await chargeAtCounter(options);
 */
export interface PosResult {
  readonly result: PosOutcome;
  /** Each trade state seen, in order, then `REVERSED` when the POS reversed the order. */
  readonly timeline: readonly string[];
  /** Orderquery calls spent. */
  readonly queries: number;
  /** Reverse calls spent (0 unless the window closed unpaid). */
  readonly reverseCalls: number;
  /** How the watch ended (`SUCCESS`, `PAYERROR`, `DEADLINE`…). */
  readonly end: string | undefined;
}

/**
 * Options of {@link chargeAtCounter}.
 *
 * @example
 * const options: ChargeOptions = { client, outTradeNo: 'POS1' };
 */
export interface ChargeOptions {
  /**
   * Queries the order and, if need be, reverses it (`createPayClient`). For the real `/secapi/pay/reverse` it needs
   * the merchant's client certificate: `createPayClient({ ..., httpsAgent })`.
   */
  readonly client: PayClient;
  readonly outTradeNo: string;
  /** How long the customer has to confirm on the phone. Default 45 s, WeChat's micropay guidance. */
  readonly windowMs?: number | undefined;
  /** Default `schedules.micropay`. */
  readonly schedule?: Schedule | undefined;
  /** Pause between reverse calls when WeChat says `recall=Y`. Default 10 s, WeChat's advice. */
  readonly reverseDelayMs?: number | undefined;
  /** Called on every change, e.g. to show "waiting for the customer's password" on the till. */
  readonly onChange?: ((watch: OrderWatch) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Charges a scanned payment code: watches the micropay on WeChat's cadence for the window, and when the window
 * closes unpaid (or the cashier cancels) lets the library reverse it (`atDeadline: 'reverse'`: reverse, again
 * after each `recall=Y`, then a verified query), so the money's fate is certain before the till moves on.
 *
 * @example
 * const result = await chargeAtCounter({ client, outTradeNo: 'POS1' });
 * if (result.result === 'PAID') printReceipt();
 */
export async function chargeAtCounter(options: ChargeOptions): Promise<PosResult> {
  const timeline: string[] = [];
  const watch = (deadline: number, signal: AbortSignal | undefined) =>
    lastValueFrom(
      watchOrder({
        client: options.client,
        query: { outTradeNo: options.outTradeNo },
        schedule: options.schedule ?? schedules.micropay,
        deadline,
        signal,
        atDeadline: 'reverse',
        settleTiming: { recallPauseMs: options.reverseDelayMs ?? 10_000 },
      }).pipe(
        tap((w) => {
          const state = w.tradeState;
          // What the reversal's own query learns is told as REVERSED below, not as a state the customer reached.
          if (w.settle === undefined && state !== undefined && timeline.at(-1) !== state) timeline.push(state);
          options.onChange?.(w);
        }),
      ),
    );
  const first = await watch(options.windowMs ?? 45_000, options.signal);
  // The cashier cancelled: the money's fate is unknown, so reverse now (a watch whose deadline is already here).
  const last = first.end === 'CANCELLED' ? await watch(0, undefined) : first;
  const reverseCalls = last.settle?.calls ?? 0;
  const done = (result: PosOutcome): PosResult => ({
    result,
    timeline,
    queries: first.attempts + (last === first ? 0 : last.attempts),
    reverseCalls,
    end: first.end === 'CANCELLED' ? first.end : last.end,
  });
  switch (last.end) {
    case 'SUCCESS':
      return done('PAID');
    case 'PAYERROR':
      return done('DECLINED');
    case 'CLOSED':
    case 'REVOKED':
      if (last.settle === undefined) return done('CANCELLED');
      timeline.push('REVERSED');
      return done('REVERSED');
    default:
      // A reversal refused (wrong key, too old), NOT_FOUND: a person must look at it.
      return done('NEEDS_ATTENTION');
  }
}
