import type { OrderWatch } from '@tradestate/machine';
import type picocolors from 'picocolors';

type Colors = ReturnType<typeof picocolors.createColors>;

/**
 * One emission of a watch as the JSON line `tradestate watch --json` prints: no key, no signed string, only
 * what the answers said (the order with `paidAt` as ISO 8601) and how the watch stands.
 *
 * @example
 * ```ts
 * process.stdout.write(JSON.stringify(watchToJson(watch, 1200)) + '\n');
 * ```
 */
export function watchToJson(watch: OrderWatch, elapsedMs: number): Record<string, unknown> {
  return {
    outTradeNo: watch.query.outTradeNo ?? watch.order?.outTradeNo ?? null,
    transactionId: watch.query.transactionId ?? watch.order?.transactionId ?? null,
    tradeState: watch.tradeState ?? null,
    done: watch.done,
    end: watch.end ?? null,
    attempts: watch.attempts,
    elapsedMs: Math.round(elapsedMs),
    order: watch.order ?? null,
    error: watch.error === undefined ? null : { code: watch.error.code, message: watch.error.message },
    anomalies: watch.anomalies.map((anomaly) => ({ kind: anomaly.kind, from: anomaly.from, to: anomaly.to })),
  };
}

function yuan(fen: number | undefined): string {
  return fen === undefined ? '' : `¥${(fen / 100).toFixed(2)}`;
}

const END_WORDS: Record<string, string> = {
  SUCCESS: 'paid',
  REFUND: 'refunded',
  CLOSED: 'ended unpaid: closed',
  REVOKED: 'ended unpaid: revoked',
  PAYERROR: 'ended unpaid: payment failed',
  NOT_FOUND: 'not found',
  DEADLINE: 'deadline reached, still open',
  ERROR: 'error',
  CANCELLED: 'cancelled',
};

/**
 * A human line for one emission, and a key that changes only when the line's news does (state or end).
 *
 * @example
 * ```ts
 * describeWatch(watch, picocolors.createColors(false)).text; // 'NOTPAY · 2 queries'
 * ```
 */
export function describeWatch(watch: OrderWatch, colors: Colors): { key: string; text: string } {
  const state = watch.tradeState ?? '(no answer yet)';
  const queries = `${watch.attempts} ${watch.attempts === 1 ? 'query' : 'queries'}`;
  if (!watch.done) {
    const error = watch.error === undefined ? '' : colors.yellow(` · retrying after ${watch.error.code}`);
    return { key: state, text: `${state} · ${queries}${error}` };
  }
  const end = watch.end;
  const words =
    watch.end === 'DEADLINE' && watch.reason === 'NO_ANSWER'
      ? 'deadline reached without a single verified answer: nothing is known'
      : (END_WORDS[end] ?? end);
  const good = end === 'SUCCESS';
  const paint = good ? colors.green : end === 'DEADLINE' || end === 'NOT_FOUND' ? colors.yellow : colors.red;
  const order = watch.order;
  const details = [
    order?.transactionId === undefined ? '' : `transaction ${order.transactionId}`,
    yuan(order?.totalFee),
    order?.paidAt === undefined ? '' : `paid at ${order.paidAt.toISOString()}`,
    queries,
    watch.error === undefined ? '' : `${watch.error.code}: ${watch.error.message}`,
  ].filter((part) => part !== '');
  return { key: `end:${end}`, text: `${paint(`${words} (${end})`)} · ${details.join(' · ')}` };
}
