import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidArgumentError, isTradeState } from '@tradestate/protocol';
import { type ControlAccess, refuseControl } from './control-access.ts';
import { ControlError } from './control-error.ts';
import { TransitionRefusedError, UnknownOrderError } from './sandbox-errors.ts';
import type { FaultRates, OrderSpec, Sandbox } from './types.ts';

/** The prefix of the JSON control API. */
export const CONTROL_PREFIX = '/sandbox/';

const MAX_JSON_BYTES = 1024 * 1024;

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = value === undefined ? '' : JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ControlError(400, 'BAD_JSON', 'request body is not JSON');
  }
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ControlError(400, 'INVALID_ARGUMENT', `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function optionalMchId(value: unknown): { mchId?: string } {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'string') throw new ControlError(400, 'INVALID_ARGUMENT', 'mchId must be a string');
  return { mchId: value };
}

/** Routes one control request; returns the status and JSON value to send. */
function route(sandbox: Sandbox, method: string, url: URL, body: Buffer): [number, unknown] {
  const parts = url.pathname.slice(CONTROL_PREFIX.length).split('/').map(decodeURIComponent);
  const [resource, id, sub] = parts;
  if (resource === 'orders' && id === undefined) {
    if (method === 'GET') return [200, sandbox.listOrders()];
    if (method === 'POST')
      return [201, sandbox.createOrder(object(parseJson(body), 'order spec') as unknown as OrderSpec)];
  } else if (resource === 'orders' && id !== undefined && sub === undefined && parts.length === 2) {
    if (method === 'GET') {
      const order = sandbox.getOrder(id, optionalMchId(url.searchParams.get('mchId')));
      if (order === undefined) throw new ControlError(404, 'NOT_FOUND', `no order ${id}`);
      return [200, order];
    }
  } else if (resource === 'orders' && id !== undefined && sub === 'state' && parts.length === 3) {
    if (method === 'POST') {
      const input = object(parseJson(body), 'state change');
      const state = input['tradeState'];
      if (!isTradeState(state)) throw new ControlError(400, 'INVALID_ARGUMENT', 'tradeState is not a trade state');
      return [200, sandbox.setTradeState(id, state, optionalMchId(input['mchId']))];
    }
  } else if (resource === 'faults' && parts.length === 1) {
    if (method === 'PUT') {
      sandbox.setFaults(object(parseJson(body), 'fault rates') as FaultRates);
      return [200, { ok: true }];
    }
  } else if (resource === 'counters' && parts.length === 1) {
    if (method === 'GET') return [200, sandbox.counters()];
    if (method === 'DELETE') {
      sandbox.resetCounters();
      return [200, sandbox.counters()];
    }
  } else throw new ControlError(404, 'NOT_FOUND', `no control resource ${url.pathname}`);
  throw new ControlError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname}`);
}

/**
 * Serves the JSON control API: `GET|POST /sandbox/orders`, `GET /sandbox/orders/:outTradeNo[?mchId=]`,
 * `POST /sandbox/orders/:outTradeNo/state` `{ tradeState, mchId? }`, `PUT /sandbox/faults`,
 * `GET|DELETE /sandbox/counters`. A request {@link refuseControl} refuses changes nothing. Errors are
 * `{ error: { code, message } }` with 400, 401, 403, 404, 405, 409, 413, 415 or 421.
 */
export function serveControl(
  sandbox: Sandbox,
  access: ControlAccess,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer | undefined,
): void {
  try {
    const refused = refuseControl(req, access);
    if (refused !== undefined) throw refused;
    if (body === undefined) throw new ControlError(413, 'TOO_LARGE', `request body over ${MAX_JSON_BYTES} bytes`);
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const [status, value] = route(sandbox, req.method ?? 'GET', url, body);
    send(res, status, value);
  } catch (err) {
    if (err instanceof ControlError) {
      if (err.status === 401) res.setHeader('www-authenticate', 'Bearer realm="tradestate-sandbox"');
      send(res, err.status, { error: { code: err.code, message: err.message } });
    } else if (err instanceof UnknownOrderError) send(res, 404, { error: { code: 'NOT_FOUND', message: err.message } });
    else if (err instanceof TransitionRefusedError) {
      send(res, 409, { error: { code: 'TRANSITION_REFUSED', message: err.message } });
    } else if (err instanceof InvalidArgumentError) {
      send(res, 400, { error: { code: 'INVALID_ARGUMENT', message: err.message } });
    } else if (err instanceof URIError) send(res, 400, { error: { code: 'BAD_URL', message: 'malformed URL' } });
    else throw err;
  }
}

/** The body cap of control requests. */
export const MAX_CONTROL_BYTES = MAX_JSON_BYTES;
