import { randomBytes } from 'node:crypto';
import {
  notificationReply,
  notificationReplyV3,
  type PayClientV3,
  readNotificationHint,
  TradestateError,
} from '@tradestate/protocol';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Catalogue, DEMO_CATALOGUE, productOf } from './catalogue.ts';
import type { OrderBook } from './order-book.ts';
import { fastifyLimits, resolveServerLimits, type ServerLimits } from './server-limits.ts';
import { decodeShopNotification, decodeShopNotificationV3, type ShopMerchant } from './shop-notification.ts';
import { loadStaticFiles } from './static-files.ts';

/**
 * The payment provider's side the checkout needs besides `orderquery`: creating the order (WeChat's
 * `unifiedorder`) and, for this demo only, the customer's phone paying it.
 *
 * @example
 * const payments: PaymentsGateway = {
 *   createOrder: (order) => sandbox.createOrder({ ...order, tradeType: 'NATIVE' }),
 *   payAsCustomer: (outTradeNo) => sandbox.setTradeState(outTradeNo, 'SUCCESS'),
 * };
 */
export interface PaymentsGateway {
  createOrder(order: { outTradeNo: string; totalFee: number; feeType: string; notifyUrl: string }): Promise<unknown>;
  /** Demo only: without it (as in production), `POST /orders/:id/pay` does not exist. */
  payAsCustomer?: ((outTradeNo: string) => Promise<unknown>) | undefined;
}

/**
 * Options of {@link buildCheckoutServer}.
 *
 * @example
 * const app = await buildCheckoutServer({ book, payments, merchant: { appId, mchId, key } });
 */
export interface CheckoutServerOptions {
  readonly book: OrderBook;
  readonly payments: PaymentsGateway;
  /** Who notifications must be from and about, and the key they are verified with. */
  readonly merchant: ShopMerchant;
  /** What can be bought, at what price. Default {@link DEMO_CATALOGUE}. */
  readonly catalogue?: Catalogue | undefined;
  /** Time and size limits on every request. Defaults: `DEFAULT_SERVER_LIMITS`. */
  readonly limits?: ServerLimits | undefined;
  /** The `notify_url` given to WeChat. Default: this server's own `/wechatpay/notify`. */
  readonly notifyUrl?: string | undefined;
  /** Fastify's logger setting. Default off. */
  readonly logger?: boolean | undefined;
  /**
   * APIv3 mode: notifications are APIv3's (signed JSON, encrypted resource), decoded by this client's
   * `decodeNotification` (made with `apiV3Key`), bound to the shop's record of the order, and answered 204 / FAIL.
   * Default: v2 XML verified with `merchant.key`.
   */
  readonly v3Client?: PayClientV3 | undefined;
}

const OUT_TRADE_NO = /^[A-Za-z0-9_-]{1,32}$/;

function newOutTradeNo(): string {
  return `WEB${Date.now()}${randomBytes(4).toString('hex')}`;
}

/**
 * The checkout back end: `POST /orders` `{ sku }` (the amount is the catalogue's), `GET /orders/:id/events`
 * (server-sent events of the order's status), `POST /orders/:id/pay` (the sandbox's stand-in for the customer's
 * phone, only when the gateway can pay), `POST /wechatpay/notify`, and the page. Every request is held to
 * `limits`.
 *
 * @example
 * const app = await buildCheckoutServer({ book, payments, merchant });
 * await app.listen({ port: 3000, host: '127.0.0.1' });
 */
export async function buildCheckoutServer(options: CheckoutServerOptions): Promise<FastifyInstance> {
  const { book, payments, merchant } = options;
  const catalogue = options.catalogue ?? DEMO_CATALOGUE;
  const limits = resolveServerLimits(options.limits);
  const files = await loadStaticFiles();
  // forceCloseConnections: event streams are long-lived; closing the server must not wait for browsers.
  const app = Fastify({ ...fastifyLimits(limits), logger: options.logger ?? false, forceCloseConnections: true });

  app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );

  for (const [path, file] of files) {
    app.get(path, (_request, reply) => reply.type(file.contentType).send(file.body));
  }

  app.post<{ Body: unknown }>('/orders', async (request, reply) => {
    const chosen = productOf(request.body, catalogue);
    if ('refused' in chosen) return reply.code(400).send({ error: chosen.refused });
    const { sku, totalFee, feeType = 'CNY' } = chosen.product;
    const outTradeNo = newOutTradeNo();
    const notifyUrl = options.notifyUrl ?? `${app.listeningOrigin}/wechatpay/notify`;
    await payments.createOrder({ outTradeNo, totalFee, feeType, notifyUrl });
    book.add({ outTradeNo, sku, totalFee, feeType });
    return reply.code(201).send({ outTradeNo, sku, totalFee, feeType });
  });

  const { payAsCustomer } = payments;
  if (payAsCustomer !== undefined) {
    app.post<{ Params: { id: string } }>('/orders/:id/pay', async (request, reply) => {
      const { id } = request.params;
      if (!OUT_TRADE_NO.test(id) || book.get(id) === undefined) return reply.code(404).send({ error: 'unknown order' });
      await payAsCustomer(id);
      return reply.code(202).send({ outTradeNo: id });
    });
  }

  const heartbeatMs = Math.floor(limits.idleMs / 2);
  app.get<{ Params: { id: string } }>('/orders/:id/events', (request, reply) => {
    const status$ = book.status$(request.params.id);
    if (status$ === undefined) return reply.code(404).send({ error: 'unknown order' });
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
    });
    const send = (data: unknown) => stream.write(`event: status\ndata: ${JSON.stringify(data)}\n\n`);
    // A comment line, which EventSource ignores: keeps a quiet stream from being closed as idle.
    const heartbeat = setInterval(() => stream.write(': heartbeat\n\n'), heartbeatMs);
    const subscription = status$.subscribe({
      next: send,
      error: (err: unknown) => {
        request.log.warn({ code: err instanceof TradestateError ? err.code : 'UNKNOWN' }, 'order watch failed');
        send({ outTradeNo: request.params.id, status: 'unknown', attempts: 0, done: true, end: 'ERROR' });
        stream.end();
      },
      complete: () => stream.end(),
    });
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      subscription.unsubscribe();
    });
    stream.on('close', () => clearInterval(heartbeat));
    return reply;
  });

  if (options.v3Client !== undefined) {
    const client = options.v3Client;
    // Its own scope: APIv3's signature covers the raw bytes, so this route reads JSON as a Buffer, unparsed.
    await app.register(async (scope) => {
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_r, body, done) =>
        done(null, body),
      );
      scope.post<{ Body: Buffer }>('/wechatpay/notify', (request, reply) => {
        let answer = notificationReplyV3(true);
        try {
          book.notify(decodeShopNotificationV3({ headers: request.headers, body: request.body }, client, book));
        } catch (err) {
          request.log.warn({ code: err instanceof TradestateError ? err.code : 'UNKNOWN' }, 'notification refused');
          answer = notificationReplyV3(false, 'invalid notification');
        }
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      });
    });
    return app;
  }

  app.post<{ Body: string }>('/wechatpay/notify', (request, reply) => {
    reply.type('text/xml; charset=utf-8');
    try {
      book.notify(decodeShopNotification(request.body, merchant, book));
      // Acknowledged once the order book has it: WeChat stops resending.
      return reply.send(notificationReply(true));
    } catch (err) {
      // Forged, about another merchant, order or amount, or an order this shop does not know: never believed,
      // and answered FAIL so that a genuine one is resent. If it names one of our orders, that order asks WeChat.
      const hint = readNotificationHint(request.body);
      if (hint !== undefined) book.ask(hint);
      request.log.warn({ code: err instanceof TradestateError ? err.code : 'UNKNOWN' }, 'notification refused');
      return reply.send(notificationReply(false, 'invalid notification'));
    }
  });

  return app;
}
