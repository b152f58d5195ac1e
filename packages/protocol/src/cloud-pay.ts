import { randomBytes } from 'node:crypto';
import type { CloseOrderOutcome } from './close-order.ts';
import { decodeCloudPayClose, decodeCloudPayResult } from './cloud-pay-result.ts';
import { InvalidArgumentError, TransportError } from './errors.ts';
import { bindExpected } from './expect.ts';
import type { CloseOrderRequest } from './pay-client.ts';
import { queryIdentifier } from './query.ts';
import { toTransportError } from './transport-error.ts';
import type { OrderQuery, OrderQueryClient, OrderQueryOutcome, QueryOptions } from './types.ts';

/** One wx-server-sdk CloudPay call: JSON parameters in, the SDK's result object out. */
type CloudPayCall = (params: Readonly<Record<string, string>>) => Promise<unknown>;

/**
 * The part of wx-server-sdk's `cloud` object this library calls. `closeOrder` is optional so that a cloud
 * object offering only queries still type-checks; {@link createCloudPayClient}'s result can close only when
 * it is there.
 *
 * @example
 * ```ts
 * import cloud from 'wx-server-sdk';
 * cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
 * const payCloud: CloudPayLike = cloud;
 * ```
 */
export interface CloudPayLike {
  readonly cloudPay: {
    queryOrder(params: Readonly<Record<string, string>>): Promise<unknown>;
    closeOrder?(params: Readonly<Record<string, string>>): Promise<unknown>;
  };
}

/**
 * A {@link CloudPayLike} that can close orders (`cloud.cloudPay.closeOrder`, wx-server-sdk 2.0.2 and later).
 *
 * @example
 * ```ts
 * const payCloud: CloudPayCloseLike = cloud; // wx-server-sdk's cloud object
 * ```
 */
export interface CloudPayCloseLike extends CloudPayLike {
  readonly cloudPay: CloudPayLike['cloudPay'] & {
    closeOrder(params: Readonly<Record<string, string>>): Promise<unknown>;
  };
}

/**
 * The client {@link createCloudPayClient} returns for a cloud that can close: queries, and closes an unpaid
 * order with the same outcomes as the HTTP client's `closeOrder`. CloudPay has no reverse.
 *
 * @example
 * ```ts
 * const client: CloudPayClient = createCloudPayClient(cloud, { subMchId: '1900000109' });
 * const outcome = await client.closeOrder({ outTradeNo: 'A1' });
 * ```
 */
export interface CloudPayClient extends OrderQueryClient {
  /**
   * `cloud.cloudPay.closeOrder`: stops WeChat accepting a payment for an unpaid order (WeChat refuses to close
   * an order younger than 5 minutes). Resolves `{ kind: 'closed' }` only for a SUCCESS answer about this
   * sub-merchant; `{ kind: 'error', code: 'ORDERPAID' }` means it was paid (query it).
   *
   * @example
   * ```ts
   * const outcome = await client.closeOrder({ outTradeNo: 'A1' }, { signal });
   * ```
   */
  closeOrder(request: CloseOrderRequest, options?: QueryOptions): Promise<CloseOrderOutcome>;
}

/**
 * Options of {@link createCloudPayClient}.
 *
 * @example
 * ```ts
 * const options: CloudPayClientOptions = { subMchId: '1900000109', timeoutMs: 10_000 };
 * ```
 */
export interface CloudPayClientOptions {
  /** The sub-merchant the cloud environment is bound to; answers must name it. */
  readonly subMchId: string;
  /** Total deadline per call in ms; the SDK call cannot be cancelled, only stopped being waited for. Default 10 000. */
  readonly timeoutMs?: number | undefined;
}

/** Calls the SDK, giving up (not cancelling: the SDK cannot) on the caller's signal or the deadline. */
async function callCloud(
  call: CloudPayCall,
  params: Readonly<Record<string, string>>,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<unknown> {
  if (signal?.aborted) throw new TransportError('ABORTED', 'call aborted by the caller');
  let timedOut = false;
  let stop: (reason: unknown) => void = () => {};
  const stopped = new Promise<never>((_resolve, reject) => {
    stop = reject;
  });
  const timer = setTimeout(() => {
    timedOut = true;
    stop(new Error('deadline'));
  }, timeoutMs);
  const onAbort = (): void => stop(new Error('aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.race([call(params), stopped]);
  } catch (err) {
    throw toTransportError(err, { aborted: signal?.aborted === true, timedOut, timeoutMs });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

function nonce(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Creates a client over WeChat CloudPay (wx-server-sdk's `cloud.cloudPay`), for code running in a WeChat cloud
 * function. `queryOrder` has the same query validation and outcomes as `createPayClient`'s; when the cloud
 * object has `cloudPay.closeOrder` the client also has `closeOrder` (typed {@link CloudPayClient}; otherwise an
 * {@link OrderQueryClient}). No key is needed because the cloud signs (see `decodeCloudPayResult` for the trust
 * boundary); every answer is still bound to this sub-merchant and the order asked about. A `signal` or the
 * deadline stops the wait with a `TransportError` (`ABORTED`, `TIMEOUT`); an SDK rejection is a `TransportError`
 * `NETWORK` whose `cause` keeps only the message.
 *
 * @example
 * ```ts
 * import cloud from 'wx-server-sdk';
 * cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
 * const client = createCloudPayClient(cloud, { subMchId: '1900000109' });
 * const outcome = await client.queryOrder({ outTradeNo: '1415757673' });
 * if (outcome.kind === 'order' && outcome.tradeState === 'NOTPAY') await client.closeOrder({ outTradeNo: '1415757673' });
 * ```
 */
export function createCloudPayClient(cloud: CloudPayCloseLike, options: CloudPayClientOptions): CloudPayClient;
export function createCloudPayClient(cloud: CloudPayLike, options: CloudPayClientOptions): OrderQueryClient;
export function createCloudPayClient(
  cloud: CloudPayLike,
  options: CloudPayClientOptions,
): OrderQueryClient | CloudPayClient {
  const { subMchId } = options;
  if (typeof subMchId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(subMchId)) {
    throw new InvalidArgumentError('subMchId must be 1 to 64 characters of [A-Za-z0-9_-]');
  }
  const cloudPay = cloud?.cloudPay;
  if (typeof cloudPay?.queryOrder !== 'function') {
    throw new InvalidArgumentError('cloud must be wx-server-sdk cloud, with cloudPay.queryOrder');
  }
  const closeCall = cloudPay.closeOrder;
  if (closeCall !== undefined && typeof closeCall !== 'function') {
    throw new InvalidArgumentError('cloud.cloudPay.closeOrder must be a function when present');
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new InvalidArgumentError('timeoutMs must be positive');
  // Bound, so a method taken off the client keeps the SDK's `this`.
  const queryCall: CloudPayCall = (params) => cloudPay.queryOrder(params);

  async function queryOrder(query: OrderQuery, queryOptions: QueryOptions = {}): Promise<OrderQueryOutcome> {
    const id = queryIdentifier(query);
    const expect = bindExpected({ subMchId }, queryOptions.expect, {
      outTradeNo: id.field === 'out_trade_no' ? id.value : undefined,
      transactionId: id.field === 'transaction_id' ? id.value : undefined,
    });
    const params = { sub_mch_id: subMchId, [id.field]: id.value, nonce_str: nonce() };
    return decodeCloudPayResult(await callCloud(queryCall, params, queryOptions.signal, timeoutMs), expect);
  }
  if (closeCall === undefined) return { queryOrder };

  const close: CloudPayCall = (params) => closeCall.call(cloudPay, params);
  async function closeOrder(request: CloseOrderRequest, closeOptions: QueryOptions = {}): Promise<CloseOrderOutcome> {
    if (typeof request !== 'object' || request === null || 'transactionId' in request) {
      throw new InvalidArgumentError('closeOrder takes { outTradeNo } only');
    }
    const id = queryIdentifier({ outTradeNo: request.outTradeNo });
    const expect = bindExpected({ subMchId }, closeOptions.expect, { outTradeNo: id.value });
    const params = { sub_mch_id: subMchId, out_trade_no: id.value, nonce_str: nonce() };
    return decodeCloudPayClose(await callCloud(close, params, closeOptions.signal, timeoutMs), expect);
  }
  return { queryOrder, closeOrder };
}
