import { schedules } from '@tradestate/machine';
import { createPayClient, createPayClientV3 } from '@tradestate/protocol';
import { buildXml, parseXml, sign } from '@tradestate/protocol/codec';
import { defaultMerchant, type Sandbox, startSandbox } from '@tradestate/sandbox';
import type { FastifyInstance } from 'fastify';
import type { Catalogue } from '../src/catalogue.ts';
import { OrderBook } from '../src/order-book.ts';
import type { StatusEvent } from '../src/order-status.ts';
import { sandboxPayments } from '../src/sandbox-payments.ts';
import { buildCheckoutServer, type PaymentsGateway } from '../src/server.ts';
import type { ServerLimits } from '../src/server-limits.ts';

/** A sandbox and a checkout server on 127.0.0.1 and free ports, as `src/main.ts` wires them (v2, or APIv3). */
export async function startCheckout(options: {
  deadlineMs: number;
  api?: 'v2' | 'v3';
  catalogue?: Catalogue;
  limits?: ServerLimits;
  /** The gateway, given the sandbox; default `sandboxPayments` for `api`. */
  payments?: (sandbox: Sandbox) => PaymentsGateway;
}): Promise<{
  sandbox: Sandbox;
  app: FastifyInstance;
  book: OrderBook;
  url: string;
  close: () => Promise<void>;
}> {
  // WeChat refuses to close an order younger than 5 minutes; scaled by 0.0005 that is 150 ms, under the
  // shortest deadline these tests close at (300 ms). WeChat's notification resends are scaled alike.
  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1', timeScale: 0.0005 });
  const api = options.api ?? 'v2';
  const v3Client =
    api === 'v3' && sandbox.v3 !== undefined ? createPayClientV3({ ...sandbox.v3, baseURL: sandbox.url }) : undefined;
  const client = v3Client ?? createPayClient({ ...defaultMerchant, baseURL: sandbox.url });
  const book = new OrderBook({
    client,
    schedule: schedules.native,
    deadlineMs: options.deadlineMs,
    // The sandbox lets an order be closed at once: the tests need not wait WeChat's 5 minutes.
    closeAfterMs: 0,
  });
  const app = await buildCheckoutServer({
    book,
    payments: options.payments === undefined ? sandboxPayments(sandbox, api) : options.payments(sandbox),
    merchant: defaultMerchant,
    catalogue: options.catalogue,
    limits: options.limits,
    v3Client,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    sandbox,
    app,
    book,
    url: app.listeningOrigin,
    close: async () => {
      await app.close();
      book.close();
      await sandbox.close();
    },
  };
}

/** Places an order for `sku` as the page does; returns the order number. */
export async function placeOrder(url: string, sku = 'sticker'): Promise<string> {
  const response = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sku }),
  });
  if (response.status !== 201) throw new Error(`POST /orders: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { outTradeNo: string }).outTradeNo;
}

/** A payment notification for `outTradeNo`, signed with `key`, as WeChat would send it (or a forger could). */
export function signedNotification(
  sandbox: Sandbox,
  outTradeNo: string,
  key: string,
  overrides: Record<string, string> = {},
): string {
  const order = sandbox.getOrder(outTradeNo);
  const fields: Record<string, string> = {
    return_code: 'SUCCESS',
    result_code: 'SUCCESS',
    appid: defaultMerchant.appId,
    mch_id: defaultMerchant.mchId,
    nonce_str: 'n0nce',
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    trade_type: 'NATIVE',
    bank_type: 'CMC',
    total_fee: String(order?.totalFee ?? 1),
    cash_fee: String(order?.totalFee ?? 1),
    transaction_id: order?.transactionId ?? '',
    out_trade_no: outTradeNo,
    time_end: '20261127120000',
    ...overrides,
  };
  return buildXml({ ...fields, sign: sign(fields, key) });
}

/** POSTs a notification body to the checkout; returns WeChat's view of the reply. */
export async function postNotification(url: string, body: string): Promise<Record<string, string>> {
  const response = await fetch(`${url}/wechatpay/notify`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body,
  });
  if (response.status !== 200) throw new Error(`notify: HTTP ${response.status}`);
  return parseXml(await response.text());
}

/** Reads `GET /orders/:id/events` as the browser's EventSource would, until the stream ends. */
export async function* statusEvents(url: string, signal?: AbortSignal): AsyncGenerator<StatusEvent> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream' }, signal });
  if (!response.ok || response.body === null) throw new Error(`events: HTTP ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length))
        .join('\n');
      if (block.includes('event: status') && data !== '') yield JSON.parse(data) as StatusEvent;
      end = buffer.indexOf('\n\n');
    }
  }
}
