import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the hostile server does with each request; chosen by the request's path prefix. */
export const HOSTILE_BEHAVIOURS = [
  'status-500',
  'json',
  'redirect',
  'oversized',
  'invalid-utf8',
  'drip',
  'empty',
  'echo-request',
] as const;
export type HostileBehaviour = (typeof HOSTILE_BEHAVIOURS)[number];

function behave(behaviour: HostileBehaviour, request: Buffer, res: ServerResponse): void {
  switch (behaviour) {
    case 'status-500':
      res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
      return;
    case 'json':
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"return_code":"SUCCESS"}');
      return;
    case 'redirect':
      res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
      return;
    case 'oversized':
      res.writeHead(200, { 'content-type': 'text/xml' }).end(`<xml><a>${'x'.repeat(200_000)}</a></xml>`);
      return;
    case 'invalid-utf8':
      res.writeHead(200, { 'content-type': 'text/xml' }).end(Buffer.from([0x3c, 0x78, 0x6d, 0x6c, 0x3e, 0xff, 0xfe]));
      return;
    case 'drip':
      // A byte now and then, never finishing: only a total deadline ends this.
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<xml>');
      return;
    case 'empty':
      res.writeHead(200, { 'content-type': 'text/xml' }).end();
      return;
    case 'echo-request':
      // The request (with its sign) sent back, unsigned answer fields around it: errors must not quote it.
      res.writeHead(200, { 'content-type': 'text/xml' }).end(request);
      return;
  }
}

/** A loopback server that misbehaves in every way a proxy or a broken gateway can; `url(behaviour)` picks one. */
export async function startHostileServer(): Promise<{
  url(behaviour: HostileBehaviour): string;
  close(): Promise<void>;
}> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const behaviour = (req.url ?? '').split('/')[1] as HostileBehaviour;
      if (!HOSTILE_BEHAVIOURS.includes(behaviour)) res.writeHead(404).end();
      else behave(behaviour, Buffer.concat(chunks), res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (behaviour) => `http://127.0.0.1:${port}/${behaviour}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
