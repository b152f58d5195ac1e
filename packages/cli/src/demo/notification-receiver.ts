import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeNotification, notificationReply, type PaymentNotification, type SignType } from '@tradestate/protocol';
import { type Observable, Subject } from 'rxjs';

/**
 * A merchant's `notify_url` on loopback: verifies each payment notification, acknowledges it, and publishes it.
 *
 * @example
 * ```ts
 * const receiver = await startNotificationReceiver({ key });
 * receiver.notifications.subscribe((n) => console.log(n.order.outTradeNo));
 * ```
 */
export interface NotificationReceiver {
  /** The URL to give the payment provider as `notify_url`. */
  readonly url: string;
  /** Every verified notification, duplicates included (WeChat resends until acknowledged). */
  readonly notifications: Observable<PaymentNotification>;
  /** How many bodies were refused (bad signature, malformed). */
  readonly refused: () => number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.destroy();
        reject(new Error('notification body too large'));
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * Starts a {@link NotificationReceiver} on 127.0.0.1 and a free port. A notification is acknowledged only after
 * it verified and was published; anything else gets a FAIL reply, so WeChat (or the sandbox) sends it again.
 *
 * @example
 * ```ts
 * const receiver = await startNotificationReceiver({ key: merchant.key });
 * sandbox.createOrder({ outTradeNo: 'A1', totalFee: 1, tradeType: 'NATIVE', notifyUrl: receiver.url });
 * ```
 */
export async function startNotificationReceiver(options: {
  readonly key: string;
  readonly signType?: SignType | undefined;
}): Promise<NotificationReceiver> {
  const notifications = new Subject<PaymentNotification>();
  let refused = 0;
  const server = createServer((request, response) => {
    readBody(request).then(
      (body) => {
        let reply: string;
        try {
          notifications.next(decodeNotification(body, { key: options.key, signType: options.signType }));
          reply = notificationReply(true);
        } catch {
          refused += 1;
          reply = notificationReply(false, 'invalid notification');
        }
        response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(reply);
      },
      () => {
        refused += 1;
        response.writeHead(413).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/wechatpay/notify`,
    notifications: notifications.asObservable(),
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        notifications.complete();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
