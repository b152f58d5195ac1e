import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusEvent } from '../src/order-status.ts';
import { placeOrder, startCheckout, statusEvents } from './checkout-harness.ts';

// Short limits, so a slow client is cut off long before its trickle would end (50 writes, 100 ms apart: 5 s).
const limits = { headersMs: 300, requestMs: 600, idleMs: 800, keepAliveMs: 200, bodyLimitBytes: 1024 };
const TRICKLE_WRITES = 50;
const TRICKLE_EVERY_MS = 100;

let checkout: Awaited<ReturnType<typeof startCheckout>>;
beforeAll(async () => {
  checkout = await startCheckout({ deadlineMs: 60_000, limits });
});
afterAll(() => checkout.close());

/**
 * Opens a connection, writes `head`, then one more byte of `drip` every 100 ms, until the server closes the
 * connection or 50 bytes have gone. Resolves with how many bytes dripped before the close (or `undefined` when
 * the server let the whole trickle through) and what the server answered.
 */
function trickle(head: string, drip: string): Promise<{ dripped: number | undefined; answer: string }> {
  const { port } = new URL(checkout.url);
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), '127.0.0.1');
    let dripped = 0;
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (cutOff: boolean) => {
      clearInterval(timer);
      socket.destroy();
      resolve({ dripped: cutOff ? dripped : undefined, answer });
    };
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      socket.write(head);
      timer = setInterval(() => {
        if (dripped >= TRICKLE_WRITES) return finish(false);
        socket.write(drip[dripped % drip.length] ?? 'x');
        dripped++;
      }, TRICKLE_EVERY_MS);
    });
  });
}

describe('the checkout server cuts off slow clients', () => {
  it('closes a connection whose headers trickle in (slow loris) once the headers limit has passed', async () => {
    const { dripped, answer } = await trickle('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ', 'abcdefgh');
    expect(dripped).toBeDefined();
    expect(dripped).toBeLessThan(TRICKLE_WRITES);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('closes a connection whose body trickles in once the request limit has passed, and creates no order', async () => {
    const before = checkout.sandbox.listOrders().length;
    const body = JSON.stringify({ sku: 'sticker' });
    const head =
      'POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${body.length + TRICKLE_WRITES}\r\n\r\n`;
    const { dripped } = await trickle(head, ' ');
    expect(dripped).toBeDefined();
    expect(dripped).toBeLessThan(TRICKLE_WRITES);
    expect(checkout.sandbox.listOrders()).toHaveLength(before);
  });

  it('closes a connection that sends nothing at all', async () => {
    const { port } = new URL(checkout.url);
    const closed = await new Promise<boolean>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1');
      // Bounded: ten times the idle limit.
      const giveUp = setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, limits.idleMs * 10);
      socket.on('close', () => {
        clearTimeout(giveUp);
        resolve(true);
      });
      socket.on('error', () => undefined);
      // Read what the server says (its 408), or the close it follows with is never seen.
      socket.resume();
    });
    expect(closed).toBe(true);
  });

  it('refuses a body over the limit with 413', async () => {
    const response = await fetch(`${checkout.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'x'.repeat(limits.bodyLimitBytes) }),
    });
    expect(response.status).toBe(413);
  });

  it('keeps an event stream open past the idle limit with heartbeats, to its last event', async () => {
    // Three idle limits from order to deadline: without the heartbeat the stream would be cut after the first.
    const quiet = await startCheckout({ deadlineMs: limits.idleMs * 3, limits });
    try {
      const outTradeNo = await placeOrder(quiet.url);
      const seen: StatusEvent[] = [];
      for await (const event of statusEvents(`${quiet.url}/orders/${outTradeNo}/events`)) seen.push(event);
      expect(seen.at(-1)).toMatchObject({ status: 'closed', done: true });
    } finally {
      await quiet.close();
    }
  });
});
