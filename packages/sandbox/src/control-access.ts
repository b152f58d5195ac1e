import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { InvalidArgumentError } from '@tradestate/protocol';
import { ControlError } from './control-error.ts';

// The control API creates and pays orders, and a paid order's notification is signed with the merchant's key
// and sent to whatever notifyUrl the order names: left open, any web page the developer visits could use the
// sandbox as a signing oracle. A browser can send a cross-site POST without asking first only with a "simple"
// content type (text/plain, a form), and can reach 127.0.0.1 under its own domain name by DNS rebinding; both
// are refused here, before anything is read or changed.

/**
 * Who may use the control API beyond the checks every request gets (Host, Origin, content type).
 *
 * @example
 * ```ts
 * const access: ControlAccess = controlAccess('s3cr3t-t0ken');
 * ```
 */
export interface ControlAccess {
  /** SHA-256 of the bearer token every control request must carry; undefined when none is required. */
  readonly tokenDigest?: Buffer | undefined;
}

/** RFC 6750's b64token: what fits in `Authorization: Bearer …` without quoting. */
const TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks a control token option; the token itself never appears in the error.
 *
 * @throws {InvalidArgumentError} when `token` is given but is not a usable bearer token.
 * @example
 * ```ts
 * controlAccess(undefined); // no token: Host, Origin and content type are still checked
 * ```
 */
export function controlAccess(token: unknown): ControlAccess {
  if (token === undefined) return {};
  if (typeof token !== 'string' || !TOKEN.test(token)) {
    throw new InvalidArgumentError(
      'controlToken must be a non-empty string of A-Z a-z 0-9 - . _ ~ + / (a bearer token, RFC 6750)',
    );
  }
  return { tokenDigest: digest(token) };
}

/** `host:port` as a Host header names it: IPv6 in brackets, an IPv4-mapped address as IPv4. */
function hostOf(address: string, port: number): string {
  const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return isIP(plain) === 6 ? `[${plain}]:${port}` : `${plain}:${port}`;
}

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * The Host header values that name this sandbox on the connection `req` came in on: its local address and port
 * (the address the client dialled, even when the sandbox listens on every interface), and `localhost` on a
 * loopback connection. A domain name is never one: that is what DNS rebinding sends.
 */
function ownHosts(req: IncomingMessage): string[] {
  const { localAddress, localPort } = req.socket;
  if (localAddress === undefined || localPort === undefined) return [];
  const hosts = [hostOf(localAddress, localPort)];
  if (isLoopback(localAddress)) hosts.push(`localhost:${localPort}`);
  // A client omits the default port.
  if (localPort === 80) hosts.push(...hosts.map((host) => host.slice(0, host.lastIndexOf(':'))));
  return hosts;
}

function mediaType(header: string | undefined): string | undefined {
  return header?.split(';', 1)[0]?.trim().toLowerCase();
}

function hasToken(req: IncomingMessage, expected: Buffer): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '');
  // Digests of equal length, so the comparison takes the same time whatever was sent.
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
}

/**
 * Why a control request is refused, or undefined when it may be served. In order: a Host that is not this
 * sandbox's own address (421: DNS rebinding), an `Origin` of another site (403), a missing or wrong bearer token
 * when one is configured (401), and on anything but GET and HEAD a content type other than `application/json`
 * (415: what a cross-site form or `text/plain` fetch sends). Nothing the client sent is repeated.
 *
 * @example
 * ```ts
 * const refused = refuseControl(req, access);
 * if (refused !== undefined) throw refused;
 * ```
 */
export function refuseControl(req: IncomingMessage, access: ControlAccess): ControlError | undefined {
  const hosts = ownHosts(req);
  const host = req.headers.host?.toLowerCase();
  if (host === undefined || !hosts.includes(host)) {
    return new ControlError(
      421,
      'HOST_REFUSED',
      `the Host header must name this sandbox by address (${hosts.join(' or ')}): other names are refused, ` +
        'so a web page cannot reach the control API through its own domain (DNS rebinding)',
    );
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.some((own) => origin.toLowerCase() === `http://${own}`)) {
    return new ControlError(403, 'ORIGIN_REFUSED', 'requests from another web origin are refused');
  }
  if (access.tokenDigest !== undefined && !hasToken(req, access.tokenDigest)) {
    return new ControlError(
      401,
      'UNAUTHORIZED',
      'this sandbox requires its control token: send Authorization: Bearer <token>',
    );
  }
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD' && mediaType(req.headers['content-type']) !== 'application/json') {
    return new ControlError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `${method} requests must send Content-Type: application/json (other types are refused: a web page can send them cross-site)`,
    );
  }
  return undefined;
}
