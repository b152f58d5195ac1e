import { type OrderWatch, type Schedule, schedules, watchOrder } from '@tradestate/machine';
import type { PayClient } from '@tradestate/protocol';
import { lastValueFrom, tap } from 'rxjs';
import { reverse } from './reverse.ts';

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
  /** Pause between reverse calls when WeChat says `recall=Y`. Default 1 s. */
  readonly reverseDelayMs?: number | undefined;
  /** Called on every change, e.g. to show "waiting for the customer's password" on the till. */
  readonly onChange?: ((watch: OrderWatch) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Follows a micropay (the customer's payment code scanned at the till) to its end. The micropay call itself
 * answered USERPAYING: the customer is typing the password. Query on the micropay schedule; SUCCESS or
 * PAYERROR end it; when the window closes still unpaid, or the answer stays unknown, reverse the order so it
 * cannot be paid late, following `recall`.
 *
 * @example
 * const { result } = await chargeAtCounter({ client, outTradeNo: 'POS1' });
 * if (result === 'PAID') printReceipt();
 */
export async function chargeAtCounter(options: ChargeOptions): Promise<PosResult> {
  const timeline: string[] = [];
  const last = await lastValueFrom(
    watchOrder({
      client: options.client,
      query: { outTradeNo: options.outTradeNo },
      schedule: options.schedule ?? schedules.micropay,
      deadline: options.windowMs ?? 45_000,
      signal: options.signal,
    }).pipe(
      tap((watch) => {
        const state = watch.tradeState;
        if (state !== undefined && timeline.at(-1) !== state) timeline.push(state);
        options.onChange?.(watch);
      }),
    ),
  );
  const done = (result: PosOutcome, reverseCalls = 0): PosResult => ({
    result,
    timeline,
    queries: last.attempts,
    reverseCalls,
    end: last.end,
  });
  switch (last.end) {
    case 'SUCCESS':
      return done('PAID');
    case 'PAYERROR':
      return done('DECLINED');
    case 'CLOSED':
    case 'REVOKED':
      return done('CANCELLED');
    default: {
      // DEADLINE, NOT_FOUND, ERROR, or the cashier cancelled: the money's fate is unknown; reversing makes it
      // certain. A cancelled charge is reversed too, so its signal (already aborted) must not stop the reversal.
      const reversal = await reverse(options.client, options.outTradeNo, {
        delayMs: options.reverseDelayMs,
        signal: last.end === 'CANCELLED' ? undefined : options.signal,
      });
      if (reversal.reversed) timeline.push('REVERSED');
      return done(reversal.reversed ? 'REVERSED' : 'NEEDS_ATTENTION', reversal.calls);
    }
  }
}
