import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeNotification, notificationReply, type PaymentNotification } from '@tradestate/protocol';

/**
 * The merchant's `notify_url` on loopback: every POST is shown to `seen` (raw), decoded and verified with the key,
 * handed to `deliver` when genuine, and acknowledged as WeChat expects (FAIL otherwise, so it is resent).
 */
export async function startNotificationReceiver(options: {
  readonly key: string;
  readonly seen: (body: string) => void;
  readonly deliver: (notification: PaymentNotification) => void;
}): Promise<{ url: string; received: () => number; refused: () => number; close(): Promise<void> }> {
  let received = 0;
  let refused = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      options.seen(body.toString('utf8'));
      try {
        const notification = decodeNotification(body, { key: options.key });
        received++;
        options.deliver(notification);
        res.writeHead(200, { 'content-type': 'text/xml' }).end(notificationReply(true));
      } catch {
        refused++;
        res.writeHead(200, { 'content-type': 'text/xml' }).end(notificationReply(false, 'invalid notification'));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received: () => received,
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
