import { type CloseOrderOutcome, decodeCloseOrder } from './close-order.ts';
import type { DecodeOrderQueryOptions } from './decode.ts';
import { InvalidArgumentError } from './errors.ts';
import { bindExpected, type ExpectedAnswer } from './expect.ts';
import {
  type DecodeNotificationOptions,
  decodeNotification as decodeNotificationBody,
  type PaymentNotification,
} from './notification.ts';
import { queryIdentifier } from './query.ts';
import { decodeReverseOrder, type ReverseOrderOutcome } from './reverse-order.ts';
import { postSignedXml, type SignedPostTransport } from './signed-post.ts';
import type { OrderQuery, OrderQueryClient, QueryOptions, SignType } from './types.ts';

/** Paths relative to `baseURL`. `/secapi/` needs the merchant's client certificate on the real service. */
const CLOSE_ORDER_PATH = '/pay/closeorder';
const REVERSE_PATH = '/secapi/pay/reverse';

/**
 * Which order to close: only the merchant's `out_trade_no` (WeChat's `closeorder` takes nothing else).
 *
 * @example
 * ```ts
 * const request: CloseOrderRequest = { outTradeNo: '1415757673' };
 * ```
 */
export interface CloseOrderRequest {
  readonly outTradeNo: string;
}

/**
 * The HTTP client of {@link createPayClient}: an {@link OrderQueryClient} that can also close an unpaid order and
 * reverse a micropay, over the same hardened transport (total deadline, no redirects, size cap, secrets never in
 * errors) and with the same typed errors.
 *
 * @example
 * ```ts
 * const client: PayClient = createPayClient({ appId, mchId, key });
 * const outcome = await client.closeOrder({ outTradeNo: 'A1' });
 * ```
 */
export interface PayClient extends OrderQueryClient {
  /**
   * `POST /pay/closeorder`: stops WeChat accepting a payment for an unpaid order. Resolves `{ kind: 'closed' }`
   * only from a verified answer; `{ kind: 'error', code: 'ORDERPAID' }` means it was paid (query it).
   *
   * @example
   * ```ts
   * const outcome = await client.closeOrder({ outTradeNo: 'A1' }, { signal });
   * ```
   */
  closeOrder(request: CloseOrderRequest, options?: QueryOptions): Promise<CloseOrderOutcome>;
  /**
   * `POST /secapi/pay/reverse`: cancels a micropay, refunding it if it was paid. One call; follow `recall` and
   * retryable errors yourself. The real service requires the merchant's client certificate: pass
   * `PayClientOptions.httpsAgent`.
   *
   * @example
   * ```ts
   * const outcome = await client.reverseOrder({ outTradeNo: 'POS1' });
   * ```
   */
  reverseOrder(request: OrderQuery, options?: QueryOptions): Promise<ReverseOrderOutcome>;
  /**
   * {@link decodeNotification} with this client's key, sign type and size cap, bound to its own `appid`, `mch_id`,
   * `sub_appid` and `sub_mch_id`: a notification for another merchant or sub-merchant is a `MismatchError`, and
   * one that does not name this merchant's appid, mch_id (and sub_mch_id, in service-provider mode) too.
   * `options.expect` adds the order and its amount (`{ outTradeNo, totalFee, feeType? }`); the client's own ids
   * win over any the caller gives. Synchronous: nothing is sent.
   *
   * @example
   * ```ts
   * const { order } = client.decodeNotification(rawBody, { expect: { outTradeNo: 'A1', totalFee: 10_000 } });
   * ```
   */
  decodeNotification(body: unknown, options?: Pick<DecodeNotificationOptions, 'expect'>): PaymentNotification;
}

/**
 * What {@link createOrderActions} needs from the client that owns it.
 *
 * @example
 * ```ts
 * const context: OrderActionsContext = { transport, requestBody, key, signType: 'MD5', maxBytes: 65536, merchant: { appId, mchId } };
 * ```
 * @internal
 */
export interface OrderActionsContext {
  readonly transport: SignedPostTransport;
  /** The client's signed request body for one order identifier (fresh nonce, sub-merchant fields). */
  readonly requestBody: (field: 'out_trade_no' | 'transaction_id', value: string) => string;
  readonly key: string;
  readonly signType: SignType;
  /** Size cap of answers in bytes. */
  readonly maxBytes: number;
  /** The merchant answers must name. */
  readonly merchant: Pick<ExpectedAnswer, 'appId' | 'mchId' | 'subAppId' | 'subMchId'>;
}

/**
 * Builds the `closeOrder`, `reverseOrder` and `decodeNotification` methods of a {@link PayClient}. Internal: `createPayClient` calls it.
 *
 * @example
 * ```ts
 * const { closeOrder, reverseOrder, decodeNotification } = createOrderActions(context);
 * ```
 * @internal
 */
export function createOrderActions(
  context: OrderActionsContext,
): Pick<PayClient, 'closeOrder' | 'reverseOrder' | 'decodeNotification'> {
  const { transport, requestBody, key, signType, maxBytes, merchant } = context;
  const ownMerchant: ExpectedAnswer = { ...merchant };

  async function send(
    path: string,
    query: OrderQuery,
    options: QueryOptions,
  ): Promise<{ body: string; decode: DecodeOrderQueryOptions }> {
    const id = queryIdentifier(query);
    const expect = bindExpected(merchant, options.expect, {
      outTradeNo: id.field === 'out_trade_no' ? id.value : undefined,
      transactionId: id.field === 'transaction_id' ? id.value : undefined,
    });
    const data = requestBody(id.field, id.value);
    const body = await postSignedXml(transport, path, data, options.signal);
    return { body, decode: { key, signType, expect, maxBytes } };
  }

  return {
    async closeOrder(request, options = {}) {
      if (typeof request !== 'object' || request === null || 'transactionId' in request) {
        throw new InvalidArgumentError('closeOrder takes { outTradeNo } only');
      }
      const { body, decode } = await send(CLOSE_ORDER_PATH, { outTradeNo: request.outTradeNo }, options);
      return decodeCloseOrder(body, decode);
    },
    async reverseOrder(request, options = {}) {
      const { body, decode } = await send(REVERSE_PATH, request, options);
      return decodeReverseOrder(body, decode);
    },
    decodeNotification(body, options = {}) {
      const expect = options.expect === undefined ? ownMerchant : bindExpected(merchant, options.expect, {});
      return decodeNotificationBody(body, { key, signType, maxBytes, expect });
    },
  };
}
