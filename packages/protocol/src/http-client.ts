import type https from 'node:https';
import { Axios, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { decodeOrderQuery } from './decode.ts';
import { InvalidArgumentError } from './errors.ts';
import { bindExpected } from './expect.ts';
import { createNodeAdapter } from './node-adapter.ts';
import { nextNonce } from './nonce.ts';
import { createOrderActions, type PayClient } from './pay-client.ts';
import { queryIdentifier } from './query.ts';
import { createQueryBodyBuilder } from './query-body.ts';
import { NO_HARDENING, postSignedXml, type SignedPostTransport } from './signed-post.ts';
import type { OrderQuery, OrderQueryOutcome, QueryOptions, SignType } from './types.ts';
import { checkWireId } from './wire-id.ts';
import { DEFAULT_MAX_XML_BYTES } from './xml.ts';

/**
 * WeChat Pay's v2 API host.
 *
 * @example
 * ```ts
 * createPayClient({ appId, mchId, key, baseURL: DEFAULT_BASE_URL });
 * ```
 */
export const DEFAULT_BASE_URL = 'https://api.mch.weixin.qq.com';

/**
 * Default total deadline of one query, from the first byte sent to the last byte read.
 *
 * @example
 * ```ts
 * createPayClient({ appId, mchId, key, timeoutMs: DEFAULT_TIMEOUT_MS / 2 });
 * ```
 */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The path of the v2 order query, relative to `baseURL`. */
const ORDER_QUERY_PATH = '/pay/orderquery';

/**
 * Options of {@link createPayClient}.
 *
 * @example
 * ```ts
 * const options: PayClientOptions = { appId: 'wxd930ea5d5a258f4f', mchId: '10000100', key: process.env.WECHATPAY_KEY! };
 * ```
 */
export interface PayClientOptions {
  /** `appid`; in service-provider mode the provider's appid. */
  readonly appId: string;
  /** `mch_id`; in service-provider mode the provider's merchant id. */
  readonly mchId: string;
  /** The API key (v2). Used only to sign and verify; never sent, logged or put in an error. */
  readonly key: string;
  /** Service-provider mode: the sub-merchant's `sub_appid`. */
  readonly subAppId?: string | undefined;
  /** Service-provider mode: the sub-merchant's `sub_mch_id`; answers must name it. */
  readonly subMchId?: string | undefined;
  /** Default `'MD5'`. With `'HMAC-SHA256'` the request carries `sign_type` and answers are verified with it. */
  readonly signType?: SignType | undefined;
  /** Default {@link DEFAULT_BASE_URL}; a sandbox or backup host. Requests never leave it. */
  readonly baseURL?: string | undefined;
  /** Total deadline per query in ms, covering connect, send and the whole body. Default {@link DEFAULT_TIMEOUT_MS}. */
  readonly timeoutMs?: number | undefined;
  /** Largest answer read, in bytes. Default `DEFAULT_MAX_XML_BYTES` (64 KiB). */
  readonly maxBytes?: number | undefined;
  /**
   * An axios instance whose interceptors and headers apply to each query. The transport settings that make the
   * client safe (adapter, baseURL, no redirects, no absolute URLs, size cap, text body) are set per request
   * and override the instance's.
   */
  readonly axios?: AxiosInstance | undefined;
  /**
   * The agent for `https` requests, e.g. `new https.Agent({ pfx, passphrase: mchId, keepAlive: true })` with the
   * merchant's `apiclient_cert.p12`: WeChat requires that client certificate for `/secapi/` (reverseOrder).
   * Default: a shared keep-alive agent without a certificate. (axios's own `httpsAgent` option is not used: the
   * client's adapter sends every request, also those of a caller-supplied `axios` instance.)
   */
  readonly httpsAgent?: https.Agent | undefined;
}

function checkOptions(options: PayClientOptions): void {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options must be an object');
  checkWireId('appId', options.appId, false);
  checkWireId('mchId', options.mchId, false);
  checkWireId('subAppId', options.subAppId, true);
  checkWireId('subMchId', options.subMchId, true);
  if (typeof options.key !== 'string' || options.key === '') throw new InvalidArgumentError('key must be non-empty');
  const { signType, timeoutMs, maxBytes, baseURL } = options;
  if (signType !== undefined && signType !== 'MD5' && signType !== 'HMAC-SHA256') {
    throw new InvalidArgumentError("signType must be 'MD5' or 'HMAC-SHA256'");
  }
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new InvalidArgumentError('timeoutMs must be a positive number');
  }
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
    throw new InvalidArgumentError('maxBytes must be a positive integer');
  }
  if (baseURL !== undefined && !/^https?:\/\/[^/?#]+/i.test(baseURL)) {
    throw new InvalidArgumentError('baseURL must be an absolute http(s) URL');
  }
}

/**
 * Creates the HTTP {@link PayClient} for WeChat Pay v2 `POST /pay/orderquery` (plus `closeOrder`, `reverseOrder`
 * and `decodeNotification` bound to this merchant, see {@link PayClient}), over axios with a minimal
 * `node:http` adapter and a shared keep-alive agent.
 *
 * Each query: validates the identifier (exactly one of `outTradeNo`/`transactionId`, ≤ 32 of `[A-Za-z0-9_*|-]`)
 * before any request; signs with a fresh CSPRNG nonce (`crypto.randomFillSync`, pooled, never reused) (`sign_type` only for HMAC-SHA256;
 * `sub_appid`/`sub_mch_id` in service-provider mode); posts under a **total** deadline (`timeoutMs`, also
 * ended by the caller's `signal`), with redirects refused, absolute URLs never leaving `baseURL` and the body
 * capped at `maxBytes`; then decodes with {@link decodeOrderQuery}, binding the answer to this merchant and
 * order so an answer about another is a `MismatchError`.
 *
 * Throws `InvalidArgumentError` (bad options or query), `TransportError` (`TIMEOUT`, `ABORTED`, `NETWORK`,
 * `HTTP_STATUS`, `NOT_XML`, `RESPONSE_TOO_LARGE`), and whatever {@link decodeOrderQuery} throws.
 *
 * @example
 * ```ts
 * const client = createPayClient({ appId: 'wxd930ea5d5a258f4f', mchId: '10000100', key: process.env.WECHATPAY_KEY! });
 * const outcome = await client.queryOrder({ outTradeNo: '1415757673' }, { signal: AbortSignal.timeout(30_000) });
 * if (outcome.kind === 'order') console.log(outcome.tradeState, outcome.order.totalFee);
 * ```
 */
export function createPayClient(options: PayClientOptions): PayClient {
  checkOptions(options);
  const { appId, mchId, key, subAppId, subMchId } = options;
  const signType = options.signType ?? 'MD5';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  const hardening: AxiosRequestConfig = {
    baseURL: options.baseURL ?? DEFAULT_BASE_URL,
    adapter: createNodeAdapter({ maxBytes, httpsAgent: options.httpsAgent }),
    allowAbsoluteUrls: false,
    maxRedirects: 0,
    maxContentLength: maxBytes,
    responseType: 'text',
    transformRequest: [],
    transformResponse: [],
    // Every status reaches the client, which maps it to a TransportError itself.
    validateStatus: null,
    // The client's adapter reads `timeout` as a total deadline (axios's Node adapter: only an idle timeout).
    timeout: timeoutMs,
    headers: { 'Content-Type': 'text/xml; charset=utf-8', Accept: 'text/xml, application/xml' },
  };
  // Without a caller's instance, a bare `Axios` whose only defaults are the hardening: `axios.create` would
  // merge in axios's global defaults (transitional flags, per-method header sets, env, the XSRF settings…),
  // which every request then merges again, ~13 µs of CPU per query for settings that never apply here.
  const instance = options.axios ?? new Axios(hardening);
  const perRequest: AxiosRequestConfig = options.axios === undefined ? NO_HARDENING : hardening;

  const buildBody = createQueryBodyBuilder({ appId, mchId, subAppId, subMchId, key, signType });
  const requestBody = (field: 'out_trade_no' | 'transaction_id', value: string): string =>
    buildBody(field, value, nextNonce());
  const transport: SignedPostTransport = { instance, perRequest, timeoutMs };

  async function queryOrder(query: OrderQuery, queryOptions: QueryOptions = {}): Promise<OrderQueryOutcome> {
    const id = queryIdentifier(query);
    const expect = bindExpected({ appId, mchId, subAppId, subMchId }, queryOptions.expect, {
      outTradeNo: id.field === 'out_trade_no' ? id.value : undefined,
      transactionId: id.field === 'transaction_id' ? id.value : undefined,
    });
    const body = await postSignedXml(transport, ORDER_QUERY_PATH, requestBody(id.field, id.value), queryOptions.signal);
    return decodeOrderQuery(body, { key, signType, expect, maxBytes });
  }

  const actions = createOrderActions({
    transport,
    requestBody,
    key,
    signType,
    maxBytes,
    merchant: { appId, mchId, subAppId, subMchId },
  });
  return { queryOrder, ...actions };
}
