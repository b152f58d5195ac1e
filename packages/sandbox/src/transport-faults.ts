import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Counters } from './counters.ts';
import type { ExclusiveFault } from './faults.ts';

/** What nginx in front of WeChat answers when the service behind it is down. */
const NGINX_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/**
 * Plays the faults that happen below the protocol, the same for v2 and v3: `hang` (nothing is written: the
 * client waits until it gives up or the sandbox closes the socket), `reset` (the connection is torn down) and
 * `html502` (a proxy's error page). Returns whether the request was thereby served.
 */
export function playTransportFault(
  fault: ExclusiveFault | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  counters: Counters,
): boolean {
  switch (fault) {
    case 'hang':
      counters.fault('hang');
      return true;
    case 'reset':
      counters.fault('reset');
      (req.socket as Socket).resetAndDestroy();
      return true;
    case 'html502':
      counters.fault('html502');
      res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(NGINX_502) });
      res.end(NGINX_502);
      return true;
    default:
      return false;
  }
}
