import { randomBytes } from 'node:crypto';
import { interpretOrderQuery } from './decode.ts';
import { InvalidArgumentError, MalformedResponseError, TransportError } from './errors.ts';
import { bindExpected, type ExpectedAnswer } from './expect.ts';
import { queryIdentifier } from './query.ts';
import { toTransportError } from './transport-error.ts';
import type { OrderQuery, OrderQueryClient, OrderQueryOutcome, QueryOptions } from './types.ts';

/**
 * The part of wx-server-sdk's `cloud` object this library calls.
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
  };
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
  /** Total deadline per query in ms; the SDK call cannot be cancelled, only stopped being waited for. Default 10 000. */
  readonly timeoutMs?: number | undefined;
}

const SDK_FIELDS = new Set(['errMsg', 'errmsg', 'err_msg']);

function malformed(message: string): MalformedResponseError {
  return new MalformedResponseError('MALFORMED_RESPONSE', message);
}

/** `couponFee_0` → `coupon_fee_0`, `subMchId` → `sub_mch_id`; snake_case passes unchanged. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

function wireValue(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw malformed(`${name} is not an integer`);
    return String(value);
  }
  throw malformed(`${name} is not a string or number`);
}

/**
 * The SDK overwrites WeChat's `err_code` with its own call status `0`, keeping only `err_code_des`. The codes
 * that change the outcome are recovered from the description; anything else stays unknown (and retryable).
 */
function recoverErrCode(description: string | undefined): string {
  if (description === undefined) return 'UNKNOWN';
  if (/不存在|ORDERNOTEXIST/i.test(description)) return 'ORDERNOTEXIST';
  if (/频率|FREQUENCY/i.test(description)) return 'FREQUENCY_LIMITED';
  if (/系统|SYSTEMERROR/i.test(description)) return 'SYSTEMERROR';
  return 'UNKNOWN';
}

function toFields(result: unknown): Record<string, string> {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw malformed('CloudPay result is not an object');
  }
  const source = result as Record<string, unknown>;
  const sdkStatus = source['errMsg'];
  if (sdkStatus !== undefined && (typeof sdkStatus !== 'string' || !sdkStatus.endsWith(':ok'))) {
    throw malformed('CloudPay call did not report ok');
  }
  const fields: Record<string, string> = Object.create(null);
  for (const name of Object.keys(source)) {
    if (SDK_FIELDS.has(name)) continue;
    const wire = snakeCase(name);
    if (!/^[a-z0-9_]+$/.test(wire) || wire === '__proto__' || wire === 'constructor' || wire === 'prototype') {
      throw malformed('CloudPay result has a field name outside [A-Za-z0-9_]');
    }
    const value = wireValue(wire, source[name]);
    if (value === undefined) continue;
    if (wire in fields && fields[wire] !== value) throw malformed(`CloudPay result repeats ${wire}`);
    fields[wire] = value;
  }
  // `errCode` 0 is the SDK's "call succeeded", not WeChat's err_code.
  if (fields['err_code'] === '0') {
    if (fields['result_code'] === 'FAIL') fields['err_code'] = recoverErrCode(fields['err_code_des']);
    else delete fields['err_code'];
  }
  return fields;
}

/**
 * Decodes what wx-server-sdk's `cloud.cloudPay.queryOrder` resolved with into an {@link OrderQueryOutcome}: the
 * camelCase shape the SDK really returns (`returnCode`, `resultCode`, `tradeState`, `totalFee` as a number,
 * `couponFee_0`, `errCode` overwritten with `0` while `errCodeDes` survives, `errMsg: 'cloudPay.queryOrder:ok'`)
 * and the snake_case shape of the docs. Outcomes are those of `decodeOrderQuery`; `fields` are snake_case.
 *
 * **Trust boundary**: there is no signature to check here. The WeChat cloud calls WeChat Pay with the
 * merchant's credentials and verifies the answer server-side; this function trusts the SDK's result as much as
 * the code that runs it trusts its cloud environment. `expect` still binds the answer to the query.
 * Non-objects, non-string/number values, unsafe numbers and a non-ok `errMsg` are `MalformedResponseError`s.
 *
 * @example
 * ```ts
 * const result = await cloud.cloudPay.queryOrder({ sub_mch_id, out_trade_no, nonce_str });
 * const outcome = decodeCloudPayResult(result, { subMchId: sub_mch_id, outTradeNo: out_trade_no });
 * ```
 */
export function decodeCloudPayResult(result: unknown, expect?: ExpectedAnswer): OrderQueryOutcome {
  return interpretOrderQuery(toFields(result), trustCloud, expect);
}

/** The cloud verified WeChat's signature before the SDK handed the result over. */
function trustCloud(): void {}

/**
 * Creates an {@link OrderQueryClient} over WeChat CloudPay (`cloud.cloudPay.queryOrder` of wx-server-sdk),
 * for code running in a WeChat cloud function. Same query validation and outcomes as `createPayClient`; no key
 * is needed because the cloud signs (see {@link decodeCloudPayResult} for the trust boundary).
 * A `signal` or the deadline stops the wait with a `TransportError` (`ABORTED`, `TIMEOUT`); an SDK rejection is
 * a `TransportError` `NETWORK` whose `cause` keeps only the message.
 *
 * @example
 * ```ts
 * import cloud from 'wx-server-sdk';
 * cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
 * const client = createCloudPayClient(cloud, { subMchId: '1900000109' });
 * const outcome = await client.queryOrder({ outTradeNo: '1415757673' });
 * ```
 */
export function createCloudPayClient(cloud: CloudPayLike, options: CloudPayClientOptions): OrderQueryClient {
  const { subMchId } = options;
  if (typeof subMchId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(subMchId)) {
    throw new InvalidArgumentError('subMchId must be 1 to 64 characters of [A-Za-z0-9_-]');
  }
  if (typeof cloud?.cloudPay?.queryOrder !== 'function') {
    throw new InvalidArgumentError('cloud must be wx-server-sdk cloud, with cloudPay.queryOrder');
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new InvalidArgumentError('timeoutMs must be positive');
  async function queryOrder(query: OrderQuery, queryOptions: QueryOptions = {}): Promise<OrderQueryOutcome> {
    const id = queryIdentifier(query);
    const expect = bindExpected({ subMchId }, queryOptions.expect, {
      outTradeNo: id.field === 'out_trade_no' ? id.value : undefined,
      transactionId: id.field === 'transaction_id' ? id.value : undefined,
    });
    const signal = queryOptions.signal;
    if (signal?.aborted) throw new TransportError('ABORTED', 'query aborted by the caller');
    const params = { sub_mch_id: subMchId, [id.field]: id.value, nonce_str: randomBytes(16).toString('hex') };

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
    let result: unknown;
    try {
      result = await Promise.race([cloud.cloudPay.queryOrder(params), stopped]);
    } catch (err) {
      throw toTransportError(err, { aborted: signal?.aborted === true, timedOut, timeoutMs });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    return decodeCloudPayResult(result, expect);
  }
  return { queryOrder };
}
