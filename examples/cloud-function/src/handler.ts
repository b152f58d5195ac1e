import { type Schedule, schedules, watchOrder } from '@tradestate/machine';
import { type CloudPayLike, createCloudPayClient, InvalidArgumentError, TradestateError } from '@tradestate/protocol';
import { lastValueFrom } from 'rxjs';

/**
 * What the Mini Program sends: which order, and how long it is willing to wait for the payment to land.
 *
 * @example
 * wx.cloud.callFunction({ name: 'isOrderPaid', data: { outTradeNo: 'MP1', waitMs: 5000 } });
 */
export interface IsPaidEvent {
  readonly outTradeNo?: unknown;
  /** 0 (the default) answers from one query; more keeps watching, up to the function's own time limit. */
  readonly waitMs?: unknown;
}

/**
 * The answer: `paid` is true only on a SUCCESS the cloud verified.
 *
 * @example
 * const { result } = await wx.cloud.callFunction({ name: 'isOrderPaid', data: { outTradeNo } });
 * if (result.paid) showReceipt(result.totalFee);
 */
export interface IsPaidAnswer {
  readonly paid: boolean;
  readonly outTradeNo: string;
  /** The last verified `trade_state`, or `undefined` when none came (not found, error). */
  readonly tradeState: string | undefined;
  /** How the watch ended: SUCCESS, CLOSED, DEADLINE (still open when the wait ran out), NOT_FOUND, ERROR… */
  readonly end: string | undefined;
  readonly totalFee: number | undefined;
  readonly transactionId: string | undefined;
  /** `time_end` as ISO 8601, when paid. */
  readonly paidAt: string | undefined;
  readonly queries: number;
  /** A stable error code when the question could not be answered (`INVALID_ARGUMENT`, `NETWORK`, `SYSTEMERROR`…). */
  readonly error?: string | undefined;
}

/**
 * Options of {@link createIsPaidHandler}.
 *
 * @example
 * const options: IsPaidOptions = { subMchId: '1900000109', maxWaitMs: 15_000 };
 */
export interface IsPaidOptions {
  /** The sub-merchant the cloud environment pays for. */
  readonly subMchId: string;
  /** Upper bound of `event.waitMs`: stay inside the function's configured timeout (3 s by default, 60 s max). */
  readonly maxWaitMs?: number | undefined;
  /**
   * How often to ask while waiting, after a first query at once. Default `schedules.native` (every 2 s): the
   * customer is looking at the Mini Program's result page.
   */
  readonly schedule?: Schedule | undefined;
}

const OUT_TRADE_NO = /^[A-Za-z0-9_*|-]{1,32}$/;

/** One query, now; then the watch ends (DEADLINE unless the answer was final). */
const ONCE: Schedule = (attempt) => (attempt === 0 ? 0 : null);
/** Room for that one query (the CloudPay client's own timeout is 10 s). */
const ONE_QUERY_DEADLINE_MS = 10_000;

function atOnceThen(schedule: Schedule): Schedule {
  return (attempt, last) => (attempt === 0 ? 0 : schedule(attempt, last));
}

function readEvent(event: IsPaidEvent, maxWaitMs: number): { outTradeNo: string; waitMs: number } {
  const { outTradeNo, waitMs = 0 } = event;
  if (typeof outTradeNo !== 'string' || !OUT_TRADE_NO.test(outTradeNo)) {
    throw new InvalidArgumentError('outTradeNo must be 1 to 32 characters of [A-Za-z0-9_*|-]');
  }
  if (typeof waitMs !== 'number' || !Number.isFinite(waitMs) || waitMs < 0) {
    throw new InvalidArgumentError('waitMs must be a non-negative number of milliseconds');
  }
  return { outTradeNo, waitMs: Math.min(waitMs, maxWaitMs) };
}

/**
 * Builds the cloud function's `main(event, context)`: "is this order paid?", answered with
 * `createCloudPayClient(cloud)` and `watchOrder`. With `waitMs` 0 it asks once; otherwise it asks at once and
 * keeps watching until the order ends or the wait runs out. `paid` is true only on a SUCCESS; bad input is
 * answered with `error: 'INVALID_ARGUMENT'`, never a guess.
 *
 * @example
 * // index.js of the cloud function
 * const cloud = require('wx-server-sdk');
 * cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
 * exports.main = createIsPaidHandler(cloud, { subMchId: '1900000109' });
 */
export function createIsPaidHandler(
  cloud: CloudPayLike,
  options: IsPaidOptions,
): (event: IsPaidEvent, context?: unknown) => Promise<IsPaidAnswer> {
  const cloudClient = createCloudPayClient(cloud, { subMchId: options.subMchId });
  const maxWaitMs = options.maxWaitMs ?? 15_000;
  return async (event) => {
    let request: { outTradeNo: string; waitMs: number };
    try {
      request = readEvent(event ?? {}, maxWaitMs);
    } catch (err) {
      return unanswered(typeof event?.outTradeNo === 'string' ? event.outTradeNo : '', err);
    }
    try {
      const oneShot = request.waitMs === 0;
      const last = await lastValueFrom(
        watchOrder({
          client: cloudClient,
          query: { outTradeNo: request.outTradeNo },
          // The customer has just paid (or not): ask at once, then on the schedule while allowed to wait.
          schedule: oneShot ? ONCE : atOnceThen(options.schedule ?? schedules.native),
          deadline: oneShot ? ONE_QUERY_DEADLINE_MS : request.waitMs,
          // A new order may take a moment to be visible; never tolerate ORDERNOTEXIST longer than the wait.
          notFoundGraceMs: request.waitMs,
        }),
      );
      const { tradeState } = last;
      return {
        paid: tradeState === 'SUCCESS',
        outTradeNo: request.outTradeNo,
        tradeState,
        end: last.end,
        totalFee: last.order?.totalFee,
        transactionId: last.order?.transactionId,
        paidAt: last.order?.paidAt?.toISOString(),
        queries: last.attempts,
        // At DEADLINE this is the last failure not followed by a good answer: why no answer came.
        error: last.error?.code,
      };
    } catch (err) {
      return unanswered(request.outTradeNo, err);
    }
  };
}

function unanswered(outTradeNo: string, err: unknown): IsPaidAnswer {
  return {
    paid: false,
    outTradeNo,
    tradeState: undefined,
    end: 'ERROR',
    totalFee: undefined,
    transactionId: undefined,
    paidAt: undefined,
    queries: 0,
    error: err instanceof TradestateError ? err.code : 'INTERNAL',
  };
}
