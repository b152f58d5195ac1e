import type { Server } from 'node:http';
import type { FastifyHttpOptions } from 'fastify';

/**
 * How long a client may take and how much it may send. Without these, Node waits 60 s for headers and 300 s
 * for a request, and checks only every 30 s: a client trickling its headers or body a byte at a time (slow
 * loris) holds a connection, and its memory, for minutes.
 *
 * @example
 * const limits: ServerLimits = { headersMs: 5000, requestMs: 10_000 };
 */
export interface ServerLimits {
  /** The request's headers must all arrive within this. Default 10 s. */
  readonly headersMs?: number | undefined;
  /** The whole request, headers and body, must arrive within this. Default 15 s. */
  readonly requestMs?: number | undefined;
  /**
   * A connection on which nothing moves for this long is closed. Event streams send a heartbeat at half of it,
   * so a page waiting on a quiet order keeps its stream. Default 60 s.
   */
  readonly idleMs?: number | undefined;
  /** How long an idle keep-alive connection waits for its next request. Default 5 s. */
  readonly keepAliveMs?: number | undefined;
  /** The largest request body, in bytes (JSON orders and WeChat's XML notifications alike). Default 16 KiB. */
  readonly bodyLimitBytes?: number | undefined;
}

/** {@link ServerLimits} with every default filled in. */
export type ResolvedServerLimits = { readonly [K in keyof ServerLimits]-?: number };

/**
 * The defaults of {@link ServerLimits}: generous for a phone on a slow network (a checkout request is a few
 * hundred bytes), short for a client that is not sending at all.
 *
 * @example
 * const { headersMs } = DEFAULT_SERVER_LIMITS; // 10_000
 */
export const DEFAULT_SERVER_LIMITS: ResolvedServerLimits = {
  headersMs: 10_000,
  requestMs: 15_000,
  idleMs: 60_000,
  keepAliveMs: 5_000,
  bodyLimitBytes: 16 * 1024,
};

/**
 * Fills in the defaults; throws on a limit that is not a positive integer, or headers allowed longer than the
 * whole request (which Node refuses too, less clearly).
 *
 * @example
 * resolveServerLimits({ headersMs: 2000 }).requestMs; // 15_000
 */
export function resolveServerLimits(limits: ServerLimits = {}): ResolvedServerLimits {
  const resolved = { ...DEFAULT_SERVER_LIMITS };
  for (const [name, value] of Object.entries(limits) as [keyof ServerLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
    resolved[name] = value;
  }
  if (resolved.headersMs > resolved.requestMs) throw new Error('headersMs must not exceed requestMs');
  return resolved;
}

/**
 * The Fastify (and underlying `node:http`) options that enforce `limits`. Node checks its header and request
 * deadlines on a timer; it runs here at a quarter of the shorter one (at most once a second), so a slow client
 * is cut off within about 1.25× the limit instead of up to 30 s after it.
 *
 * @example
 * const app = Fastify({ ...fastifyLimits(resolveServerLimits()), logger: false });
 */
export function fastifyLimits(limits: ResolvedServerLimits): FastifyHttpOptions<Server> {
  const checkEveryMs = Math.max(10, Math.min(1000, Math.floor(Math.min(limits.headersMs, limits.requestMs) / 4)));
  return {
    connectionTimeout: limits.idleMs,
    keepAliveTimeout: limits.keepAliveMs,
    requestTimeout: limits.requestMs,
    bodyLimit: limits.bodyLimitBytes,
    http: {
      headersTimeout: limits.headersMs,
      requestTimeout: limits.requestMs,
      connectionsCheckingInterval: checkEveryMs,
    },
  };
}
