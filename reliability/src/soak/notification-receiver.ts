import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WatchNotification } from '@tradestate/machine';
import { decodeNotification, notificationReply, readNotificationHint } from '@tradestate/protocol';
import { HOSTILE_HEADER, HOSTILE_KINDS, type HostileKind } from './hostile.ts';

/** Per kind of hostile post: how many the route decoded as verified, and how many it refused. */
export interface HostileAtRoute {
  readonly accepted: Record<HostileKind, number>;
  readonly refused: Record<HostileKind, number>;
}

function zeroes(): Record<HostileKind, number> {
  return Object.fromEntries(HOSTILE_KINDS.map((kind) => [kind, 0])) as Record<HostileKind, number>;
}

/**
 * The merchant's `notify_url` on loopback, written as a user would with today's protocol: every POST is decoded
 * and verified with the key (nothing else bound: the watches bind the merchant and the amount), handed to
 * `deliver` when it verifies, and acknowledged as WeChat expects (FAIL otherwise, so it is resent). A body that
 * does not verify but names an order is handed over as an unverified notification: a reason to ask, never a
 * state. Genuine posts (the sandbox's) are shown to `seen`; hostile ones (marked by the soak's header, which the
 * decoding ignores) are only counted.
 */
export async function startNotificationReceiver(options: {
  readonly key: string;
  readonly seen: (body: string) => void;
  readonly deliver: (notification: WatchNotification) => void;
}): Promise<{
  url: string;
  received: () => number;
  refused: () => number;
  hostile: HostileAtRoute;
  close(): Promise<void>;
}> {
  let received = 0;
  let refused = 0;
  const hostile: HostileAtRoute = { accepted: zeroes(), refused: zeroes() };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const header = req.headers[HOSTILE_HEADER];
    const kind = (HOSTILE_KINDS as readonly string[]).includes(String(header)) ? (header as HostileKind) : undefined;
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (kind === undefined) options.seen(body.toString('utf8'));
      let notification: WatchNotification;
      try {
        notification = decodeNotification(body, { key: options.key });
      } catch {
        if (kind === undefined) refused++;
        else hostile.refused[kind]++;
        const query = readNotificationHint(body);
        if (query !== undefined) options.deliver({ kind: 'unverified', query });
        res.writeHead(200, { 'content-type': 'text/xml' }).end(notificationReply(false, 'invalid notification'));
        return;
      }
      if (kind === undefined) received++;
      else hostile.accepted[kind]++;
      options.deliver(notification);
      res.writeHead(200, { 'content-type': 'text/xml' }).end(notificationReply(true));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    received: () => received,
    refused: () => refused,
    hostile,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Posts a hostile body to the notify route, as anyone on the network could; resolves when answered (or failed). */
export function postHostile(url: string, kind: HostileKind, body: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'text/xml', [HOSTILE_HEADER]: kind }, timeout: 5000 },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
        res.on('error', () => resolve());
      },
    );
    req.on('error', () => resolve());
    req.on('timeout', () => req.destroy());
    req.end(body);
  });
}
