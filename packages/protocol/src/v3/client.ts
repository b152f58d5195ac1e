import { Axios, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import { InvalidArgumentError } from '../errors.ts';
import { bindExpected, type ExpectedAnswer } from '../expect.ts';
import { DEFAULT_BASE_URL, DEFAULT_TIMEOUT_MS } from '../http-client.ts';
import { createNodeAdapter } from '../node-adapter.ts';
import type { PaymentNotification } from '../notification.ts';
import type { PayClient } from '../pay-client.ts';
import { queryIdentifier } from '../query.ts';
import { NO_HARDENING } from '../signed-post.ts';
import type { OrderQuery, QueryOptions } from '../types.ts';
import { checkWireId } from '../wire-id.ts';
import { apiV3KeyOf } from './aes-gcm.ts';
import { decodeOrderQueryV3, type ResolvedDecodeV3 } from './decode.ts';
import { DEFAULT_MAX_JSON_BYTES } from './json.ts';
import { type KeyInput, privateKeyOf, publicKeyOf } from './keys.ts';
import { decodeNotificationV3, type NotificationRequestV3 } from './notification.ts';
import { decodeCloseOrderV3, decodeReverseOrderV3 } from './settle.ts';
import { sendV3, type V3Transport } from './transport.ts';
import type { PlatformVerifier } from './verify-response.ts';

/**
 * Options of {@link createPayClientV3}.
 *
 * @example
 * ```ts
 * const options: PayClientV3Options = {
 *   mchId: '1900000109', appId: 'wxd678efh567hg6787', serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
 *   privateKey: readFileSync('apiclient_key.pem'), platformPublicKey: readFileSync('pub_key.pem'),
 *   platformPublicKeyId: 'PUB_KEY_ID_0119000001092025', apiV3Key: process.env.WECHATPAY_APIV3_KEY,
 * };
 * ```
 */
export interface PayClientV3Options {
  /** `mchid`; in partner (service-provider) mode the provider's `sp_mchid`. */
  readonly mchId: string;
  /** `appid`; in partner mode the provider's `sp_appid`. */
  readonly appId: string;
  /** The serial number of the merchant's API certificate, sent in `Authorization`. */
  readonly serialNo: string;
  /** The merchant's API private key (`apiclient_key.pem`). Parsed once; never sent, logged or put in an error. */
  readonly privateKey: KeyInput;
  /** WeChat Pay's public key (or a platform certificate) every answer is verified with. */
  readonly platformPublicKey: KeyInput;
  /** Its id, `PUB_KEY_ID_…` or the certificate serial: answers signed under any other `Wechatpay-Serial` are refused. */
  readonly platformPublicKeyId: string;
  /** The APIv3 key (32 bytes), needed only by {@link PayClientV3.decodeNotification}. */
  readonly apiV3Key?: string | Uint8Array | undefined;
  /** Partner mode: the sub-merchant's `sub_mchid`; answers must name it. */
  readonly subMchId?: string | undefined;
  /** Partner mode: the sub-merchant's `sub_appid`. */
  readonly subAppId?: string | undefined;
  /** Default `https://api.mch.weixin.qq.com`; a sandbox or the backup host. Requests never leave it. */
  readonly baseURL?: string | undefined;
  /** Total deadline per request in ms. Default 10 000. */
  readonly timeoutMs?: number | undefined;
  /** Largest answer read, in bytes. Default 64 KiB. */
  readonly maxBytes?: number | undefined;
  /** An axios instance whose interceptors and headers apply; the hardening is set per request over it. */
  readonly axios?: AxiosInstance | undefined;
}

/**
 * The APIv3 client: the same {@link PayClient} contract as v2 (so `watchOrder`, settling and the fleet take it
 * unchanged) plus APIv3's notification decoder bound to this merchant.
 *
 * @example
 * ```ts
 * const client: PayClientV3 = createPayClientV3(options);
 * const outcome = await client.queryOrder({ outTradeNo: 'A1' });
 * ```
 */
export interface PayClientV3 extends PayClient {
  /**
   * {@link decodeNotificationV3} with this client's keys, bound to its merchant (and `expect`, e.g. the amount).
   * Throws `InvalidArgumentError` when the client was made without `apiV3Key`.
   *
   * @example
   * ```ts
   * const { order } = client.decodeNotification({ headers: req.headers, body: rawBody }, { expect: { totalFee: 100 } });
   * ```
   */
  decodeNotification(
    request: NotificationRequestV3,
    options?: { readonly expect?: ExpectedAnswer },
  ): PaymentNotification;
}

function checkOptions(options: PayClientV3Options): void {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options must be an object');
  checkWireId('mchId', options.mchId, false);
  checkWireId('appId', options.appId, false);
  checkWireId('serialNo', options.serialNo, false);
  checkWireId('platformPublicKeyId', options.platformPublicKeyId, false);
  checkWireId('subMchId', options.subMchId, true);
  checkWireId('subAppId', options.subAppId, true);
  if (options.subAppId !== undefined && options.subMchId === undefined) {
    throw new InvalidArgumentError('subAppId needs subMchId (partner mode)');
  }
  const { timeoutMs, maxBytes, baseURL } = options;
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

/** The path part of `baseURL`, without its trailing slashes: requests are signed with the path WeChat receives. */
function basePathOf(baseURL: string): string {
  return new URL(baseURL).pathname.replace(/\/+$/, '');
}

const enc = encodeURIComponent;

/**
 * Creates the WeChat Pay **APIv3** client: the same {@link PayClient} (`queryOrder`, `closeOrder`, `reverseOrder`)
 * and the same `OrderQueryOutcome`/`Order` as v2's {@link createPayClient}, over the same hardened axios transport
 * (axios on every path, a caller's instance keeps its interceptors, `allowAbsoluteUrls: false`, no redirects, a
 * size cap, a total deadline).
 *
 * - Requests are signed `WECHATPAY2-SHA256-RSA2048` (`METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`, a fresh 32-character
 *   nonce) with `Wechatpay-Serial` naming the configured platform key; keys are parsed once, here.
 * - `queryOrder` polls `GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=` (partner:
 *   `/v3/pay/partner/transactions/out-trade-no/{…}?sp_mchid=&sub_mchid=`; by `transactionId`: `…/id/{…}`). Poll by
 *   `outTradeNo`: WeChat finds an unpaid order by no other id. Path parameters are escaped.
 * - Every 2xx (the 204 of close included) is verified before anything is read, then bound to this merchant, the
 *   order asked about and the caller's `expect`; see {@link decodeOrderQueryV3} for the outcomes, and for why an
 *   unsigned 404 `ORDER_NOT_EXIST` is a `not-found` that can never end a watch by itself.
 * - `closeOrder`: `POST …/out-trade-no/{…}/close` (`{ mchid }` or `{ sp_mchid, sub_mchid }`) → 204.
 *   `reverseOrder` (code payments): `POST …/out-trade-no/{…}/reverse` (`{ appid, mchid }`, partner
 *   `{ sp_appid, sp_mchid, sub_appid?, sub_mchid }`); by `outTradeNo` only, as APIv3 offers it.
 *
 * Throws `InvalidArgumentError` for bad options (a key that is not RSA ≥ 2048, an APIv3 key that is not 32 bytes),
 * `TransportError`, `SignatureError`, `MalformedResponseError`, `MismatchError`.
 *
 * @example
 * ```ts
 * const client = createPayClientV3({ mchId, appId, serialNo, privateKey, platformPublicKey, platformPublicKeyId });
 * const outcome = await client.queryOrder({ outTradeNo: '1217752501201407033233368018' });
 * if (outcome.kind === 'order') console.log(outcome.tradeState, outcome.order.totalFee);
 * ```
 */
export function createPayClientV3(options: PayClientV3Options): PayClientV3 {
  checkOptions(options);
  const { mchId, appId, serialNo, subMchId, subAppId, platformPublicKeyId } = options;
  const privateKey = privateKeyOf(options.privateKey, 'privateKey');
  const publicKey = publicKeyOf(options.platformPublicKey, 'platformPublicKey');
  const apiV3Key = options.apiV3Key === undefined ? undefined : apiV3KeyOf(options.apiV3Key);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_JSON_BYTES;
  const baseURL = options.baseURL ?? DEFAULT_BASE_URL;
  const hardening: AxiosRequestConfig = {
    baseURL,
    adapter: createNodeAdapter({ maxBytes }),
    allowAbsoluteUrls: false,
    maxRedirects: 0,
    maxContentLength: maxBytes,
    // The raw bytes: the signature covers them, not a decoded and re-encoded string.
    responseType: 'arraybuffer',
    transformRequest: [],
    transformResponse: [],
    validateStatus: null,
    timeout: timeoutMs,
  };
  const instance = options.axios ?? new Axios(hardening);
  const transport: V3Transport = {
    instance,
    perRequest: options.axios === undefined ? NO_HARDENING : hardening,
    timeoutMs,
    signer: { mchId, serialNo, privateKey },
    basePath: basePathOf(baseURL),
    platformPublicKeyId,
    userAgent: 'tradestate (WeChat Pay APIv3; node)',
  };
  const verifier: PlatformVerifier = { publicKey, publicKeyId: platformPublicKeyId };
  const partner = subMchId !== undefined;
  const merchant = { appId, mchId, subAppId, subMchId };
  const root = partner ? '/v3/pay/partner/transactions' : '/v3/pay/transactions';
  const merchantQuery = partner ? `sp_mchid=${enc(mchId)}&sub_mchid=${enc(subMchId)}` : `mchid=${enc(mchId)}`;
  const merchantBody = partner ? { sp_mchid: mchId, sub_mchid: subMchId } : { mchid: mchId };
  const reverseBody = partner
    ? { sp_appid: appId, sp_mchid: mchId, sub_appid: subAppId, sub_mchid: subMchId }
    : { appid: appId, mchid: mchId };

  function decodeOptions(
    id: { field: 'out_trade_no' | 'transaction_id'; value: string },
    caller: QueryOptions,
  ): ResolvedDecodeV3 {
    const expect = bindExpected(merchant, caller.expect, {
      outTradeNo: id.field === 'out_trade_no' ? id.value : undefined,
      transactionId: id.field === 'transaction_id' ? id.value : undefined,
    });
    return { verifier, expect, maxBytes };
  }

  function outTradeNoOf(request: unknown, what: string): { field: 'out_trade_no'; value: string } {
    if (typeof request !== 'object' || request === null || 'transactionId' in request) {
      throw new InvalidArgumentError(`${what} takes { outTradeNo } only in APIv3`);
    }
    return queryIdentifier({ outTradeNo: (request as { outTradeNo: string }).outTradeNo }) as {
      field: 'out_trade_no';
      value: string;
    };
  }

  return {
    async queryOrder(query: OrderQuery, queryOptions: QueryOptions = {}) {
      const id = queryIdentifier(query);
      const by = id.field === 'out_trade_no' ? 'out-trade-no' : 'id';
      const answer = await sendV3(
        transport,
        'GET',
        `${root}/${by}/${enc(id.value)}?${merchantQuery}`,
        undefined,
        queryOptions.signal,
      );
      return decodeOrderQueryV3(answer, decodeOptions(id, queryOptions));
    },
    async closeOrder(request, queryOptions = {}) {
      const id = outTradeNoOf(request, 'closeOrder');
      const path = `${root}/out-trade-no/${enc(id.value)}/close`;
      const answer = await sendV3(transport, 'POST', path, JSON.stringify(merchantBody), queryOptions.signal);
      return decodeCloseOrderV3(answer, decodeOptions(id, queryOptions));
    },
    async reverseOrder(request, queryOptions = {}) {
      const id = outTradeNoOf(request, 'reverseOrder');
      const path = `${root}/out-trade-no/${enc(id.value)}/reverse`;
      const answer = await sendV3(transport, 'POST', path, JSON.stringify(reverseBody), queryOptions.signal);
      return decodeReverseOrderV3(answer, decodeOptions(id, queryOptions));
    },
    decodeNotification(request, decodeOptions = {}) {
      if (apiV3Key === undefined)
        throw new InvalidArgumentError('decodeNotification needs the client made with apiV3Key');
      const expect = bindExpected(merchant, decodeOptions.expect, {});
      return decodeNotificationV3(request, {
        apiV3Key,
        platformPublicKey: publicKey,
        platformPublicKeyId,
        expect,
        maxBytes,
      });
    },
  };
}
