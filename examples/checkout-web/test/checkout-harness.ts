import { schedules } from '@tradestate/machine';
import { createPayClient, createPayClientV3 } from '@tradestate/protocol';
import { defaultMerchant, type Sandbox, startSandbox } from '@tradestate/sandbox';
import type { FastifyInstance } from 'fastify';
import { OrderBook } from '../src/order-book.ts';
import type { StatusEvent } from '../src/order-status.ts';
import { sandboxPayments } from '../src/sandbox-payments.ts';
import { buildCheckoutServer } from '../src/server.ts';

/** A sandbox and a checkout server on 127.0.0.1 and free ports, as `src/main.ts` wires them (v2, or APIv3). */
export async function startCheckout(options: { deadlineMs: number; api?: 'v2' | 'v3' }): Promise<{
  sandbox: Sandbox;
  app: FastifyInstance;
  url: string;
  close: () => Promise<void>;
}> {
  const sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
  const api = options.api ?? 'v2';
  const v3Client =
    api === 'v3' && sandbox.v3 !== undefined ? createPayClientV3({ ...sandbox.v3, baseURL: sandbox.url }) : undefined;
  const client = v3Client ?? createPayClient({ ...defaultMerchant, baseURL: sandbox.url });
  const book = new OrderBook({
    client,
    schedule: schedules.native,
    deadlineMs: options.deadlineMs,
  });
  const app = await buildCheckoutServer({
    book,
    payments: sandboxPayments(sandbox, api),
    key: defaultMerchant.key,
    v3Client,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    sandbox,
    app,
    url: app.listeningOrigin,
    close: async () => {
      await app.close();
      await sandbox.close();
    },
  };
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
